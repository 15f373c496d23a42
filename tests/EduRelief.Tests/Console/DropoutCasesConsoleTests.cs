using EduRelief.Tests.Children;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau opens the county's 控辍保学 board from the autumn cycle's header after a generated spring and autumn were
/// verified: every township with its chain and its villages, every case listed; it opens a case, writes this week's note
/// (the case moves to 劝返中 and leaves the board's "no note this week"), and a school officer reads their own cases only.
/// </summary>
[Collection("browser")]
public sealed class DropoutCasesConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveCountOptions Counted = new() { Timeout = 30_000 };
    private readonly TwoSemestersFixture _semesters = new();

    public Task InitializeAsync() => _semesters.InitializeAsync();

    public Task DisposeAsync() => _semesters.DisposeAsync();

    [Fact]
    public async Task Board_FromTheCycleHeader_ThenACaseGetsThisWeeksNote()
    {
        var (_, listed) = await _semesters.App.Admin.GetJsonAsync("/api/counties/410726/dropout-cases?pageSize=1000");
        var cases = listed!["items"]!.AsArray();
        Assert.True(cases.Count > 1, $"{cases.Count} cases");
        await using var session = await browser.SignInAsync(_semesters.App, AppProcess.AdminKey, "/cycles/410726-2026-autumn/overview");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "控辍保学", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "控辍保学（410726）" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=township]").First).ToContainTextAsync("乡镇长");
        var rows = page.Locator("section.panel").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "全部案件" }) }).Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(cases.Count, Counted);
        await Screenshots.SaveAsync(page, "dropout-board");

        var open = rows.Filter(new() { HasText = "未入学" }).First;
        var name = await open.Locator("td").First.InnerTextAsync();
        await open.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=chain]")).ToContainTextAsync("中心校校长");
        await page.GetByLabel("进展情况").FillAsync("入户走访，家长同意送返");
        await page.GetByRole(AriaRole.Button, new() { Name = "填写进展" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=case-status]")).ToContainTextAsync("劝返中");
        await Assertions.Expect(page.Locator("[data-testid=notes]")).ToContainTextAsync("入户走访，家长同意送返");
        await Screenshots.SaveAsync(page, "dropout-case");
        session.AssertNoErrors();

        // A school officer sees the cases of their own school only (the API's list, row for row).
        var school = cases.Select(c => (string?)c!["schoolCode"]).First(s => s is not null)!;
        var officerKey = await _semesters.App.KeyForRoleAsync("school_officer", school);
        using var officerApi = _semesters.App.CreateClient(officerKey);
        var (_, mine) = await officerApi.GetJsonAsync("/api/counties/410726/dropout-cases?pageSize=1000");
        var own = mine!["items"]!.AsArray();
        Assert.All(own, c => Assert.True((string?)c!["schoolCode"] == school || (string?)c["outcome"]?["schoolCode"] == school, c!.ToJsonString()));
        // Its own: the cases of children last at the school, and of those the autumn roster lists back at it.
        Assert.Equal(cases.Count(c => (string?)c!["schoolCode"] == school || (string?)c["outcome"]?["schoolCode"] == school), own.Count);
        await using var officer = await browser.SignInAsync(_semesters.App, officerKey, "/counties/410726/dropout-cases");
        var officerRows = officer.Page.Locator("section.panel").Filter(new() { Has = officer.Page.GetByRole(AriaRole.Heading, new() { Name = "全部案件" }) }).Locator("tbody tr");
        await Assertions.Expect(officerRows).ToHaveCountAsync(own.Count, Counted);
        officer.AssertNoErrors();
    }
}
