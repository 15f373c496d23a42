using System.Text.Json.Nodes;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Observability;

/// <summary>The EduRelief meter as the app records it, read through the development metrics route.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private AppProcess _app = null!;

    public async Task InitializeAsync() => _app = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task StepMetrics_ShardFailsEveryAttempt_CountsRunsRetriesAndTheDeadLetter()
    {
        await _app.StartAsync("metrics-1", "test-fanout", new { shards = 10, failShard = 7 });
        await _app.RaiseAsync("metrics-1", "go-1", "go");
        await Eventually.UntilAsync(() => _app.InstanceAsync("metrics-1"), n => n["deadLetters"]!.AsArray().Count == 1, TimeSpan.FromSeconds(60), "the failing shard to be dead-lettered");

        var meters = await MetersAsync();

        Assert.True(Value(meters, "steps.run", ("kind", "test.shard"), ("outcome", "succeeded")) >= 9);
        Assert.True(Value(meters, "steps.run", ("kind", "test.shard"), ("outcome", "failed")) >= 3);
        Assert.True(Value(meters, "steps.retried", ("kind", "test.shard")) >= 2);
        Assert.True(Value(meters, "steps.deadlettered", ("kind", "test.shard")) >= 1);
        Assert.Null(Find(meters, "steps.deadlettered", ("kind", "test.sum")));
        var age = await Eventually.UntilAsync(MetersAsync, m => Find(m, "queue.steps.age") is not null, TimeSpan.FromSeconds(30), "the queue age gauge");
        Assert.True(Value(age, "queue.steps.age") >= 0);
    }

    [Fact]
    public async Task OverdueGauge_InquiryPastItsDeadline_CountsOneHotlineItem()
    {
        await _app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
        var (created, _) = await HotlineWebhook.PostAsync(_app, HotlineWebhook.Case("metrics-overdue-1", "inquiry"));
        Assert.Equal(201, created);
        await Eventually.UntilAsync(MetersAsync, m => Find(m, "items.overdue", ("source", "hotline")) is not null, TimeSpan.FromSeconds(30), "the overdue gauge");
        Assert.Equal(0, Value(await MetersAsync(), "items.overdue", ("source", "hotline")));

        // Received Friday 10-09, due at the end of Monday 10-12; the gauge's cache runs on the app's clock.
        await _app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T08:00:00+08:00" });

        await Eventually.UntilAsync(MetersAsync, m => Find(m, "items.overdue", ("source", "hotline")) == 1, TimeSpan.FromSeconds(30), "one overdue hotline case");
        Assert.Equal(0, Value(await MetersAsync(), "items.overdue", ("source", "rectification")));
    }

    private async Task<JsonNode> MetersAsync()
    {
        var (status, body) = await _app.Admin.GetJsonAsync("/api/dev/metrics");
        Assert.Equal(200, status);
        return body!["meters"]!;
    }

    private static double Value(JsonNode meters, string name, params (string Key, string Value)[] tags) =>
        Find(meters, name, tags) ?? throw new Xunit.Sdk.XunitException($"{name} {string.Join(',', tags)} was not recorded: {meters.ToJsonString()}");

    private static double? Find(JsonNode meters, string name, params (string Key, string Value)[] tags) =>
        meters[name] is JsonArray points
            ? points.Where(p => tags.All(t => (string?)p!["tags"]![t.Key] == t.Value)).Select(p => (double?)p!["value"]).FirstOrDefault()
            : null;
}
