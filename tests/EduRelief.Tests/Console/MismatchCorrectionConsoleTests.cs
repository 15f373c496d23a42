using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// A name-mismatch item closed from the console as "corrected" (the roster's name was wrong, the student is the
/// registered child): accepting it puts the child's verified aid on the ledger, owed by the next 补发 batch. The sample's
/// 赵六 (registry) / 赵陆 (roster) is owed a living subsidy of 750.
/// </summary>
[Collection("browser")]
public sealed class MismatchCorrectionConsoleTests(BrowserFixture browser)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    [Fact]
    public async Task MismatchItem_SubmittedAsCorrectedInTheConsole_AcceptedItemOwesTheChildByBackPay()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin, mismatch: "reject");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray { Count: > 0 }, TimeSpan.FromSeconds(60), "the batches cut at the notice's end");
        var itemId = (string)(await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=mismatch")).Body!["items"]!.AsArray().Single()!["id"]!;

        await using var session = await browser.SignInAsync(app, AppProcess.AdminKey, $"/cycles/{id}/rectification/{itemId}");
        var page = session.Page;
        var corrected = page.GetByTestId("mismatch-corrected");
        await Assertions.Expect(corrected).ToBeVisibleAsync(Visible);
        // A 控辍保学 outcome is never offered on a mismatch item.
        Assert.Equal(0, await page.GetByLabel("控辍保学结果").CountAsync());
        await page.GetByLabel("佐证文件").SetInputFilesAsync(new FilePayload { Name = "姓名更正证明.pdf", MimeType = "application/pdf", Buffer = Rectification.EvidenceSamples.Pdf("姓名更正证明") });
        await page.GetByRole(AriaRole.Button, new() { Name = "上传", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "佐证材料" }).Filter(new() { HasText = "姓名更正证明.pdf" })).ToBeVisibleAsync(Visible);
        await corrected.CheckAsync();
        await page.GetByLabel("整改情况").FillAsync("学籍姓名已更正为赵六");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交验收" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=item-status]").Filter(new() { HasText = "已提交待验收" })).ToBeVisibleAsync(Visible);
        var submitted = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification/{itemId}")).Body!["item"]!;
        Assert.Equal("corrected", (string?)submitted["outcome"]);
        var facts = await page.Locator("dl.facts").InnerTextAsync();
        Assert.True(facts.Contains("已更正姓名，确为登记儿童", StringComparison.Ordinal), facts);

        await page.GetByRole(AriaRole.Button, new() { Name = "验收销号" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=item-status]").Filter(new() { HasText = "已销号" })).ToBeVisibleAsync(Visible);

        var item = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification/{itemId}")).Body!["item"]!;
        Assert.Equal(("accepted", "corrected"), ((string)item["status"]!, (string)item["outcome"]!));
        var ledger = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?program=living_subsidy")).Body!["items"]!.AsArray();
        var child = ledger.Single(l => (string?)l!["name"] == "赵六")!;
        Assert.Equal(("rectification", "pending", 750m), ((string)child["source"]!, (string)child["status"]!, (decimal)child["amount"]!));
        session.AssertNoErrors();
    }
}
