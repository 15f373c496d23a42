using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.TestHost;

/// <summary>
/// Workflows that exist only to prove the engine (the test host registers them, Development only):
/// a fan-out whose shards can be slowed or made to fail, a long timer, and one definition in two versions.
/// </summary>
public sealed class FanOutTestWorkflow : WorkflowDefinition
{
    public override string Name => "test-fanout";

    public override int Version => 1;

    public override string InitialStage => "ready";

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { "done" };

    public override IReadOnlyList<Transition> Transitions { get; } =
    [
        new("ready", "go", "fanning", Effects: ctx =>
        {
            var shards = (int?)ctx.Data["shards"] ?? 10;
            return [new FanOut("work", TestShardActivity.KindName, Enumerable.Range(0, shards).Select(i => $"s{i:D5}").ToList(), new JsonObject
            {
                ["delayMs"] = (int?)ctx.Data["delayMs"] ?? 0,
                ["failShard"] = (int?)ctx.Data["failShard"] ?? -1,
            })];
        }),
        new("fanning", "heal", null, Effects: ctx =>
        {
            ctx.Data["healed"] = true;
            return [];
        }),
        new("fanning", "work.completed", "summing", Effects: ctx => [new RunActivity("sum", TestSumActivity.KindName, new JsonObject
        {
            ["fanOutId"] = (string?)ctx.Event.Payload?["fanOutId"],
            ["sumDelayMs"] = (int?)ctx.Data["sumDelayMs"] ?? 0,
        })]),
        new("summing", "sum.completed", "done", Effects: ctx =>
        {
            ctx.Data["sum"] = (long?)ctx.Event.Payload?["sum"];
            ctx.Data["count"] = (int?)ctx.Event.Payload?["count"];
            return [];
        }),
    ];
}

public sealed class TimerTestWorkflow : WorkflowDefinition
{
    public override string Name => "test-timer";

    public override int Version => 1;

    public override string InitialStage => "waiting";

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { "woke" };

    public override IEnumerable<Effect> OnStart(TransitionContext context) =>
        [new StartTimer("wake", context.Now.AddDays((double?)context.Data["days"] ?? 30), "wake")];

    public override IReadOnlyList<Transition> Transitions { get; } = [new("waiting", "wake", "woke")];
}

/// <summary>The same workflow name in two versions: "next" leads to a different stage in each.</summary>
public sealed class VersionedTestWorkflow(int version) : WorkflowDefinition
{
    public override string Name => "test-versioned";

    public override int Version => version;

    public override string InitialStage => "start";

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { "v1-end", "v2-end" };

    public override IReadOnlyList<Transition> Transitions => [new("start", "next", $"v{version}-end")];
}

/// <summary>Returns index + 1 so the fan-in's sum proves each shard counted once; records every run to show retries happened.</summary>
public sealed class TestShardActivity(StorageAccount storage, WorkflowEngine engine) : IActivity
{
    /// <summary>Every run of a shard, one row each; the test host creates it (the app does not declare it).</summary>
    public const string RunsTable = "testruns";

    public const string KindName = "test.shard";

    public string Kind => KindName;

    public RetryPolicy Retry { get; } = new(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runs = storage.Table(RunsTable);
        await runs.AddEntityAsync(new TableEntity(context.InstanceId, $"{context.ShardIndex:D6}-{Guid.NewGuid():N}"), cancellationToken);
        var delay = (int?)context.Input?["delayMs"] ?? 0;
        if (delay > 0)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (context.ShardIndex == ((int?)context.Input?["failShard"] ?? -1))
        {
            var instance = await engine.GetAsync(context.InstanceId, cancellationToken);
            if (instance?.Data["healed"] is null)
            {
                throw new InvalidOperationException($"Shard {context.ShardIndex} is set to fail until the instance is healed.");
            }
        }

        return new JsonObject { ["value"] = context.ShardIndex!.Value + 1 };
    }
}

/// <summary>
/// Sums the completion rows of a fan-out. Each run is recorded (partition <c>{instance}-sum</c> of
/// <see cref="TestShardActivity.RunsTable"/>, with its step id), after which it waits <c>sumDelayMs</c>: long enough
/// for a test to deliver a copy of the step while it runs.
/// </summary>
public sealed class TestSumActivity(WorkflowTables tables, StorageAccount storage) : IActivity
{
    public const string KindName = "test.sum";

    public string Kind => KindName;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        await storage.Table(TestShardActivity.RunsTable).AddEntityAsync(
            new TableEntity($"{context.InstanceId}-sum", Guid.NewGuid().ToString("N")) { ["StepId"] = context.StepId }, cancellationToken);
        if ((int?)context.Input?["sumDelayMs"] is int delay && delay > 0)
        {
            await Task.Delay(delay, cancellationToken);
        }

        var fanOutId = (string?)context.Input?["fanOutId"];
        var prefix = $"d|{fanOutId}|";
        long sum = 0;
        var count = 0;
        await foreach (var row in tables.Instances.QueryAsync<TableEntity>(
            e => e.PartitionKey == context.InstanceId && e.RowKey.CompareTo(prefix) >= 0 && e.RowKey.CompareTo(prefix + "~") < 0, cancellationToken: cancellationToken))
        {
            sum += (long?)JsonNode.Parse(row.GetString("Result") ?? "{}")?["value"] ?? 0;
            count++;
        }

        return new JsonObject { ["sum"] = sum, ["count"] = count };
    }
}
