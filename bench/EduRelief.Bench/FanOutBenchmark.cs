using System.Diagnostics;
using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;

namespace EduRelief.Bench;

/// <summary>
/// The engine's cost for an N-shard fan-out/fan-in, beside the raw cost of sending and receiving N queue messages on
/// the same Azurite in the same run. Storage transactions are counted by the app's own SDK pipeline policy
/// (GET /api/dev/metrics); the benchmark watches progress through its own storage client so that watching costs the
/// app nothing.
/// </summary>
public static class FanOutBenchmark
{
    private const int Parallelism = 16;

    public static async Task RunAsync(int shards)
    {
        var azurite = await Azurite.SharedAsync();
        var raw = await RawQueueRoundTripAsync(azurite.ConnectionString, shards);
        Console.WriteLine($"raw queue round trip: {shards} messages sent and received+deleted in {raw.Elapsed.TotalSeconds:F2} s, {raw.Transactions} transactions");

        var engine = await EngineFanOutAsync(shards);
        Console.WriteLine($"engine fan-out/fan-in: {shards} shards done in {engine.Elapsed.TotalSeconds:F2} s, {engine.Transactions} transactions ({(double)engine.Transactions / shards:F2} per activity)");
        Console.WriteLine($"ratio engine/raw wall time: {engine.Elapsed / raw.Elapsed:F2}");
    }

    /// <summary>One run of the test-fanout workflow through a fresh app process on the shared Azurite.</summary>
    /// <returns>Wall time from the "go" event to stage done, the app's storage transactions in that window, the app's
    /// peak RSS, and the storage prefix and instance id so that a caller can look at what it left.</returns>
    public static async Task<EngineFanOutResult> EngineFanOutAsync(int shards)
    {
        var azurite = await Azurite.SharedAsync();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        var storage = new StorageAccount(azurite.ConnectionString, app.Prefix, new RequestCounter());
        var instances = storage.Table("workflow");
        var id = "bench-fanout";
        await app.Admin.PostAsync("/api/dev/instances", new { id, definition = "test-fanout", data = new { shards } });

        var before = await RequestsAsync(app);
        var watch = Stopwatch.StartNew();
        await app.Admin.PostAsync($"/api/dev/instances/{id}/events", new { eventId = "go", name = "go" });
        while (true)
        {
            var state = await instances.GetEntityAsync<TableEntity>(id, "state");
            if (state.Value.GetString("Stage") == "done")
            {
                break;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The fan-out did not finish in 5 minutes.");
            }

            await Task.Delay(20);
        }

        watch.Stop();
        var after = await RequestsAsync(app);
        return new EngineFanOutResult(watch.Elapsed, after - before, app.PeakRssBytes(), app.Prefix, id);
    }

    private static async Task<long> RequestsAsync(AppProcess app)
    {
        var (_, body) = await app.Admin.GetJsonAsync("/api/dev/metrics");
        return (long)body!["storageRequests"]!["total"]!;
    }

    public static async Task<(TimeSpan Elapsed, long Transactions)> RawQueueRoundTripAsync(string connection, int count)
    {
        var counter = new RequestCounter();
        var storage = new StorageAccount(connection, "raw" + Guid.NewGuid().ToString("N")[..8], counter);
        var queue = storage.Queues.GetQueueClient(storage.QueueName("raw"));
        await queue.CreateIfNotExistsAsync();
        var start = counter.Total;
        var watch = Stopwatch.StartNew();
        var body = new string('x', 200);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (_, ct) =>
            await queue.SendMessageAsync(body, ct));
        var received = 0;
        while (received < count)
        {
            var batch = (await queue.ReceiveMessagesAsync(32)).Value;
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (m, ct) =>
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct));
            received += batch.Length;
        }

        watch.Stop();
        return (watch.Elapsed, counter.Total - start);
    }
}

public sealed record EngineFanOutResult(TimeSpan Elapsed, long Transactions, long AppPeakRssBytes, string Prefix, string InstanceId);
