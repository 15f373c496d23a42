using EduRelief.Tests.Children;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau opens 学生档案 from the autumn cycle's header after a generated spring and autumn were verified, finds the
/// transferred children by status, and opens one child's timeline: both semesters, the school it moved from, and its
/// programs; the address never holds anything of the child but the opaque id the API gave.
/// </summary>
[Collection("browser")]
public sealed class ChildrenConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveCountOptions Counted = new() { Timeout = 30_000 };
    private readonly TwoSemestersFixture _semesters = new();

    public Task InitializeAsync() => _semesters.InitializeAsync();

    public Task DisposeAsync() => _semesters.DisposeAsync();

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
}
