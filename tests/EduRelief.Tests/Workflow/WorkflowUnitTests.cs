using System.Text.Json.Nodes;
using EduRelief.Dev;
using EduRelief.Hosting;
using EduRelief.TestHost;
using EduRelief.Workflow;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EduRelief.Tests.Workflow;

public sealed class WorkflowUnitTests
{
    private sealed class BrokenDefinition(IReadOnlyList<Transition> transitions) : WorkflowDefinition
    {
        public override string Name => "broken";

        public override int Version => 1;

        public override string InitialStage => "a";

        public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { "end" };

        public override IReadOnlyList<Transition> Transitions => transitions;
    }

    [Fact]
    public void Definition_TwoTransitionsForOneStageAndEvent_IsRejected()
    {
        var d = new BrokenDefinition([new("a", "go", "b"), new("a", "go", "c")]);
        Assert.Throws<InvalidOperationException>(() => d.Find("a", "go"));
    }

    [Fact]
    public void Definition_TransitionOutOfTerminalStage_IsRejected()
    {
        var d = new BrokenDefinition([new("end", "go", "a")]);
        Assert.Throws<InvalidOperationException>(() => d.Find("end", "go"));
    }

    [Fact]
    public void Registry_TwoVersions_StartsNewInstancesOnTheLatestAndKeepsBoth()
    {
        var registry = new WorkflowRegistry([new VersionedTestWorkflow(1), new VersionedTestWorkflow(2)]);

        Assert.Equal(2, registry.Latest("test-versioned")!.Version);
        Assert.Equal("v1-end", registry.Get("test-versioned", 1)!.Find("start", "next")!.To);
        Assert.Null(registry.Get("test-versioned", 3));
        Assert.Throws<InvalidOperationException>(() => new WorkflowRegistry([new VersionedTestWorkflow(1), new VersionedTestWorkflow(1)]));
    }

    [Fact]
    public void RetryPolicy_Backoff_DoublesUpToTheMaximum()
    {
        var p = new RetryPolicy(6, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(2), p.DelayBefore(2));
        Assert.Equal(TimeSpan.FromSeconds(4), p.DelayBefore(3));
        Assert.Equal(TimeSpan.FromSeconds(8), p.DelayBefore(4));
        Assert.Equal(TimeSpan.FromSeconds(10), p.DelayBefore(5));
        Assert.Equal(TimeSpan.FromSeconds(10), p.DelayBefore(6));
    }

    [Theory]
    [InlineData("caller-42", "caller-42")]
    [InlineData("a/b", null)]
    [InlineData("q?x", null)]
    [InlineData("x#1", null)]
    public void Keys_Safe_KeepsPlainIdsAndHashesForbiddenCharacters(string id, string? expected)
    {
        var safe = Keys.Safe(id);
        if (expected is not null)
        {
            Assert.Equal(expected, safe);
        }
        else
        {
            Assert.StartsWith("~", safe);
            Assert.Equal(65, safe.Length);
            Assert.Equal(safe, Keys.Safe(id));
        }
    }

    [Fact]
    public void StepMessage_RoundTrips()
    {
        var m = new StepMessage { Type = StepMessage.Shard, InstanceId = "i", StepId = "3.work", Name = "work", Kind = "k", ShardIndex = 4, ShardKey = "s4", Input = new JsonObject { ["a"] = 1 }, Attempt = 2 };
        var back = StepMessage.Parse(m.ToJson());

        Assert.Equal(m.StepId, back.StepId);
        Assert.Equal(4, back.ShardIndex);
        Assert.Equal(2, back.Attempt);
        Assert.Equal(1, (int)back.Input!["a"]!);
        Assert.Equal("3.work#4", back.DeadLetterKey);
    }

    [Fact]
    public void DevClock_SetThenAdvance_RunsOnFromTheSetTime()
    {
        var real = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var clock = new DevClock(real);
        var target = new DateTimeOffset(2026, 9, 29, 10, 0, 0, TimeSpan.FromHours(8));

        Assert.Equal(target, clock.SetTo(target));
        real.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(target.AddMinutes(3), clock.GetUtcNow());
        Assert.Equal(target.AddDays(5).AddMinutes(3), clock.Advance(TimeSpan.FromDays(5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void ChinaTime_Format_UsesPlus8AndWholeSeconds()
    {
        var utc = new DateTimeOffset(2026, 10, 12, 15, 59, 59, 789, TimeSpan.Zero);
        Assert.Equal("2026-10-12T23:59:59+08:00", ChinaTime.Format(utc));
    }

    [Fact]
    public void InvocationRequest_QueuePayload_ReadsTextAndDequeueCount()
    {
        var json = """{"Data":{"message":"{\"type\":\"event\"}"},"Metadata":{"DequeueCount":3,"Id":"abc"}}""";
        var request = System.Text.Json.JsonSerializer.Deserialize<InvocationRequest>(json)!;

        Assert.Equal("{\"type\":\"event\"}", request.Text("message"));
        Assert.Equal(3, request.DequeueCount);
        Assert.Null(request.Text("other"));
    }
}
