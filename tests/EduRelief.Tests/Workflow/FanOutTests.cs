using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Workflow;

/// <summary>The engine's fan-out/fan-in under a crash and under two competing instances.</summary>
public sealed class FanOutTests
{
    private const int Shards = 200;

    [Fact]
    public async Task FanOut_ProcessKilledMidway_CompletesAfterRestartWithEveryShardCountedOnce()
    {
        var prefix = Repo.NewPrefix();
        var first = await AppProcess.StartAsync(prefix);
        int completedAtKill;
        try
        {
            await first.StartAsync("crash-1", "test-fanout", new { shards = Shards, delayMs = 100 });
            await first.RaiseAsync("crash-1", "go-1", "go");
            var seen = await Eventually.UntilAsync(
                () => first.InstanceAsync("crash-1"),
                n => n["fanOuts"]!.AsArray().Count == 1 && (int)n["fanOuts"]![0]!["completed"]! >= 20,
                TimeSpan.FromSeconds(60),
                "some shards to complete");
            completedAtKill = (int)seen["fanOuts"]![0]!["completed"]!;
            first.Kill();
        }
        finally
        {
            await first.DisposeAsync();
        }

        Assert.InRange(completedAtKill, 20, Shards - 1);
        await using var second = await AppProcess.StartAsync(prefix);
        var done = await second.UntilStageAsync("crash-1", "done", TimeSpan.FromSeconds(120));

        Assert.Equal(EngineTestSupport.ExpectedSum(Shards), (long)done["instance"]!["data"]!["sum"]!);
        Assert.Equal(Shards, (int)done["instance"]!["data"]!["count"]!);
        Assert.Equal(Shards, (int)done["fanOuts"]![0]!["completed"]!);
        Assert.Equal(1, EngineTestSupport.CountEvents(done, "work.completed"));
        Assert.Equal(1, EngineTestSupport.CountEvents(done, "sum.completed"));
        var (runs, shardsRun) = await second.TestRunsAsync("crash-1");
        Assert.Equal(Shards, shardsRun);
        Assert.True(runs >= Shards, $"every shard ran at least once ({runs} runs)");
    }

    [Fact]
    public async Task FanOut_TwoInstancesOnOneStorage_EachShardRunsOnceUnlessRedeliveredAndFanInFiresOnce()
    {
        var prefix = Repo.NewPrefix();
        await using var a = await AppProcess.StartAsync(prefix);
        await using var b = await AppProcess.StartAsync(prefix);
        await a.StartAsync("pair-1", "test-fanout", new { shards = Shards, delayMs = 20 });
        await b.RaiseAsync("pair-1", "go-1", "go");

        var done = await a.UntilStageAsync("pair-1", "done", TimeSpan.FromSeconds(120));

        Assert.Equal(EngineTestSupport.ExpectedSum(Shards), (long)done["instance"]!["data"]!["sum"]!);
        Assert.Equal(Shards, (int)done["fanOuts"]![0]!["completed"]!);
        Assert.Equal(1, EngineTestSupport.CountEvents(done, "work.completed"));
        var (runs, shardsRun) = await a.TestRunsAsync("pair-1");
        Assert.Equal(Shards, shardsRun);
        // Queues deliver at least once: a shard runs a second time only when a delivery's lease lapsed or an
        // invocation failed, and each such event is logged. Without them every shard ran exactly once.
        var redeliveries = Redeliveries(a.Output) + Redeliveries(b.Output);
        Assert.True(runs >= Shards && runs - Shards <= redeliveries, $"{runs} runs for {Shards} shards with {redeliveries} logged redeliveries");
        Assert.Empty(done["deadLetters"]!.AsArray());
    }

    private static readonly string[] RedeliveryLogs = ["lost its lease", "renewing the lease", "failed after", "settling message", "retrying in"];

    private static int Redeliveries(string output) =>
        output.Split('\n').Count(line => RedeliveryLogs.Any(text => line.Contains(text, StringComparison.Ordinal)));
}
