using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;

namespace EduRelief.Bench;

/// <summary>
/// The numbers behind docs/architecture.md, all in one process on one Azurite: an N-activity fan-out/fan-in on the
/// Durable Task Framework (self-hosted TaskHubWorker, Azure Storage provider), then a 6-day and a 30-day timer on the
/// same Durable worker (real time only), the raw queue round trip of N messages, the same fan-out on our engine
/// (FanOutBenchmark's run), and a 30-day timer on our engine moved by the development clock.
/// </summary>
/// <remarks>
/// Durable runs first, in this process, so that this process's peak RSS right after it is Durable's worker (plus this
/// small driver); our engine runs in its own app process, whose peak RSS the launcher reads. Storage transactions are
/// counted by an Azure SDK pipeline policy on the clients each side's worker uses (ours: the app's own counter, read
/// over GET /api/dev/metrics). Both sides' progress is watched through separate, uncounted clients every 20 ms.
/// </remarks>
public static class DurableComparisonBenchmark
{
    private const int TimerDays = 30;

    public static async Task RunAsync(int activities)
    {
        var azurite = await Azurite.SharedAsync();
        var baselineRss = PeakRssOfThisProcess();
        var load = LoadAverage();
        Console.WriteLine($"{activities} activities, Azurite in memory, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var durable = await DurableFanOutAsync(azurite.ConnectionString, activities);
        var durableRss = PeakRssOfThisProcess();
        Console.WriteLine($"durable task fan-out/fan-in: {durable.Elapsed.TotalSeconds:F2} s, sum {durable.Sum} (expected {Expected(activities)}), "
            + $"{durable.Transactions} transactions ({(double)durable.Transactions / activities:F2} per activity; table {durable.Table}, queue {durable.Queue}, blob {durable.Blob}), "
            + $"history rows {durable.HistoryRows}, peak RSS of this process {Mib(durableRss)} MiB (before: {Mib(baselineRss)} MiB)");

        var raw = await FanOutBenchmark.RawQueueRoundTripAsync(azurite.ConnectionString, activities);
        Console.WriteLine($"raw queue round trip: {activities} messages in {raw.Elapsed.TotalSeconds:F2} s, {raw.Transactions} transactions");

        var engine = await FanOutBenchmark.EngineFanOutAsync(activities);
        var engineRows = await CountRowsAsync(new StorageAccount(azurite.ConnectionString, engine.Prefix, new RequestCounter()).Table("workflow"), engine.InstanceId);
        Console.WriteLine($"engine fan-out/fan-in: {engine.Elapsed.TotalSeconds:F2} s, {engine.Transactions} transactions ({(double)engine.Transactions / activities:F2} per activity), "
            + $"workflow partition rows {engineRows}, peak RSS of the app process {Mib(engine.AppPeakRssBytes)} MiB");
        Console.WriteLine($"ratio durable/engine wall time: {durable.Elapsed / engine.Elapsed:F2}; engine/raw: {engine.Elapsed / raw.Elapsed:F2}");

        await EngineTimerAsync();
        Console.WriteLine($"load average (1 min) at the end: {LoadAverage()} (at the start: {load})");
    }

    private static long Expected(int activities) => (long)activities * (activities + 1) / 2;

    private static async Task<DurableFanOutResult> DurableFanOutAsync(string connection, int activities)
    {
        var counter = new RequestCounter();
        var hub = "bench" + Guid.NewGuid().ToString("N")[..8];
        var service = new AzureStorageOrchestrationService(Settings(hub, CountedClients(connection, counter)));
        await service.CreateIfNotExistsAsync();
        var worker = new TaskHubWorker(service);
        worker.AddTaskOrchestrations(typeof(FanOutOrchestration), typeof(LongTimerOrchestration));
        worker.AddTaskActivities(typeof(ShardActivity));

        // The client that starts and watches the orchestration has its own, uncounted storage clients.
        var watcher = new AzureStorageOrchestrationService(Settings(hub, new StorageAccountClientProvider(connection)));
        var client = new TaskHubClient(watcher);
        var startup = await StartAndWarmUpAsync(worker, client);
        Console.WriteLine($"durable task worker: first (empty) orchestration completed {startup.TotalSeconds:F2} s after StartAsync (partition leases); not in the figures below");

        var (total0, table0, queue0, blob0) = (counter.Total, counter.Table, counter.Queue, counter.Blob);
        var watch = Stopwatch.StartNew();
        var instance = await client.CreateOrchestrationInstanceAsync(typeof(FanOutOrchestration), activities);
        var state = await UntilAsync(client, instance, s => s is not (OrchestrationStatus.Running or OrchestrationStatus.Pending), TimeSpan.FromMinutes(10));
        watch.Stop();
        var (total, table, queue, blob) = (counter.Total - total0, counter.Table - table0, counter.Queue - queue0, counter.Blob - blob0);
        if (state.OrchestrationStatus != OrchestrationStatus.Completed)
        {
            throw new InvalidOperationException($"The Durable Task fan-out ended {state.OrchestrationStatus}: {state.Output}");
        }

        var historyRows = await CountRowsAsync(new TableServiceClient(connection).GetTableClient(hub + "History"), instance.InstanceId);
        await DurableTimerAsync(connection, hub, client);
        await worker.StopAsync(isForced: true);
        await service.DeleteAsync();
        return new DurableFanOutResult(watch.Elapsed, long.Parse(state.Output, CultureInfo.InvariantCulture), total, table, queue, blob, historyRows);
    }

    /// <summary>
    /// Documented settings changed from their defaults, the same as the engine's host.json where one exists:
    /// activity concurrency 24 (host.json: batchSize 16 + newBatchThreshold 8), queue polling backs off to at most 2 s
    /// (host.json maxPollingInterval; Durable's default is 30 s), and visibility timeouts of 30 s instead of 5 minutes
    /// (as PLATFORM.md's kill -9 run needed; they only matter after a crash).
    /// </summary>
    private static AzureStorageOrchestrationServiceSettings Settings(string hub, StorageAccountClientProvider clients) => new()
    {
        TaskHubName = hub,
        StorageAccountClientProvider = clients,
        MaxConcurrentTaskActivityWorkItems = 24,
        MaxQueuePollingInterval = TimeSpan.FromSeconds(2),
        ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
        WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
    };

    private static StorageAccountClientProvider CountedClients(string connection, RequestCounter counter)
    {
        var blob = new BlobClientOptions();
        blob.AddPolicy(new Counting(counter, StorageService.Blob), HttpPipelinePosition.PerRetry);
        var queue = new QueueClientOptions();
        queue.AddPolicy(new Counting(counter, StorageService.Queue), HttpPipelinePosition.PerRetry);
        var table = new TableClientOptions();
        table.AddPolicy(new Counting(counter, StorageService.Table), HttpPipelinePosition.PerRetry);
        return new StorageAccountClientProvider(
            StorageServiceClientProvider.ForBlob(connection, blob),
            StorageServiceClientProvider.ForQueue(connection, queue),
            StorageServiceClientProvider.ForTable(connection, table));
    }

    /// <summary>Ours: a 30-day timer (test workflow test-timer) fires when the development clock is moved 31 days.</summary>
    private static async Task EngineTimerAsync()
    {
        var azurite = await Azurite.SharedAsync();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        var instances = new StorageAccount(azurite.ConnectionString, app.Prefix, new RequestCounter()).Table("workflow");
        const string id = "bench-timer";
        await app.Admin.PostAsync("/api/dev/instances", new { id, definition = "test-timer", data = new { days = TimerDays } });
        var watch = Stopwatch.StartNew();
        await app.Admin.PostAsync("/api/dev/clock", new { advanceBy = $"P{TimerDays + 1}D" });
        while ((await instances.GetEntityAsync<TableEntity>(id, "state")).Value.GetString("Stage") != "woke")
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException("The engine's timer did not fire within a minute of moving the clock.");
            }

            await Task.Delay(20);
        }

        Console.WriteLine($"engine {TimerDays}-day timer: fired {watch.Elapsed.TotalSeconds:F2} s after the development clock was moved {TimerDays + 1} days");
    }

    /// <summary>
    /// Durable: a 6-day and a 30-day timer on the same (warm) worker. Nothing moves Durable's clock, so at best they
    /// wait in real time; the framework's own warnings about each instance are shown (first one, shortened).
    /// </summary>
    private static async Task DurableTimerAsync(string connection, string hub, TaskHubClient client)
    {
        using var warnings = new DurableWarnings();
        var history = new TableServiceClient(connection).GetTableClient(hub + "History");
        foreach (var days in new[] { 6, TimerDays })
        {
            var instance = await client.CreateOrchestrationInstanceAsync(typeof(LongTimerOrchestration), days);
            var watch = Stopwatch.StartNew();
            string? fireAt = null;
            while (fireAt is null && watch.Elapsed < TimeSpan.FromSeconds(45))
            {
                await Task.Delay(500);
                await foreach (var row in history.QueryAsync<TableEntity>(e => e.PartitionKey == instance.InstanceId))
                {
                    if (row.GetString("EventType") == "TimerCreated")
                    {
                        fireAt = row.GetDateTimeOffset("FireAt")?.ToString("O", CultureInfo.InvariantCulture) ?? "?";
                    }
                }
            }

            var state = await client.GetOrchestrationStateAsync(instance);
            Console.WriteLine($"durable task {days}-day timer: {state?.OrchestrationStatus.ToString() ?? "no state"} {watch.Elapsed.TotalSeconds:F0} s after it started, "
                + $"TimerCreated fireAt {fireAt ?? "not written"}; framework warning: {warnings.FirstAbout(instance.InstanceId) ?? "none"}");
        }
    }

    /// <summary>The Durable Task event sources' warnings and errors, kept to say why an instance did not move.</summary>
    private sealed class DurableWarnings : System.Diagnostics.Tracing.EventListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _seen = new();

        public string? FirstAbout(string instanceId)
        {
            var line = _seen.FirstOrDefault(l => l.Contains(instanceId, StringComparison.Ordinal));
            if (line is null)
            {
                return null;
            }

            // The storage error's own message says more than the event's identifiers before it.
            var at = line.IndexOf("RequestFailedException", StringComparison.Ordinal);
            line = at < 0 ? line : line[at..];
            line = line.ReplaceLineEndings(" ");
            return line.Length > 300 ? line[..300] + "…" : line;
        }

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("DurableTask", StringComparison.Ordinal))
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Warning);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (_seen.Count < 1000)
            {
                _seen.Enqueue($"{eventData.EventSource.Name}/{eventData.EventName}: {string.Join(" | ", eventData.Payload ?? [])}");
            }
        }
    }

    private static async Task<TimeSpan> StartAndWarmUpAsync(TaskHubWorker worker, TaskHubClient client)
    {
        var watch = Stopwatch.StartNew();
        await worker.StartAsync();
        var warmUp = await client.CreateOrchestrationInstanceAsync(typeof(FanOutOrchestration), 0);
        await UntilAsync(client, warmUp, s => s == OrchestrationStatus.Completed, TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    private static async Task<OrchestrationState> UntilAsync(TaskHubClient client, OrchestrationInstance instance, Func<OrchestrationStatus, bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var state = await client.GetOrchestrationStateAsync(instance);
            if (state is not null && done(state.OrchestrationStatus))
            {
                return state;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Orchestration {instance.InstanceId} did not get there in {timeout}: {state?.OrchestrationStatus}.");
            }

            await Task.Delay(20);
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static async Task<int> CountRowsAsync(TableClient table, string partition)
    {
        var rows = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"]))
        {
            rows++;
        }

        return rows;
    }

    private static long PeakRssOfThisProcess()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F0", CultureInfo.InvariantCulture);

    private sealed record DurableFanOutResult(TimeSpan Elapsed, long Sum, long Transactions, long Table, long Queue, long Blob, int HistoryRows);

    /// <summary>Fans out one activity per index and sums what they return (index + 1, as our test-fanout's shards do).</summary>
    public sealed class FanOutOrchestration : TaskOrchestration<long, int>
    {
        public override async Task<long> RunTask(OrchestrationContext context, int input)
        {
            var tasks = new Task<long>[input];
            for (var i = 0; i < input; i++)
            {
                tasks[i] = context.ScheduleTask<long>(typeof(ShardActivity), i);
            }

            return (await Task.WhenAll(tasks)).Sum();
        }
    }

    public sealed class ShardActivity : AsyncTaskActivity<int, long>
    {
        protected override Task<long> ExecuteAsync(TaskContext context, int input) => Task.FromResult((long)input + 1);
    }

    public sealed class LongTimerOrchestration : TaskOrchestration<string, int>
    {
        public override async Task<string> RunTask(OrchestrationContext context, int input)
        {
            await context.CreateTimer(context.CurrentUtcDateTime.AddDays(input), "woke");
            return "woke";
        }
    }

    /// <summary>Counts every request (retries included) that Durable's storage clients send, in the app's own counter type.</summary>
    private sealed class Counting(RequestCounter counter, StorageService service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => counter.Add(service);
    }
}
