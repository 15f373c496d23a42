using EduRelief.Tests.Cycles;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Rectification;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>The overview of a cycle in rectification says what keeps it from closing, hotline cases included, and closes it.</summary>
[Collection("browser")]
public sealed class ClosingConsoleTests(BrowserFixture browser, RectificationFixture fixture) : IClassFixture<RectificationFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    [Fact]
    public async Task Overview_OpenHotlineCase_IsShownAsWhatBlocksClosing_ThenTheBureauCloses()
    {
        var app = fixture.App;
        var id = await fixture.CycleReadyToCloseAsync();
        var (posted, created) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case("console-closing-1", "complaint", new { cycleId = id }));
        Assert.Equal(201, posted);
        var number = (string)created!["caseNumber"]!;

        await using var session = await browser.SignInAsync(app, AppProcess.AdminKey, $"/cycles/{id}/overview");
        var page = session.Page;
        var blockers = page.Locator("ul.closing-blockers");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "结束本周期还需" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(blockers.Locator("li[data-kind='cases']")).ToHaveTextAsync("1 件热线工单尚未办结。");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "结束本周期" }).CountAsync());

        // The case is handled to the end; the overview then offers the close.
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/hotline/cases/{number}/assign", new { assignee = "section:资助股" })).Status);
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/hotline/cases/{number}/reply", new { reply = "已核实并说明政策。" })).Status);
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/hotline/cases/{number}/satisfaction", new { satisfaction = "satisfied" })).Status);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("已满足结束条件", new() { Exact = false })).ToBeVisibleAsync(Visible);
        await page.GetByRole(AriaRole.Button, new() { Name = "结束本周期" }).ClickAsync();

        await Eventually.UntilAsync(() => fixture.StageAsync(id), s => s == "closed", TimeSpan.FromSeconds(30), "the cycle to close");
        session.AssertNoErrors();
    }
}
