using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau opens the county's monthly reports from the cycle's header once September's report was made on the first
/// working day of October: the 巩固率 chart has the month, the list its figures, and the report its villages with
/// their certification.
/// </summary>
[Collection("browser")]
public sealed class DropoutReportsConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task DropoutReports_FromTheCycleHeader_ChartListAndVillagesOfTheMonth()
    {
        await using var app = await MailApp.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.App.Admin);
        await app.SetClockAsync("2026-10-08T09:00:00+08:00");
        Assert.Contains("1 monthly reports started", await app.FireAsync(), StringComparison.Ordinal);
        await Eventually.UntilAsync(() => app.App.Admin.GetJsonAsync("/api/counties/410726/dropout-reports/2026-09"), r => r.Status == 200, TimeSpan.FromSeconds(60), "September's report");

        await using var session = await browser.SignInAsync(app.App, AppProcess.AdminKey, $"/cycles/{id}/overview");
        var page = session.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "控辍保学月报", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "控辍保学月报（410726）" })).ToBeVisibleAsync();

        var chart = page.Locator("figure.chart-figure");
        await Assertions.Expect(chart).ToContainTextAsync("义务教育巩固率（按月）");
        await Assertions.Expect(chart.Locator(".bar-row")).ToHaveCountAsync(1);
        await Assertions.Expect(chart.Locator(".bar-row")).ToContainTextAsync("2026年9月");
        await Assertions.Expect(chart.Locator(".bar-row")).ToContainTextAsync("75.0%");
        var month = page.Locator("tr[data-month='2026-09']");
        await Assertions.Expect(month).ToContainTextAsync("3 / 4 个村");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2026年9月 月报：按乡镇、村" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr[data-township='全县合计']")).ToContainTextAsync("75.0%");
        await Assertions.Expect(page.Locator("tr[data-village='东屯镇/后屯村']")).ToContainTextAsync("有未入学儿童");
        var village = page.Locator("tr[data-village='城关镇/东关村']");
        await Assertions.Expect(village).ToContainTextAsync("有保障");
        await Screenshots.SaveAsync(page, "dropout-reports");
        session.AssertNoErrors();
    }
}
