using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>Seen signatures are kept while a replay could still arrive inside the window, and deleted after.</summary>
public sealed class SignatureCleanupTests
{
    [Fact]
    public async Task Webhook_HoursAfterADelivery_DeletesTheSignatureRowsOfHoursOutsideTheWindow()
    {
        await using var app = await AppProcess.StartAsync();
        var storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, app.Prefix, new RequestCounter());
        var signatures = storage.Table("hotlinesignatures");
        async Task<List<string>> HoursAsync() =>
            await signatures.QueryAsync<TableEntity>(select: ["PartitionKey"]).Select(e => e.PartitionKey).ToListAsync();

        await app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
        Assert.Equal(201, (await HotlineWebhook.PostAsync(app, HotlineWebhook.Case("cleanup-1", "inquiry"))).Status);
        Assert.Equal(201, (await HotlineWebhook.PostAsync(app, HotlineWebhook.Case("cleanup-2", "inquiry"))).Status);
        var before = await HoursAsync();
        Assert.Equal(2, before.Count);

        await app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T13:00:00+08:00" });
        Assert.Equal(201, (await HotlineWebhook.PostAsync(app, HotlineWebhook.Case("cleanup-3", "inquiry"))).Status);

        var after = await HoursAsync();
        Assert.Single(after);
        Assert.DoesNotContain(before[0], after);
    }
}
