using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;
using static EduRelief.Tests.Console.PaymentsConsoleTests;

namespace EduRelief.Tests.Console;

/// <summary>
/// The payments tab's lists of children (issue 13 item 5) in Chromium, on a cycle of its own (a refused payment would
/// change what the other money tests cut): the bureau's failed children with the bank's reason and each batch's counts,
/// and a school officer's own school only.
/// </summary>
[Collection("browser")]
public sealed class PaymentStatusConsoleTests(BrowserFixture browser, MoneyConsoleFixture fixture) : IClassFixture<MoneyConsoleFixture>
{
    private string CycleId => fixture.CycleId;

    [Fact]
    public async Task Payments_BankRefusesOne_BureauSeesFailedChildWithReasonAndBatchCounts_OfficerOnlyOwnSchool()
    {
        // The bank refuses 吴九's preschool aid (城关镇中心幼儿园): a failure, no exception.
        var (_, batches) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/batches");
        var preschool = (string)batches!["items"]!.AsArray().Single(b => (string?)b!["program"] == "preschool_aid")!["id"]!;
        var item = (await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/batches/{preschool}/items")).Body!["items"]![0]!;
        var (uploaded, _) = await Disbursement.DisbursementApiTests.UploadResultAsync(
            fixture.App.Admin, $"/api/cycles/{CycleId}/batches/{preschool}/result", BankResultCsv([((string)item["sequence"]!.ToJsonString(), SampleCounty.H, "500.00", false)]));
        Assert.Equal(202, uploaded);

        // The bureau: the failed child with the bank's reason and the school's name, and the batch's paid/failed counts.
        await using (var admin = await browser.SignInAsync(fixture.App, AppProcess.AdminKey, $"/cycles/{CycleId}/payments"))
        {
            var trouble = admin.Page.GetByRole(AriaRole.Table, new() { Name = "发放失败与待核实的学生" });
            await Expect(trouble);
            var failed = await trouble.GetByRole(AriaRole.Row).Filter(new() { HasText = "吴九" }).InnerTextAsync();
            Assert.Contains("发放失败", failed);
            Assert.Contains("账户已销户", failed);
            Assert.Contains("城关镇中心幼儿园", failed);
            Assert.Contains("学前资助", failed);
            Assert.DoesNotContain("4107260005", failed);
            Assert.DoesNotContain(SampleCounty.H, await admin.Page.Locator("main").InnerTextAsync());
            var batchRow = await admin.Page.GetByRole(AriaRole.Table, new() { Name = "发放批次" }).GetByRole(AriaRole.Row).Filter(new() { HasText = preschool }).InnerTextAsync();
            Assert.Contains("¥500.00\t0\t1\t", batchRow); // 成功笔数 0, 失败笔数 1
            var header = await admin.Page.GetByRole(AriaRole.Table, new() { Name = "发放批次" }).GetByRole(AriaRole.Row).First.InnerTextAsync();
            Assert.Contains("成功笔数", header);
            Assert.Contains("失败笔数", header);
            admin.AssertNoErrorsExcept();
        }

        // A school officer: the tab is offered, with their own school's children only, and no batch of the county.
        await using var session = await browser.SignInAsync(fixture.App, fixture.OfficerKey, $"/cycles/{CycleId}/payments");
        var page = session.Page;
        var own = page.GetByRole(AriaRole.Table, new() { Name = "本校学生发放情况" });
        await Expect(own);
        Assert.Equal(1, await page.GetByRole(AriaRole.Link, new() { Name = "发放与对账" }).CountAsync());
        var ownText = await own.InnerTextAsync();
        Assert.Contains("张三", ownText);
        Assert.Contains("城关镇第一小学", ownText);
        Assert.Contains("********", ownText);
        foreach (var other in new[] { "李四", "赵六", "吴九", "阿依古丽", SampleCounty.A })
        {
            Assert.DoesNotContain(other, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await page.GetByRole(AriaRole.Table, new() { Name = "发放批次" }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Heading, new() { Name = "生成发放批次" }).CountAsync());
        await Screenshots.SaveAsync(page, "payments-officer");
        session.AssertNoErrorsExcept();
    }
}
