using EduRelief.Tests.Children;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau opens the county's 两后生 page from the autumn cycle's header after a generated spring and autumn were
/// verified: every referral is listed; it records one outcome in its row and the row shows it, closed; the open filter
/// leaves it out.
/// </summary>
[Collection("browser")]
public sealed class ReferralsConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveCountOptions Counted = new() { Timeout = 30_000 };
    private readonly TwoSemestersFixture _semesters = new();

    public Task InitializeAsync() => _semesters.InitializeAsync();

    public Task DisposeAsync() => _semesters.DisposeAsync();

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
