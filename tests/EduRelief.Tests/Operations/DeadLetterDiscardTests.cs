using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Operations;

public sealed class DiscardFixture : IAsyncLifetime
{
    private int _semester;

    public AppProcess App { get; private set; } = null!;

    public StorageAccount Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await AppProcess.StartAsync();
        Storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, App.Prefix, new RequestCounter());
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A fresh cycle with one step dead-lettered (an activity kind no handler knows); answers the cycle and dead letter ids.</summary>
    public async Task<(string CycleId, string DeadLetterId)> CycleWithDeadLetterAsync()
    {
        var n = Interlocked.Increment(ref _semester) - 1;
        var (status, cycle) = await App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = $"{2050 + n}-spring", noticeDays = 5 });
        Assert.Equal(201, status);
        var id = (string)cycle!["id"]!;
        var queue = Storage.Queues.GetQueueClient(Storage.QueueName("steps"));
        await queue.SendMessageAsync(new StepMessage { Type = StepMessage.Activity, InstanceId = id, StepId = "9.ghost", Name = "ghost", Kind = "no.such.kind" }.ToJson());
        var shown = await Eventually.UntilAsync(() => App.Admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["deadLetters"]!.AsArray().Count == 1, TimeSpan.FromSeconds(30), "the dead letter on the cycle");
        return (id, (string)shown.Body!["deadLetters"]![0]!["id"]!);
    }
}

/// <summary>DELETE /api/cycles/{id}/dead-letters/{deadLetterId}: an operator gives up on a step, with a reason kept.</summary>
public sealed class DeadLetterDiscardTests(DiscardFixture fixture) : IClassFixture<DiscardFixture>
{
    private AppProcess App => fixture.App;

    [Fact]
    public async Task Discard_WithReason_LeavesTheCycleAndIsRecorded()
    {
        var (id, deadLetterId) = await fixture.CycleWithDeadLetterAsync();
        var url = $"/api/cycles/{id}/dead-letters/{Uri.EscapeDataString(deadLetterId)}";

        var (status, body) = await App.Admin.SendJsonAsync(HttpMethod.Delete, url, new { reason = "已人工核对，无需重跑" });

        Assert.Equal(200, status);
        Assert.Equal(deadLetterId, (string?)body!["deadLetterId"]);
        Assert.Equal("已人工核对，无需重跑", (string?)body["reason"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", (string?)body["discardedAt"]);
        Assert.Empty((await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["deadLetters"]!.AsArray());
        var record = (await fixture.Storage.Table("discards").GetEntityAsync<TableEntity>(id, deadLetterId)).Value;
        Assert.Equal("已人工核对，无需重跑", record.GetString("Reason"));
        Assert.Contains("no.such.kind", record.GetString("Error"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(record.GetString("DiscardedBy")));
        Assert.Equal(404, (await App.Admin.SendJsonAsync(HttpMethod.Delete, url, new { reason = "again" })).Status);
    }

    [Fact]
    public async Task Discard_WithoutReason_Is400NamingReasonAndStaysDeadLettered()
    {
        var (id, deadLetterId) = await fixture.CycleWithDeadLetterAsync();

        var (status, body) = await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/cycles/{id}/dead-letters/{Uri.EscapeDataString(deadLetterId)}", new { reason = "  " });

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]!["reason"]);
        Assert.Single((await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["deadLetters"]!.AsArray());
        Assert.False((await fixture.Storage.Table("discards").GetEntityIfExistsAsync<TableEntity>(id, deadLetterId)).HasValue);
    }

    [Fact]
    public async Task Discard_ByInspector_IsForbidden()
    {
        var (id, deadLetterId) = await fixture.CycleWithDeadLetterAsync();
        var inspector = await App.ClientForRoleAsync("inspector");

        var (status, _) = await inspector.SendJsonAsync(HttpMethod.Delete, $"/api/cycles/{id}/dead-letters/{Uri.EscapeDataString(deadLetterId)}", new { reason = "不需要" });

        Assert.Equal(403, status);
        Assert.Single((await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["deadLetters"]!.AsArray());
    }
}
