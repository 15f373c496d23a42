using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Workflow;

public sealed class EngineFixture : IAsyncLifetime
{
    public AppProcess App { get; private set; } = null!;

    public async Task<StorageAccount> StorageAsync() => new((await Azurite.SharedAsync()).ConnectionString, App.Prefix, new RequestCounter());

    public async Task InitializeAsync() => App = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>Idempotency, dead letters and poison messages, on one app process.</summary>
public sealed class EngineBehaviourTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    [Fact]
    public async Task RaiseEvent_SameEventIdTwice_AppliesOnce()
    {
        await App.StartAsync("dup-event", "test-versioned");
        var first = await App.RaiseAsync("dup-event", "caller-42", "next");
        var second = await App.RaiseAsync("dup-event", "caller-42", "next");

        Assert.Equal("applied", (string?)first["outcome"]);
        Assert.Equal("duplicate", (string?)second["outcome"]);
        var instance = await App.InstanceAsync("dup-event");
        Assert.Equal(1, EngineTestSupport.CountEvents(instance, "next"));
        Assert.Equal(2, instance["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task Instance_DataLargerThanOneTableProperty_RoundTripsThroughTransitions()
    {
        // 100,000 Chinese characters: more than three 64 KiB string properties' worth.
        var big = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('一' + (i % 2000))));
        await App.StartAsync("big-data", "test-versioned", new { big });
        await App.RaiseAsync("big-data", "big-next", "next");

        var instance = await App.InstanceAsync("big-data");

        Assert.Equal(2, instance["history"]!.AsArray().Count);
        Assert.Equal(big, (string?)instance["instance"]!["data"]!["big"]);
    }

    [Fact]
    public async Task StartInstance_SameIdTwice_KeepsTheFirst()
    {
        var (first, _) = await App.Admin.PostAsync("/api/dev/instances", new { id = "dup-start", definition = "test-versioned" });
        var (second, body) = await App.Admin.PostAsync("/api/dev/instances", new { id = "dup-start", definition = "test-versioned" });

        Assert.Equal(201, first);
        Assert.Equal(200, second);
        Assert.Equal("start", (string?)body!["stage"]);
        Assert.Single((await App.InstanceAsync("dup-start"))["history"]!.AsArray());
    }

    [Fact]
    public async Task QueueDelivery_SameMessagesDeliveredAgain_ChangeNothing()
    {
        await App.StartAsync("dup-queue", "test-fanout", new { shards = 5 });
        await App.RaiseAsync("dup-queue", "go", "go");
        var done = await App.UntilStageAsync("dup-queue", "done", TimeSpan.FromSeconds(60));
        var fanOutId = (string)done["fanOuts"]![0]!["id"]!;
        var historyBefore = done["history"]!.AsArray().Count;

        // Deliver again what the queue already delivered: a shard completion, the fan-in event, an activity's event.
        var storage = await fixture.StorageAsync();
        var queue = storage.Queues.GetQueueClient(storage.QueueName("steps"));
        var messages = new[]
        {
            new StepMessage { Type = StepMessage.Shard, InstanceId = "dup-queue", StepId = fanOutId, Name = "work", Kind = "test.shard", ShardIndex = 3, ShardKey = "s00003" },
            new StepMessage { Type = StepMessage.Event, InstanceId = "dup-queue", EventId = "fanin|" + fanOutId, EventName = "work.completed", Actor = "system" },
            new StepMessage { Type = StepMessage.Event, InstanceId = "dup-queue", EventId = "go", EventName = "go", Actor = "system" },
        };
        foreach (var m in messages)
        {
            await queue.SendMessageAsync(m.ToJson());
        }

        // The queue's count includes messages being processed, so a drained queue means all three were handled.
        await Eventually.UntilAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0, TimeSpan.FromSeconds(30), "the queue to drain");
        var after = await App.InstanceAsync("dup-queue");
        Assert.Equal(5, (await App.TestRunsAsync("dup-queue")).Runs); // the recorded shard was not run again
        Assert.Equal(historyBefore, after["history"]!.AsArray().Count);
        Assert.Equal(5, (int)after["fanOuts"]![0]!["completed"]!);
        Assert.Equal(EngineTestSupport.ExpectedSum(5), (long)after["instance"]!["data"]!["sum"]!);
    }

    /// <summary>
    /// A copy of an activity step delivered while the step runs (a lapsed lease, a re-sent outbox row: issue 13 saw the
    /// notice-end cut run five times at once) waits for the running copy instead of running beside it, and ends once the
    /// step's completion is recorded: the step ran once, completed once.
    /// </summary>
    [Fact]
    public async Task Activity_CopyDeliveredWhileItRuns_WaitsAndEndsWithoutRunningAgain()
    {
        var (stepId, fanOutId) = await StartSlowSumAsync("dup-activity", sumDelayMs: 5000);

        await SendAsync(new StepMessage { Type = StepMessage.Activity, InstanceId = "dup-activity", StepId = stepId, Name = "sum", Kind = "test.sum", Input = new() { ["fanOutId"] = fanOutId, ["sumDelayMs"] = 5000 } });

        var done = await App.UntilStageAsync("dup-activity", "done", TimeSpan.FromSeconds(60));
        await DrainedAsync();
        Assert.Single(await SumRunsAsync("dup-activity"));
        Assert.Equal(1, EngineTestSupport.CountEvents(await App.InstanceAsync("dup-activity"), "sum.completed"));
        Assert.Equal(EngineTestSupport.ExpectedSum(2), (long)done["instance"]!["data"]!["sum"]!);
    }

    /// <summary>
    /// A running copy that stopped beating (its process died or starved) is taken over by the next copy, so a step is
    /// never stuck behind a dead owner; the starved owner, alive after all, finishes too, and the completion counts once.
    /// </summary>
    [Fact]
    public async Task Activity_RunningCopyStoppedBeating_NextCopyTakesOverAndTheStepCompletesOnce()
    {
        var (stepId, fanOutId) = await StartSlowSumAsync("stale-activity", sumDelayMs: 4000);
        var storage = await fixture.StorageAsync();
        var instances = storage.Table("workflow");
        var running = (await instances.GetEntityAsync<TableEntity>("stale-activity", "r|" + stepId)).Value;
        running["BeatAt"] = DateTimeOffset.UtcNow.AddMinutes(-5);
        await instances.UpdateEntityAsync(running, running.ETag, TableUpdateMode.Replace);

        await SendAsync(new StepMessage { Type = StepMessage.Activity, InstanceId = "stale-activity", StepId = stepId, Name = "sum", Kind = "test.sum", Input = new() { ["fanOutId"] = fanOutId, ["sumDelayMs"] = 0 } });

        await Eventually.UntilAsync(() => SumRunsAsync("stale-activity"), runs => runs.Count == 2, TimeSpan.FromSeconds(30), "the copy to take the step over");
        await App.UntilStageAsync("stale-activity", "done", TimeSpan.FromSeconds(60));
        await DrainedAsync();
        Assert.Equal(2, (await SumRunsAsync("stale-activity")).Count);
        Assert.Equal(1, EngineTestSupport.CountEvents(await App.InstanceAsync("stale-activity"), "sum.completed"));
    }

    /// <summary>A two-shard fan-out whose sum step records its run and then waits; answers once that step has started.</summary>
    private async Task<(string StepId, string FanOutId)> StartSlowSumAsync(string id, int sumDelayMs)
    {
        await App.StartAsync(id, "test-fanout", new { shards = 2, sumDelayMs });
        await App.RaiseAsync(id, "go", "go");
        var runs = await Eventually.UntilAsync(() => SumRunsAsync(id), r => r.Count == 1, TimeSpan.FromSeconds(60), "the sum step to start");
        var fanOutId = (string)(await App.InstanceAsync(id))["fanOuts"]![0]!["id"]!;
        return (runs[0].GetString("StepId")!, fanOutId);
    }

    private async Task<IReadOnlyList<TableEntity>> SumRunsAsync(string id)
    {
        var storage = await fixture.StorageAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in storage.Table("testruns").QueryAsync<TableEntity>(e => e.PartitionKey == $"{id}-sum"))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task SendAsync(StepMessage message)
    {
        var storage = await fixture.StorageAsync();
        await storage.Queues.GetQueueClient(storage.QueueName("steps")).SendMessageAsync(message.ToJson());
    }

    /// <summary>The step queue is empty; its count includes invisible messages (being processed, or sent with a delay).</summary>
    private async Task DrainedAsync()
    {
        var storage = await fixture.StorageAsync();
        var queue = storage.Queues.GetQueueClient(storage.QueueName("steps"));
        await Eventually.UntilAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0, TimeSpan.FromSeconds(30), "the queue to drain");
    }

    [Fact]
    public async Task Activity_FailsEveryAttempt_IsDeadLetteredThenOperatorRetryCompletesIt()
    {
        await App.StartAsync("poison-1", "test-fanout", new { shards = 10, failShard = 7 });
        await App.RaiseAsync("poison-1", "go", "go");

        var stuck = await Eventually.UntilAsync(() => App.InstanceAsync("poison-1"), n => n["deadLetters"]!.AsArray().Count == 1, TimeSpan.FromSeconds(60), "the failing shard to be dead-lettered");
        var deadLetter = stuck["deadLetters"]![0]!;
        Assert.Contains("Shard 7 is set to fail", (string?)deadLetter["error"]);
        Assert.Equal(3, (int)deadLetter["attempts"]!);
        Assert.Equal("s00007", (string?)deadLetter["shardKey"]);
        Assert.Equal("fanning", (string?)stuck["instance"]!["stage"]);
        Assert.Equal(9, (int)stuck["fanOuts"]![0]!["completed"]!);

        await App.RaiseAsync("poison-1", "heal", "heal");
        var (status, _) = await App.Admin.PostAsync($"/api/dev/instances/poison-1/dead-letters/{Uri.EscapeDataString((string)deadLetter["id"]!)}/retry");
        Assert.Equal(202, status);

        var done = await App.UntilStageAsync("poison-1", "done", TimeSpan.FromSeconds(60));
        Assert.Empty(done["deadLetters"]!.AsArray());
        Assert.Equal(EngineTestSupport.ExpectedSum(10), (long)done["instance"]!["data"]!["sum"]!);
    }

    [Fact]
    public async Task StepMessage_ForUnknownActivityOnACycle_ShowsOnTheCycle()
    {
        var (status, cycle) = await App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2027-spring", noticeDays = 5 });
        Assert.Equal(201, status);
        var id = (string)cycle!["id"]!;
        var storage = await fixture.StorageAsync();
        var queue = storage.Queues.GetQueueClient(storage.QueueName("steps"));
        await queue.SendMessageAsync(new StepMessage { Type = StepMessage.Activity, InstanceId = id, StepId = "9.ghost", Name = "ghost", Kind = "no.such.kind" }.ToJson());

        var shown = await Eventually.UntilAsync(() => App.Admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["deadLetters"]!.AsArray().Count == 1, TimeSpan.FromSeconds(30), "the dead letter on the cycle");
        var dead = shown.Body!["deadLetters"]![0]!;
        Assert.Equal("后台步骤“未知步骤（no.such.kind）”失败 1 次后已暂停，等待运维人员处理后重试。", (string?)dead["error"]);
        Assert.Contains("No activity of kind 'no.such.kind' is registered.", (string?)dead["technical"]);
        Assert.Contains("paused after 1 failed attempt(s)", (string?)dead["errorEn"]);
    }

    [Fact]
    public async Task StepMessage_UnreadableOnEveryDelivery_EndsInPoisonQueueAndDeadLetterTable()
    {
        var storage = await fixture.StorageAsync();
        var queue = storage.Queues.GetQueueClient(storage.QueueName("steps"));
        await queue.SendMessageAsync("this is not a step message");

        var deadLetters = storage.Table("deadletters");
        var rows = await Eventually.UntilAsync(
            async () =>
            {
                var list = new List<TableEntity>();
                await foreach (var e in deadLetters.QueryAsync<TableEntity>(x => x.PartitionKey == "_unreadable"))
                {
                    list.Add(e);
                }

                return list;
            },
            l => l.Count == 1,
            TimeSpan.FromSeconds(90),
            "the poison message to be dead-lettered");
        Assert.Contains("maxDequeueCount", rows[0].GetString("Error"));
    }
}

/// <summary>A transition committed but the process died before sending its outbox: the sweeper sends it.</summary>
public sealed class OutboxRepairTests
{
    [Fact]
    public async Task OutboxRow_LeftByACrashedTransition_IsSentByTheSweeper()
    {
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string> { ["EDURELIEF_OUTBOX_REPAIR_AFTER"] = "00:00:01" });
        await app.StartAsync("stranded", "test-versioned");
        var storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, app.Prefix, new RequestCounter());

        // Exactly what a transition writes before it sends: the outbox row, here carrying the event "next".
        var message = new StepMessage { Type = StepMessage.Event, InstanceId = "stranded", EventId = "repair-1", EventName = "next", Actor = "system" };
        await storage.Table("workflow").AddEntityAsync(new TableEntity("stranded", "o|repair-1") { ["Kind"] = "queue", ["Body"] = message.ToJson() });

        var moved = await app.UntilStageAsync("stranded", "v2-end", TimeSpan.FromSeconds(30));
        Assert.Equal(1, EngineTestSupport.CountEvents(moved, "next"));
        await Eventually.UntilAsync(
            async () => (await storage.Table("workflow").GetEntityIfExistsAsync<TableEntity>("stranded", "o|repair-1")).HasValue,
            exists => !exists,
            TimeSpan.FromSeconds(30),
            "the outbox row to be deleted after sending");
    }
}
