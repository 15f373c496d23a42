using System.Text;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau uploads the 外地就学 list on the rosters tab while the cycle is in review: a list with a bad ID number is
/// refused with its row named, the corrected list re-runs verification, and the child the sample counted as not
/// enrolled (郑十, 10) is now listed as studying outside the county, in the figures and the discrepancy filter.
/// </summary>
[Collection("browser")]
public sealed class OutsideListConsoleTests(BrowserFixture browser)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };
    private static readonly string[] Header = ["姓名", "身份证号", "就读省市", "就读学校", "学段", "年级"];

    [Fact]
    public async Task OutsideList_BadRowRefusedThenCorrectedList_ReverifiesAndListsTheChildAsStudyingOutside()
    {
        await using var app = await AppProcess.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.Admin, mismatch: "confirm");
        await using var session = await browser.SignInAsync(app, AppProcess.AdminKey, $"/cycles/{id}/rosters");
        var page = session.Page;
        var outside = page.Locator(".roster-panel[data-kind=outside]");
        await Assertions.Expect(outside.Locator(".roster-current")).ToHaveTextAsync("尚未上传。", new() { Timeout = 30_000 });

        var bad = SampleCounty.Csv(Header, [["郑十", SampleCounty.BadCheck(SampleCounty.I), "浙江省杭州市", "杭州市文三街小学", "小学", "4"]], Encoding.UTF8);
        await outside.GetByLabel("选择外地就学名单文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "外地就学.csv", MimeType = "text/csv", Buffer = bad });
        await outside.GetByRole(AriaRole.Button, new() { Name = "上传外地就学名单" }).ClickAsync();
        var errors = outside.GetByRole(AriaRole.Region, new() { Name = "外地就学名单文件中的错误" });
        await Assertions.Expect(errors.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(errors.Locator("tbody tr td").First).ToHaveTextAsync("第 2 行");
        await Assertions.Expect(errors.Locator("tbody tr td").Nth(1)).ToContainTextAsync("身份证号");
        await Assertions.Expect(outside.Locator(".roster-current")).ToHaveTextAsync("尚未上传。");

        var good = SampleCounty.Csv(Header, [["郑十", SampleCounty.I, "浙江省杭州市", "杭州市文三街小学", "小学", "4"]], Encoding.UTF8);
        await outside.GetByLabel("选择外地就学名单文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "外地就学.csv", MimeType = "text/csv", Buffer = good });
        await outside.GetByRole(AriaRole.Button, new() { Name = "上传外地就学名单" }).ClickAsync();
        await Assertions.Expect(outside.Locator(".upload-outcome")).ToContainTextAsync("已接收：1 行，CSV 格式。", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".roster-status")).ToContainTextAsync("核验已完成", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".cycle-meta")).ToContainTextAsync("待审核");
        await Assertions.Expect(outside.Locator(".roster-current")).ToContainTextAsync("外地就学.csv");
        await Screenshots.SaveAsync(page, "rosters-outside");

        // The rosters page can show the previous run's "done" for a moment: the overview is opened once the new run is.
        await Eventually.UntilAsync(
            async () => ((await app.Admin.GetJsonAsync($"/api/cycles/{id}")).Body, (await app.Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=outsideCounty")).Body),
            r => (string?)r.Item1?["stage"] == "review" && r.Item2?["items"]?.AsArray().Count == 1, TimeSpan.FromSeconds(60), "the re-verification with the 外地就学 list");
        await page.GetByRole(AriaRole.Link, new() { Name = "概况" }).ClickAsync();
        await Assertions.Expect(page.Locator(".chart-figure").Filter(new() { HasText = "核验人数" }).Locator("table")).ToContainTextAsync("外地就学1", new() { Timeout = 30_000 });

        await page.GetByRole(AriaRole.Link, new() { Name = "核验与审核" }).ClickAsync();
        await page.GetByLabel("问题类型", new() { Exact = true }).SelectOptionAsync("outsideCounty");
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        var row = page.Locator("tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToContainTextAsync("杭州市文三街小学");
        await Assertions.Expect(row).ToContainTextAsync("浙江省杭州市 · 小学 · 4 年级");
        await Assertions.Expect(row).ToContainTextAsync("外地就学名单");
        await Assertions.Expect(row).ToContainTextAsync("外地就学：郑十");
        await Assertions.Expect(page.Locator(".approve-period")).ToContainTextAsync("个工作日");
        Assert.DoesNotContain("null", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.I, await page.ContentAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "review-outside");
        session.AssertNoErrorsExcept($"400 PUT /api/cycles/{id}/rosters/outside");
    }
}
