using EduRelief.Tests.Children;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau's pages of a child across semesters, on one generated spring and autumn verified once for them all:
/// 学生档案 finds the transferred children by status and opens one child's timeline (both semesters, the school it
/// moved from, its programs; the address holds nothing of the child but the opaque id the API gave); 两后生转介 lists
/// every referral, records one outcome in its row and the open filter leaves it out.
/// </summary>
[Collection("browser")]
public sealed class TwoSemestersConsoleTests(BrowserFixture browser, TwoSemestersFixture semesters) : IClassFixture<TwoSemestersFixture>
{
    private static readonly LocatorAssertionsToHaveCountOptions Counted = new() { Timeout = 30_000 };
    private readonly TwoSemestersFixture _semesters = semesters;

    [Fact]
    public async Task Children_TransferredFoundByStatus_TimelineShowsBothSemestersAndTheSchoolLeft()
    {
        var expected = _semesters.Generated.Changes.Transferred;
        Assert.True(expected > 0, $"{expected} transferred");
        await using var session = await browser.SignInAsync(_semesters.App, AppProcess.AdminKey, "/cycles/410726-2026-autumn/overview");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "学生档案" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "学生档案（410726）" })).ToBeVisibleAsync();
        await page.GetByLabel("查询方式").SelectOptionAsync("status");
        await page.GetByLabel("状态", new() { Exact = true }).SelectOptionAsync("transferred");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        var rows = page.Locator(".children-results tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected, Counted);

        var name = await rows.First.Locator("td").First.InnerTextAsync();
        await rows.First.GetByRole(AriaRole.Button, new() { Name = "查看档案" }).ClickAsync();
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Heading, new() { Name = $"{name} 的跨学期档案" })).ToBeVisibleAsync();
        var cycles = timeline.Locator("tbody tr");
        await Assertions.Expect(cycles).ToHaveCountAsync(2, Counted);
        await Assertions.Expect(cycles.First).ToContainTextAsync("410726-2026-spring");
        await Assertions.Expect(cycles.Nth(1)).ToContainTextAsync("410726-2026-autumn");
        await Assertions.Expect(cycles.Nth(1)).ToContainTextAsync("转入");
        await Screenshots.SaveAsync(page, "children-timeline");

        Assert.DoesNotMatch(@"\d{17}[\dXx]", page.Url);
        Assert.DoesNotContain("undefined", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task Referrals_FromTheCycleHeader_ListedThenAnOutcomeRecordedInItsRow()
    {
        var expected = _semesters.Generated.Changes.ReferralCandidates;
        Assert.True(expected > 1, $"{expected} referrals");
        await using var session = await browser.SignInAsync(_semesters.App, AppProcess.AdminKey, "/cycles/410726-2026-autumn/overview");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "两后生转介" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "两后生转介（410726）" })).ToBeVisibleAsync();
        var rows = page.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected, Counted);
        await Screenshots.SaveAsync(page, "referrals");

        var first = rows.First;
        var name = await first.Locator("td").First.InnerTextAsync();
        await first.GetByLabel("结果").SelectOptionAsync("training");
        await first.GetByLabel("日期").FillAsync("2026-08-28");
        await first.GetByLabel("备注").FillAsync("报名县人社局电工培训班");
        await first.GetByRole(AriaRole.Button, new() { Name = "登记" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"已登记 {name} 的转介结果")).ToBeVisibleAsync();
        var recorded = page.Locator("tbody tr").Filter(new() { HasText = "报名县人社局电工培训班" });
        await Assertions.Expect(recorded).ToContainTextAsync("已登记结果");
        await Assertions.Expect(recorded).ToContainTextAsync("参加技能培训（2026-08-28）");

        await page.GetByLabel("状态", new() { Exact = true }).SelectOptionAsync("open");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(expected - 1, Counted);
        Assert.Equal(0, await page.Locator("tbody tr").Filter(new() { HasText = "报名县人社局电工培训班" }).CountAsync());
        session.AssertNoErrors();
    }
}
