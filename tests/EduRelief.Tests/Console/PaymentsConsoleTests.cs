using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// One app with the sample county's cycle driven through the API past its notice (the dev clock): the end of the notice
/// cut a batch per program, and the tests use the console as people would.
/// </summary>
public sealed class MoneyConsoleFixture : IAsyncLifetime
{
    public const string School = "4107260001";

    public AppProcess App { get; private set; } = null!;

    public string CycleId { get; private set; } = "";

    public string OfficerKey { get; private set; } = "";

    public string InspectorKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        App = await AppProcess.StartAsync();
        var admin = App.Admin;
        CycleId = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{CycleId}/approve")).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T09:00:00+08:00" });
        await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/cycles/{CycleId}"),
            r => (string?)r.Body!["stage"] == "disbursement" && r.Body["disbursement"]?["batches"] is JsonArray { Count: > 0 },
            TimeSpan.FromSeconds(90), "the notice to end and the batches to be cut");
        OfficerKey = await ConsoleUsers.KeyAsync(App, "school_officer", School);
        InspectorKey = await ConsoleUsers.KeyAsync(App, "inspector", null);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The payments, rectification and downloads tabs, driven in Chromium by the bureau, a school officer and an inspector.</summary>
[Collection("browser")]
public sealed class PaymentsConsoleTests(BrowserFixture browser, MoneyConsoleFixture fixture) : IClassFixture<MoneyConsoleFixture>
{
    private const string LivingSubsidy = "living_subsidy";

    private string CycleId => fixture.CycleId;

    private Task<BrowserSession> SignInAsync(string key, string hash, Screen screen = Screen.Desktop) =>
        browser.SignInAsync(fixture.App, key, hash, screen);

    private static Task<IDownload> DownloadAsync(IPage page, ILocator button) => page.RunAndWaitForDownloadAsync(() => button.ClickAsync());

    private static async Task<byte[]> BytesAsync(IDownload download)
    {
        var path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path);
    }

    [Fact]
    public async Task Payments_AdminDownloadsFileAndUploadsBankResult_SeesBatchReconciled()
    {
        var (_, batches) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/batches");
        var batch = batches!["items"]!.AsArray().Single(b => (string?)b!["program"] == LivingSubsidy)!;
        var batchId = (string)batch["id"]!;
        await using var session = await SignInAsync(AppProcess.AdminKey, $"/cycles/{CycleId}/payments");
        var page = session.Page;

        // The tab: money per program (chart and table) and the batches with where each stands, in words.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "发放与对账", Level = 2 }));
        var batchTable = page.GetByRole(AriaRole.Table, new() { Name = "发放批次" });
        var row = batchTable.GetByRole(AriaRole.Row).Filter(new() { HasText = batchId });
        await Expect(row);
        Assert.Contains("生活补助", await row.InnerTextAsync());
        Assert.Contains("已封包，待下载发放文件", await row.InnerTextAsync());
        Assert.Contains("¥1,750.00", await row.InnerTextAsync());
        var living = await page.GetByRole(AriaRole.Table, new() { Name = "各项目发放情况" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "生活补助" }).InnerTextAsync();
        Assert.Contains("¥1,750.00", living);
        Assert.Contains("3 人", living);
        Assert.Contains("未结清", await page.Locator("[data-testid=settled]").InnerTextAsync());
        Assert.Equal(1, await page.Locator("figure.chart-figure .bars").CountAsync());
        await Screenshots.SaveAsync(page, "payments");

        // The batch's page: rows masked, the payment file (recorded), the bank's result through the form.
        await row.GetByRole(AriaRole.Link, new() { Name = batchId }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"批次 {batchId}", Level = 2 }));
        var items = page.GetByRole(AriaRole.Table, new() { Name = "批次明细" });
        await Expect(items);
        var itemText = await items.InnerTextAsync();
        Assert.Contains("张三", itemText);
        Assert.DoesNotContain(SampleCounty.A, itemText);
        Assert.Contains("********", itemText);
        Assert.Contains("暂无", await page.Locator("#pay-file").Locator("..").InnerTextAsync()); // no download yet

        var download = await DownloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "下载发放文件" }));
        Assert.Equal($"{CycleId}-{batchId}.csv", download.SuggestedFilename);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var lines = Encoding.GetEncoding("GB18030").GetString(await BytesAsync(download)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("序号,姓名,身份证号,资助项目,金额,学校标识码,账户名,账号,开户行", lines[0]);
        Assert.Equal("合计,3,1750.00", lines[^1]);
        var rows = lines[1..^1].Select(l => l.Split(',')).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains(rows, r => r[1] == "张三" && r[2] == SampleCounty.A && r[4] == "625.00" && r[6] == "张三" && r[7] == SampleCounty.Accounts()[0][2]);

        // The download is recorded: the history shows it and the status says so.
        var history = page.GetByRole(AriaRole.Table, new() { Name = "下载记录" });
        await Expect(history);
        Assert.Equal(2, await history.GetByRole(AriaRole.Row).CountAsync()); // header + one download
        Assert.Contains("发放文件已下载（1 次），待银行回盘", await page.Locator("[data-testid=batch-status]").InnerTextAsync());

        // The bank pays everyone but 李四; the file goes up through the form with its progress bar.
        var result = BankResultCsv(rows.Select(r => (r[0], r[2], r[4], r[1] != "李四")));
        await page.GetByLabel("回盘文件").SetInputFilesAsync(new FilePayload { Name = "回盘.csv", MimeType = "text/csv", Buffer = result });
        await page.GetByRole(AriaRole.Button, new() { Name = "上传回盘" }).ClickAsync();
        var outcome = page.Locator("[data-testid=outcome]");
        await Expect(outcome);
        var outcomeText = await outcome.InnerTextAsync();
        Assert.Contains("成功 2 笔，¥1,375.00", outcomeText);
        Assert.Contains("失败 1 笔，¥375.00", outcomeText);
        Assert.Contains("异常 0 项", outcomeText);
        Assert.Contains("已对账", await page.Locator("[data-testid=batch-status]").InnerTextAsync());
        Assert.Equal("reconciled", (string?)(await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/batches/{batchId}")).Body!["batch"]!["status"]);
        await Screenshots.SaveAsync(page, "payment-batch");

        // A bad file is refused whole, and the console names the row and column.
        await page.GetByLabel("回盘文件").SetInputFilesAsync(new FilePayload { Name = "坏.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("序号,身份证号,状态\r\n1,x,成功\r\n") });
        await page.GetByRole(AriaRole.Button, new() { Name = "上传回盘" }).ClickAsync();
        var alert = page.Locator(".upload-panel [role=alert]");
        await Expect(alert);
        Assert.Contains("金额", await alert.InnerTextAsync());

        // Back on the tab, the batch reads as reconciled.
        await page.GetByRole(AriaRole.Link, new() { Name = "返回发放与对账" }).ClickAsync();
        var reconciledRow = page.GetByRole(AriaRole.Table, new() { Name = "发放批次" }).GetByRole(AriaRole.Row).Filter(new() { HasText = batchId });
        await Expect(reconciledRow.Filter(new() { HasText = "已对账" }));

        // Another batch comes back with another amount: the exception is shown in words and resolved on the page.
        var grant = batches["items"]!.AsArray().Single(b => (string?)b!["program"] == "hs_grant")!;
        var grantId = (string)grant["id"]!;
        using (var file = await fixture.App.Admin.GetAsync($"/api/cycles/{CycleId}/batches/{grantId}/payment-file"))
        {
            var grantRow = Encoding.GetEncoding("GB18030").GetString(await file.Content.ReadAsByteArrayAsync()).Split("\r\n")[1].Split(',');
            var uploaded = await Disbursement.DisbursementApiTests.UploadResultAsync(fixture.App.Admin, $"/api/cycles/{CycleId}/batches/{grantId}/result", BankResultCsv([(grantRow[0], grantRow[2], "1100.00", true)]));
            Assert.Equal(202, uploaded.Status);
        }

        await page.GetByRole(AriaRole.Table, new() { Name = "发放批次" }).GetByRole(AriaRole.Link, new() { Name = grantId }).ClickAsync();
        var exceptions = page.GetByRole(AriaRole.Table, new() { Name = "对账异常" });
        await Expect(exceptions.Filter(new() { HasText = "金额与批次不符" }));
        Assert.Contains("已对账，有 1 项异常", await page.Locator("[data-testid=batch-status]").InnerTextAsync());
        await exceptions.GetByLabel("核实结果").SelectOptionAsync("paid");
        await exceptions.GetByLabel("核实说明").FillAsync("银行确认按 1150 元入账");
        await exceptions.GetByRole(AriaRole.Button, new() { Name = "确认处理" }).ClickAsync();
        await Expect(exceptions.Filter(new() { HasText = "已处理：确认到账" }));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "对账异常" }).Filter(new() { HasText = "银行确认按 1150 元入账" }));
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "确认处理" }).CountAsync());
        session.AssertNoErrorsExcept("/result");
    }

    [Fact]
    public async Task Rectification_OfficerUploadsEvidenceAndSubmits_AdminAccepts()
    {
        var (status, inspection) = await fixture.App.Admin.PostAsync($"/api/cycles/{CycleId}/inspections", new
        {
            inspectionId = $"console-{Guid.NewGuid():N}",
            team = "县教育局督导室第一组",
            inspectedAt = "2026-10-12T09:00:00+08:00",
            findings = new[] { new { title = "资助政策宣传栏未更新", owner = $"school:{MoneyConsoleFixture.School}", schoolCode = MoneyConsoleFixture.School } },
        });
        Assert.Equal(201, status);
        var itemId = (string)inspection!["items"]![0]!["id"]!;

        // The school's officer: the board shows the item as open; the item page takes evidence and the submission.
        await using (var officer = await SignInAsync(fixture.OfficerKey, $"/cycles/{CycleId}/rectification"))
        {
            var page = officer.Page;
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "整改", Level = 2 }));
            var open = page.Locator("[data-testid=column-open]");
            var card = open.GetByRole(AriaRole.Link, new() { Name = "资助政策宣传栏未更新" }).First;
            await Expect(card);
            Assert.Contains("城关镇第一小学", await open.InnerTextAsync());
            Assert.DoesNotContain(MoneyConsoleFixture.School, await open.InnerTextAsync());
            Assert.Contains("督导检查", await open.InnerTextAsync());
            // An officer records no inspections.
            Assert.Equal(0, await page.GetByRole(AriaRole.Heading, new() { Name = "录入督导检查" }).CountAsync());
            await page.GotoAsync($"/console/#/cycles/{CycleId}/rectification/{itemId}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助政策宣传栏未更新", Level = 2 }));

            // A file that is not what it claims: the 400 problem is shown, naming the file.
            await page.GetByLabel("佐证文件").SetInputFilesAsync(new FilePayload { Name = "照片.pdf", MimeType = "application/pdf", Buffer = Encoding.UTF8.GetBytes("not a pdf") });
            await page.GetByRole(AriaRole.Button, new() { Name = "上传", Exact = true }).ClickAsync();
            var refused = page.Locator("#rect-upload").Locator("..").Locator("[role=alert]");
            await Expect(refused);
            Assert.Contains("file", await refused.InnerTextAsync());

            await page.GetByLabel("佐证文件").SetInputFilesAsync(new FilePayload { Name = "宣传栏整改.pdf", MimeType = "application/pdf", Buffer = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n") });
            await page.GetByRole(AriaRole.Button, new() { Name = "上传", Exact = true }).ClickAsync();
            var evidence = page.GetByRole(AriaRole.Table, new() { Name = "佐证材料" });
            await Expect(evidence.Filter(new() { HasText = "宣传栏整改.pdf" }));
            var saved = await DownloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "下载 宣传栏整改.pdf" }));
            Assert.Equal("宣传栏整改.pdf", saved.SuggestedFilename);
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(await BytesAsync(saved)), StringComparison.Ordinal);

            await page.GetByLabel("整改情况").FillAsync("已更新宣传栏并张贴最新资助政策");
            await page.GetByRole(AriaRole.Button, new() { Name = "提交验收" }).ClickAsync();
            await Expect(page.Locator("[data-testid=item-status]").Filter(new() { HasText = "已提交待验收" }));
            // Only the bureau accepts: the officer is offered no such button.
            Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "验收销号" }).CountAsync());
            await Screenshots.SaveAsync(page, "rectification-item");
            officer.AssertNoErrorsExcept("/evidence");
        }

        // The bureau accepts it from the board; the summary counts it.
        await using var admin = await SignInAsync(AppProcess.AdminKey, $"/cycles/{CycleId}/rectification");
        var adminPage = admin.Page;
        var submitted = adminPage.Locator("[data-testid=column-submitted]");
        await Expect(submitted.GetByRole(AriaRole.Link, new() { Name = "资助政策宣传栏未更新" }));
        await Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "录入督导检查", Level = 3 }));
        await Screenshots.SaveAsync(adminPage, "rectification");
        await submitted.GetByRole(AriaRole.Link, new() { Name = "资助政策宣传栏未更新" }).First.ClickAsync();
        await Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "资助政策宣传栏未更新", Level = 2 }));
        Assert.Contains("已更新宣传栏并张贴最新资助政策", await adminPage.Locator("dl.facts").InnerTextAsync());
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "验收销号" }).ClickAsync();
        await Expect(adminPage.Locator("[data-testid=item-status]").Filter(new() { HasText = "已销号" }));
        var historyText = await adminPage.GetByRole(AriaRole.Table, new() { Name = "办理记录" }).InnerTextAsync();
        Assert.Contains("上传佐证", historyText);
        Assert.Contains("提交验收", historyText);
        Assert.Contains("验收销号", historyText);
        var (_, item) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/rectification/{itemId}");
        Assert.Equal("accepted", (string?)item!["item"]!["status"]);
        admin.AssertNoErrorsExcept();
    }

    [Fact]
    public async Task Rectification_DropoutItem_FollowsItsCase_TheReturnRecordedOnTheCaseAcceptsIt()
    {
        var (_, dropouts) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/rectification?source=notEnrolled");
        var item = dropouts!["items"]!.AsArray().First(i => (string?)i!["status"] is "open" or "returned")!;
        await using var session = await SignInAsync(AppProcess.AdminKey, $"/cycles/{CycleId}/rectification/{(string)item["id"]!}");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = (string)item["title"]!, Level = 2 }));
        Assert.Contains("控辍保学", await page.Locator("dl.facts").InnerTextAsync());

        // The item takes no outcome of its own: it sends the user to the child's case.
        Assert.Equal(0, await page.GetByLabel("控辍保学结果").CountAsync());
        Assert.Contains("随学生的控辍保学案件办理", await page.Locator("[data-testid=by-case]").InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "打开控辍保学案件" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = (string)item["studentName"]!, Level = 1 }));
        await Expect(page.Locator("[data-testid=chain]"));

        // Returned needs the school's code; the API's problem names the field.
        await page.GetByLabel("结果", new() { Exact = true }).SelectOptionAsync("returned");
        await page.GetByLabel("日期", new() { Exact = true }).FillAsync("2026-09-28");
        await page.GetByLabel("就读学校标识码").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "登记结果" }).ClickAsync();
        var refused = page.Locator(".outcome-form [role=alert]");
        await Expect(refused);
        Assert.Contains("schoolCode", await refused.InnerTextAsync());
        await page.GetByLabel("就读学校标识码").FillAsync(MoneyConsoleFixture.School);
        await page.GetByRole(AriaRole.Button, new() { Name = "登记结果" }).ClickAsync();
        await Expect(page.Locator("[data-testid=case-status]").Filter(new() { HasText = "已返校" }));
        Assert.Contains("待返校学校或名册确认", await page.Locator("[data-testid=case-status]").InnerTextAsync());
        Assert.Contains("城关镇第一小学", await page.Locator("dl.facts").InnerTextAsync());

        // The item closed with the case: accepted, enrolled at that school.
        var (_, closed) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/rectification/{(string)item["id"]!}");
        Assert.Equal(("accepted", "enrolled", MoneyConsoleFixture.School), ((string?)closed!["item"]!["status"], (string?)closed["item"]!["outcome"], (string?)closed["item"]!["outcomeSchoolCode"]));
        session.AssertNoErrorsExcept("/outcome");
    }

    [Fact]
    public async Task Rectification_ItemPastDeadline_FlaggedOverdueInWordsOnBoardItemAndSummary()
    {
        const string Title = "学生资助档案不全";
        var (status, _) = await fixture.App.Admin.PostAsync($"/api/cycles/{CycleId}/inspections", new
        {
            inspectionId = $"overdue-{Guid.NewGuid():N}",
            team = "县教育局督导室第二组",
            inspectedAt = "2026-10-12T09:00:00+08:00",
            findings = new[] { new { title = Title, owner = "section:资助股", deadlineWorkingDays = 1 } },
        });
        Assert.Equal(201, status);
        // A week on: the one working day has long passed (the clock only ever moves forward in these tests).
        await fixture.App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-21T09:00:00+08:00" });

        await using var session = await SignInAsync(fixture.InspectorKey, $"/cycles/{CycleId}/rectification?overdue=true");
        var page = session.Page;
        var card = page.Locator("[data-testid=column-open] li").Filter(new() { HasText = Title });
        await Expect(card);
        Assert.Contains("已逾期", await card.InnerTextAsync());
        Assert.Contains("资助股", await card.InnerTextAsync());
        Assert.Contains("已逾期", await page.Locator("[data-testid=rect-overdue]").InnerTextAsync());
        Assert.True(await page.GetByLabel("只看逾期").IsCheckedAsync());
        // Only overdue items are listed: nothing submitted or accepted is.
        Assert.Equal(0, await page.Locator("[data-testid=column-accepted] li").CountAsync());

        await card.GetByRole(AriaRole.Link, new() { Name = Title }).ClickAsync();
        await Expect(page.Locator("[data-testid=item-status]").Filter(new() { HasText = "已逾期" }));
        // An inspector reads; the owner and the bureau act.
        await Expect(page.GetByText("您可以查看此事项"));
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "上传", Exact = true }).CountAsync());
        session.AssertNoErrorsExcept();
    }

    [Fact]
    public async Task Inspection_RecordedByInspectorThroughForm_OpensOneItemPerFinding()
    {
        await using var session = await SignInAsync(fixture.InspectorKey, $"/cycles/{CycleId}/rectification");
        var page = session.Page;
        var form = page.Locator("#rect-inspection").Locator("..");
        await Expect(form);
        var inspectionId = $"INS-{Guid.NewGuid():N}"[..20];
        await form.GetByLabel("检查编号").FillAsync(inspectionId);
        await form.GetByLabel("督导组").FillAsync("邻县交叉督导组");
        await form.GetByLabel("检查时间").FillAsync("2026-10-12T10:00");

        // Two findings: one for a school, one for a bureau section with its own deadline.
        await form.GetByLabel("问题").First.FillAsync("寄宿生补助公示未张贴");
        await form.GetByLabel("学校标识码或股室名称").First.FillAsync(MoneyConsoleFixture.School);
        await form.GetByRole(AriaRole.Button, new() { Name = "再加一条发现" }).ClickAsync();
        var second = form.Locator("fieldset").Nth(1);
        Assert.Equal("发现 2", await second.Locator("legend").InnerTextAsync());
        await second.GetByLabel("问题").FillAsync("资助台账未按月更新");
        await second.GetByLabel("责任单位类型").SelectOptionAsync("section");
        await second.GetByLabel("学校标识码或股室名称").FillAsync("资助股");
        await second.GetByLabel("整改时限").FillAsync("10");
        await form.GetByRole(AriaRole.Button, new() { Name = "录入检查" }).ClickAsync();

        var open = page.Locator("[data-testid=column-open]");
        await Expect(open.GetByRole(AriaRole.Link, new() { Name = "寄宿生补助公示未张贴" }));
        await Expect(open.GetByRole(AriaRole.Link, new() { Name = "资助台账未按月更新" }));
        var (_, items) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/rectification?source=inspection&pageSize=1000");
        var recorded = items!["items"]!.AsArray().Where(i => ((string?)i!["sourceKey"])!.StartsWith(inspectionId + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["school:" + MoneyConsoleFixture.School, "section:资助股"], recorded.OrderBy(i => (string?)i!["sourceKey"]).Select(i => (string)i!["owner"]!));
        Assert.Equal(10, (int)recorded.Single(i => (string?)i!["owner"] == "section:资助股")!["deadlineWorkingDays"]!);
        session.AssertNoErrorsExcept();
    }

    [Fact]
    public async Task Downloads_Inspector_DownloadsDisclosureWithoutPersonalData()
    {
        await using var session = await SignInAsync(fixture.InspectorKey, $"/cycles/{CycleId}/downloads");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "台账下载", Level = 2 }));
        foreach (var title in new[] { "资助台账", "资金发放公示表", "整改台账" })
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 3 }));
        }

        Assert.Contains("不含任何个人信息", await page.Locator("[data-testid=download-disclosure]").InnerTextAsync());
        await Screenshots.SaveAsync(page, "downloads");

        var download = await DownloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "下载资金发放公示表" }));
        Assert.Equal($"{CycleId}-disclosure.xlsx", download.SuggestedFilename);
        using var zip = new ZipArchive(new MemoryStream(await BytesAsync(download)));
        var sheet = zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)).Select(e => new StreamReader(e.Open()).ReadToEnd()).Single();
        Assert.Contains("学校标识码", sheet);
        foreach (var personal in new[] { SampleCounty.A, SampleCounty.B, "张三", "李四" })
        {
            Assert.DoesNotContain(personal, sheet);
        }

        var ledger = await DownloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "下载资助台账" }));
        Assert.Equal($"{CycleId}-ledger.xlsx", ledger.SuggestedFilename);
        Assert.Equal("PK"u8.ToArray(), (await BytesAsync(ledger))[..2]);
        session.AssertNoErrorsExcept();
    }

    [Fact]
    public async Task Payments_CutBackPay_ReasonRequiredThenNothingPayableShownAndEnglishSwitch()
    {
        await using var session = await SignInAsync(AppProcess.AdminKey, $"/cycles/{CycleId}/payments");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "生成发放批次", Level = 3 }));
        Assert.True(await page.GetByLabel("补发原因").IsHiddenAsync());

        // 补发 without a reason: the API's 400 names the field; nothing is cut.
        await page.GetByLabel("资助项目").SelectOptionAsync("preschool_aid");
        await page.GetByLabel("类型").SelectOptionAsync("backpay");
        await page.GetByRole(AriaRole.Button, new() { Name = "生成批次" }).ClickAsync();
        var alert = page.Locator("#pay-cut").Locator("..").Locator("[role=alert]");
        await Expect(alert.Filter(new() { HasText = "reason" }));

        // With a reason, but everything owed under the program is in its open batch: the 409 says so in place.
        await page.GetByLabel("补发原因").FillAsync("公示后经复核确认");
        await page.GetByRole(AriaRole.Button, new() { Name = "生成批次" }).ClickAsync();
        await Expect(alert.Filter(new() { HasText = "本周期的学前资助没有可发放的款项" }));
        var (_, batches) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{CycleId}/batches");
        Assert.DoesNotContain(batches!["items"]!.AsArray(), b => (string?)b!["kind"] == "backpay");

        // The same tab in English.
        await page.GetByRole(AriaRole.Button, new() { Name = "切换到英文界面" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payments", Level = 2 }));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Payment batches" }));
        Assert.Contains("Living subsidy", await page.GetByRole(AriaRole.Table, new() { Name = "Money per program" }).InnerTextAsync());
        session.AssertNoErrorsExcept("/batches");
    }

    [Theory]
    [InlineData("payments")]
    [InlineData("rectification")]
    [InlineData("downloads")]
    public async Task Tab_OnPhone_FitsTheScreenWithTablesScrollingInPlace(string tab)
    {
        await using var session = await SignInAsync(AppProcess.AdminKey, $"/cycles/{CycleId}/{tab}", Screen.Phone);
        var page = session.Page;
        await Expect(page.Locator(".tab-body h2"));
        await page.Locator(".tab-body .panel").First.WaitForAsync();

        // The page itself never scrolls sideways; a wide table scrolls inside its own region.
        Assert.True(await page.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= innerWidth"), "The page is wider than the phone.");
        await Screenshots.SaveAsync(page, $"{tab}-phone");
        session.AssertNoErrorsExcept();
    }

    internal static async Task Expect(ILocator locator) =>
        await locator.First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });

    internal static byte[] BankResultCsv(IEnumerable<(string Sequence, string IdNumber, string Amount, bool Success)> rows)
    {
        var text = new StringBuilder("序号,身份证号,金额,状态,原因\r\n");
        foreach (var (sequence, idNumber, amount, success) in rows)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{sequence},{idNumber},{amount},{(success ? "成功" : "失败")},{(success ? "" : "账户已销户")}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
