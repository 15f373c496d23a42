using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The main journey as the bureau and a school live it in the console: sign in, kick off a cycle, upload both rosters
/// (a broken file first), watch verification finish, decide the one name mismatch, approve, see the public notice in
/// the frame and, without signing in, on the public page itself; then a hotline objection to a child on that notice
/// arrives, is assigned, decided and answered by the school's officer and closed, and that officer is refused every
/// other school's and the bureau's pages.
/// </summary>
[Collection("browser")]
public sealed partial class ConsoleJourneyTests
{
    private const string CycleId = "410726-2026-autumn";
    private const string Own = "4107260001";
    private const string Other = "4107260002";
    private static readonly float Timeout = BrowserFixture.ExpectTimeout;
    private readonly BrowserFixture _browser;

    public ConsoleJourneyTests(BrowserFixture browser) => _browser = browser;

    [Fact]
    public async Task Journey_KickOffToPublicNotice_AsTheBureauSeesIt()
    {
        await using var app = await AppProcess.StartAsync();
        Assert.Equal(200, (await app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-28T09:00:00+08:00" })).Status);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);

        // Sign in on the sign-in page with the administrator's key.
        await page.GotoAsync("/console/#/signin");
        await page.GetByLabel("访问密钥（API Key）", new() { Exact = true }).FillAsync(AppProcess.AdminKey);
        await Screenshots.SaveAsync(page, "signin");
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助周期", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("who")).ToContainTextAsync("教育局管理员");

        // Kick off the county's autumn cycle with the form.
        await page.GetByLabel("县级行政区划代码", new() { Exact = true }).FillAsync("410726");
        await page.GetByLabel("学期", new() { Exact = true }).SelectOptionAsync("2026-autumn");
        await page.GetByRole(AriaRole.Button, new() { Name = "启动周期" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "延津县 · 2026年秋季学期" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".timeline li[aria-current=step]")).ToContainTextAsync("待上传名册");
        await Assertions.Expect(page.Locator(".waiting")).ToContainTextAsync("尚未上传学籍名册。");
        await page.GotoAsync("/console/#/cycles");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = CycleId })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "cycles");

        // Rosters: a file without the 学段 column first; its error is listed by column, and nothing is recorded.
        await page.GetByRole(AriaRole.Link, new() { Name = CycleId }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "名册上传" }).ClickAsync();
        var students = page.Locator(".roster-panel[data-kind=students]");
        var broken = SampleCounty.Csv([.. SampleCounty.StudentHeader.Where(c => c != "学段")], [.. SampleCounty.Students().Select(r => r.Where((_, i) => i != 4).ToArray())], SampleCounty.Gbk);
        await students.GetByLabel("选择学籍名册文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "学籍名册-缺列.csv", MimeType = "text/csv", Buffer = broken });
        await students.GetByRole(AriaRole.Button, new() { Name = "上传学籍名册" }).ClickAsync();
        var errors = students.GetByRole(AriaRole.Region, new() { Name = "学籍名册文件中的错误" });
        await Assertions.Expect(errors).ToBeVisibleAsync();
        var errorRow = errors.Locator("tbody tr");
        await Assertions.Expect(errorRow).ToHaveCountAsync(1);
        await Assertions.Expect(errorRow.Locator("td").First).ToHaveTextAsync("“学段”列");
        await Assertions.Expect(errorRow.Locator("td").Nth(1)).ToContainTextAsync("表头行（第 1 行）缺少必需的列“学段”");
        await Assertions.Expect(students.Locator(".roster-current")).ToHaveTextAsync("尚未上传。");
        await Screenshots.SaveAsync(page, "rosters-errors");

        // The real student roster (GBK CSV): accepted with its rows, format and sha256.
        var studentCsv = SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk);
        await students.GetByLabel("选择学籍名册文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "学籍名册.csv", MimeType = "text/csv", Buffer = studentCsv });
        await students.GetByRole(AriaRole.Button, new() { Name = "上传学籍名册" }).ClickAsync();
        await Assertions.Expect(students.Locator(".upload-outcome")).ToContainTextAsync("已接收：10 行，CSV 格式。");
        await Assertions.Expect(students.Locator("code.sha")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(studentCsv)));
        await Assertions.Expect(students.Locator("progress")).ToHaveJSPropertyAsync("value", 1);
        await Assertions.Expect(page.Locator(".roster-status")).ToHaveTextAsync("已收到学籍名册，等待另一份名册。");
        await Screenshots.SaveAsync(page, "rosters-upload");

        // The poverty registry: verification starts and the page follows it to the end.
        var poverty = page.Locator(".roster-panel[data-kind=poverty]");
        await poverty.GetByLabel("选择建档立卡名册文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "建档立卡.csv", MimeType = "text/csv", Buffer = SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk) });
        await poverty.GetByRole(AriaRole.Button, new() { Name = "上传建档立卡名册" }).ClickAsync();
        await Assertions.Expect(page.Locator(".roster-status")).ToContainTextAsync("核验已完成");
        await Assertions.Expect(page.Locator(".cycle-meta")).ToContainTextAsync("待审核");
        var report = page.GetByRole(AriaRole.Region, new() { Name = "学籍名册中不能使用的行" });
        await Assertions.Expect(report.Locator("tbody tr").Filter(new() { HasText = "第 8 行" })).ToContainTextAsync("年级");

        // The overview: the timeline and what the cycle waits on.
        await page.GetByRole(AriaRole.Link, new() { Name = "概况" }).ClickAsync();
        await Assertions.Expect(page.Locator(".timeline li[aria-current=step]")).ToContainTextAsync("待审核");
        await Assertions.Expect(page.Locator(".waiting")).ToHaveTextAsync("1 条姓名不一致尚待决定，全部决定后方可审核通过。");
        await Assertions.Expect(page.Locator(".chart-figure").Filter(new() { HasText = "核验人数" }).Locator("table")).ToContainTextAsync("符合资助条件5");
        await Screenshots.SaveAsync(page, "cycle-overview");

        // Review: approval is not offered while the mismatch is open; decide it, then approve.
        await page.GetByRole(AriaRole.Link, new() { Name = "核验与审核" }).ClickAsync();
        var approve = page.GetByRole(AriaRole.Button, new() { Name = "审核通过并开始公示" });
        await Assertions.Expect(approve).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator(".approval")).ToContainTextAsync("尚有 1 条姓名不一致未决定");
        await page.GetByLabel("问题类型", new() { Exact = true }).SelectOptionAsync("nameMismatch");
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        var mismatch = page.Locator("tbody tr");
        await Assertions.Expect(mismatch).ToHaveCountAsync(1);
        await Assertions.Expect(mismatch).ToContainTextAsync("学籍：赵六");
        await Assertions.Expect(mismatch).ToContainTextAsync("建档立卡：赵陆");
        Assert.Matches(MaskedId(), await mismatch.Locator("code").InnerTextAsync());
        await mismatch.GetByLabel("决定理由", new() { Exact = true }).FillAsync("经核对户口簿为同一人");
        await mismatch.GetByRole(AriaRole.Button, new() { Name = "确认同一人并资助：赵六" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToContainTextAsync("确认为同一人");
        await Assertions.Expect(page.Locator("tbody tr")).ToContainTextAsync("经核对户口簿为同一人");
        await Assertions.Expect(approve).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator(".approve-period")).ToContainTextAsync("如现在审核通过，公示期至 2026/10/09 23:59（5 个工作日）。");
        await Screenshots.SaveAsync(page, "review");

        // Without the county's hotline and address the API refuses (409): the page says why and links to the contacts.
        await approve.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认公示" }).ClickAsync();
        var contactsLink = page.GetByRole(AriaRole.Link, new() { Name = "登记本县联系方式" });
        await Assertions.Expect(contactsLink).ToHaveAttributeAsync("href", "#/counties/410726/contacts");
        await Assertions.Expect(page.Locator(".approval")).ToContainTextAsync("本县尚未登记监督电话和来信来访地址");
        await Assertions.Expect(page.Locator(".approval [role=alert]")).ToContainTextAsync("公示须载明县教育局的监督电话和异议受理地址。");
        Assert.Equal(200, (await app.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", SampleCycle.Contacts)).Status);
        await approve.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认公示" }).ClickAsync();

        // Notice: the real public pages in frames once the documents are rendered.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/cycles/410726-2026-autumn/notice$"));
        var list = page.FrameLocator("iframe.notice-frame-list");
        await Assertions.Expect(list.GetByRole(AriaRole.Heading, new() { Name = "延津县2026年秋季学期学生资助名单公示" })).ToBeVisibleAsync();
        await Assertions.Expect(list.Locator("tr").Filter(new() { HasText = "第一初级中学" })).ToContainTextAsync("1125.00");
        var school = page.FrameLocator("iframe.notice-frame:not(.notice-frame-list)");
        await Assertions.Expect(school.Locator("tbody tr")).ToContainTextAsync(["张三"]);
        await Assertions.Expect(school.Locator("tbody tr").First).ToContainTextAsync("625.00");
        await page.GetByLabel("选择学校", new() { Exact = true }).SelectOptionAsync("4107260002");
        await Assertions.Expect(school.Locator("tbody")).ToContainTextAsync("赵六");
        await Assertions.Expect(school.Locator("tbody")).Not.ToContainTextAsync(SampleCounty.D);
        var publicLink = await page.Locator("input.notice-link").First.InputValueAsync();
        Assert.Equal(new Uri(app.BaseUrl, $"/notices/{CycleId}").ToString(), publicLink);
        await Assertions.Expect(page.Locator(".facts")).ToContainTextAsync("5 个工作日");
        await Screenshots.SaveAsync(page, "notice");
        // The public page itself, in a new browser context that never signed in.
        await using (var visitor = await _browser.NewSessionAsync(app.BaseUrl))
        {
            var shown = await visitor.Page.GotoAsync(publicLink + "/4107260001");
            Assert.Equal(200, shown!.Status);
            await Assertions.Expect(visitor.Page.Locator("tbody")).ToContainTextAsync("张三");
            await Assertions.Expect(visitor.Page.Locator("body")).ToContainTextAsync("0373-7201234");
            visitor.AssertNoErrorsExcept();
        }

        // The overview on a phone.
        await using var phone = await _browser.NewSessionAsync(app.BaseUrl, Screen.Phone);
        phone.Page.SetDefaultTimeout(Timeout);
        await phone.Page.GotoAsync($"/console/#/signin?next=/cycles/{CycleId}/overview");
        await phone.Page.GetByLabel("访问密钥（API Key）", new() { Exact = true }).FillAsync(AppProcess.AdminKey);
        await phone.Page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await Assertions.Expect(phone.Page.Locator(".timeline li[aria-current=step]")).ToContainTextAsync("公示中");
        await Assertions.Expect(phone.Page.Locator(".waiting")).ToContainTextAsync("条异议尚未处理");
        Assert.True(await phone.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= innerWidth"), "the overview fits a phone's width");
        await Screenshots.SaveAsync(phone.Page, "cycle-overview-phone");
        phone.AssertNoErrorsExcept();

        await HotlineObjectionAsync(app, session);

        // The only refusals the bureau met were the broken roster (400) and the approval without contacts (409), both shown above.
        session.AssertNoErrorsExcept($"400 PUT /api/cycles/{CycleId}/rosters/students", $"409 POST /api/cycles/{CycleId}/approve");
        Assert.Equal(1, session.ErrorResponses.Count(e => e.StartsWith($"400 PUT {app.BaseUrl}api/cycles/{CycleId}/rosters/students", StringComparison.Ordinal)));
        Assert.Equal(1, session.ErrorResponses.Count(e => e.StartsWith($"409 POST {app.BaseUrl}api/cycles/{CycleId}/approve", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The journey's second half: an objection to a child on the notice comes in through the signed hotline webhook while
    /// the bureau has the hotline tab open; the bureau opens it, assigns it to the school and dismisses the objection; the
    /// school's officer, signed in on their own, replies; the bureau records the caller's verdict and the case closes.
    /// Then the officer types other schools' and the bureau's addresses and meets 无权访问 with nothing of them shown.
    /// </summary>
    private async Task HotlineObjectionAsync(AppProcess app, BrowserSession admin)
    {
        var page = admin.Page;
        var list = $"/cycles/{CycleId}/hotline";

        // The bureau has the hotline tab open, with nothing in it yet, when the objection comes in.
        await page.GotoAsync($"/console/#{list}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "热线工单", Level = 2 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("没有符合条件的工单。")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        var (posted, created) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "journey-1", "objection", new { cycleId = CycleId, schoolCode = Own, studentName = "张三" }, receivedAt: "2026-09-28T09:00:00+08:00"));
        Assert.Equal(201, posted);
        var number = (string)created!["caseNumber"]!;

        var row = page.Locator($"tr[data-case='{number}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "The case appeared without a reload.");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "新到工单" })).ToContainTextAsync(number);
        await Assertions.Expect(row).ToContainTextAsync("公示异议");
        await Assertions.Expect(row).ToContainTextAsync("待分派");
        await Screenshots.SaveAsync(page, "journey-hotline-arrived");

        // Open it: the child's payment is held while the objection is open; assign it to the school named in it.
        await row.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        var heading = page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" });
        await Assertions.Expect(heading).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("138****5678")).ToBeVisibleAsync();
        Assert.DoesNotContain("13812345678", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("张三");
        await Assertions.Expect(page.GetByLabel("学校标识码或股室名称")).ToHaveValueAsync(Own);
        await page.GetByRole(AriaRole.Button, new() { Name = "分派工单" }).ClickAsync();
        await Assertions.Expect(heading).ToContainTextAsync("已分派");

        // An objection is decided before anyone replies: the officer is offered no reply until the bureau has decided.
        var officerKey = await ConsoleUsers.KeyAsync(app, "school_officer", Own);
        await using var officer = await _browser.SignInAsync(app, officerKey, list);
        var officerPage = officer.Page;
        await Assertions.Expect(officerPage.Locator($"tr[data-case='{number}']")).ToBeVisibleAsync();
        await officerPage.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        var officerHeading = officerPage.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" });
        await Assertions.Expect(officerHeading).ToContainTextAsync("已分派");
        Assert.Equal(0, await officerPage.GetByRole(AriaRole.Button, new() { Name = "答复来电人" }).CountAsync());
        Assert.Equal(0, await officerPage.GetByRole(AriaRole.Button, new() { Name = "分派工单" }).CountAsync());

        var objection = page.Locator("form[data-action='objection']");
        await objection.GetByLabel("决定", new() { Exact = true }).SelectOptionAsync("dismissed");
        await objection.GetByLabel("理由", new() { Exact = true }).FillAsync("经入户核实，张三家庭仍为建档立卡户，符合资助条件。");
        await objection.GetByRole(AriaRole.Button, new() { Name = "异议处理决定" }).ClickAsync();
        // A second action on the same page without reloading: the page re-renders after each of them.
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("异议不成立：经入户核实，张三家庭仍为建档立卡户");
        await Assertions.Expect(page.Locator("form[data-action='objection']")).ToHaveCountAsync(0);

        // The school's officer replies once the objection is decided.
        await officerPage.ReloadAsync();
        await officerPage.GetByLabel("答复内容").FillAsync("经核实，异议不成立，张三的补助将随第一批发放。");
        await officerPage.GetByRole(AriaRole.Button, new() { Name = "答复来电人" }).ClickAsync();
        await Assertions.Expect(officerHeading).ToContainTextAsync("已答复");
        await Assertions.Expect(officerPage.GetByText("当前没有您可办理的事项。")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(officerPage, "journey-officer-reply");

        // The bureau records the caller's verdict: the case is closed as the bureau sees it, and in the API.
        await page.ReloadAsync();
        await Assertions.Expect(heading).ToContainTextAsync("已答复");
        await page.GetByLabel("评价", new() { Exact = true }).SelectOptionAsync("satisfied");
        await page.GetByRole(AriaRole.Button, new() { Name = "记录来电人评价" }).ClickAsync();
        await Assertions.Expect(heading).ToContainTextAsync("已办结");
        var (_, closed) = await app.Admin.GetJsonAsync($"/api/hotline/cases/{number}");
        Assert.Equal("closed", (string?)closed!["status"]);
        Assert.Equal("dismissed", (string?)closed["objection"]!["decision"]);

        // Another school's case, by its address: 无权访问 and nothing of it.
        var (otherPosted, otherCreated) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "journey-2", "complaint", new { cycleId = CycleId, schoolCode = Other, studentName = "赵六" }, receivedAt: "2026-09-28T09:00:00+08:00"));
        Assert.Equal(201, otherPosted);
        var otherNumber = (string)otherCreated!["caseNumber"]!;
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/hotline/cases/{otherNumber}/assign", new { assignee = $"school:{Other}" })).Status);
        await officerPage.GotoAsync($"/console/#{list}/{otherNumber}");
        await Assertions.Expect(officerPage.GetByRole(AriaRole.Alert).Filter(new() { HasText = "无权访问" })).ToBeVisibleAsync();
        var shown = await officerPage.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("赵六", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("138****5678", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("没有到账", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("王女士", shown, StringComparison.Ordinal);

        // The bureau's tab by address: refused in words, with no roster on the page (payments show the officer's own school).
        foreach (var tab in new[] { "rosters" })
        {
            await officerPage.GotoAsync($"/console/#/cycles/{CycleId}/{tab}");
            await Assertions.Expect(officerPage.GetByRole(AriaRole.Alert).Filter(new() { HasText = "无权访问" })).ToBeVisibleAsync();
            Assert.Equal(0, await officerPage.Locator(".tab-body table, .roster-panel").CountAsync());
        }

        // The discrepancy filter set to another school still lists only the officer's own school.
        await officerPage.GotoAsync($"/console/#/cycles/{CycleId}/review?school={Other}");
        var rows = officerPage.Locator("tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        foreach (var school in await rows.Locator("td:nth-child(4)").AllInnerTextsAsync())
        {
            Assert.Contains(Own, school, StringComparison.Ordinal);
        }

        await Screenshots.SaveAsync(officerPage, "journey-officer-forbidden");
        officer.AssertNoErrorsExcept($"404 GET /api/hotline/cases/{otherNumber}");
    }

    [Fact]
    public async Task SchoolOfficer_OwnSchoolOnly_SeesItsFiguresDiscrepanciesAndNoticePreview()
    {
        await using var app = await AppProcess.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.Admin);
        var (created, key) = await app.Admin.PostAsync("/api/keys", new { name = "第一初级中学资助专干", role = "school_officer", schoolCode = "4107260002", counties = new[] { AppProcess.SampleCounty } });
        Assert.Equal(201, created);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync($"/console/#/signin?next=/cycles/{id}/overview");
        await page.GetByLabel("访问密钥（API Key）", new() { Exact = true }).FillAsync((string)key!["key"]!);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();

        // The school's own figures: its ledger per program, its discrepancies; no county-wide chart, no rosters tab.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "本校（第一初级中学）情况" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "各资助项目" }).Locator("tbody tr")).ToHaveTextAsync(["生活补助2¥1,125.00"]);
        await Assertions.Expect(page.Locator(".chart-figure").Filter(new() { HasText = "核验人数" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "名册上传" })).ToHaveCountAsync(0);

        // Review: only the school's rows, no school filter, the mismatch already decided by the bureau.
        await page.GetByRole(AriaRole.Link, new() { Name = "核验与审核" }).ClickAsync();
        var rows = page.Locator("tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        foreach (var school in await rows.Locator("td:nth-child(4)").AllInnerTextsAsync())
        {
            Assert.Contains("4107260002", school, StringComparison.Ordinal);
        }

        await Assertions.Expect(page.GetByLabel("学校", new() { Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".decision-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "审核通过并开始公示" })).ToHaveCountAsync(0);

        // Notice: the school's preview before approval, rendered as the public will see it.
        await page.GetByRole(AriaRole.Link, new() { Name = "公示", Exact = true }).ClickAsync();
        var preview = page.FrameLocator("iframe.notice-frame-preview");
        await Assertions.Expect(preview.Locator("h1")).ToHaveTextAsync("延津县2026年秋季学期学生资助名单公示 — 第一初级中学");
        await Assertions.Expect(preview.Locator("body")).ToContainTextAsync("公示时间：尚未确定");
        await Assertions.Expect(preview.Locator("tbody")).ToContainTextAsync("赵六");
        await Screenshots.SaveAsync(page, "notice-preview-school");

        // Another tab by address: refused in words, not a broken page.
        await page.GotoAsync($"/console/#/cycles/{id}/rosters");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("无权访问");
        session.AssertNoErrorsExcept();
    }

    [Fact]
    public async Task Overview_CancelledCycle_ShowsWhereItStoppedAndWhyInBothLanguages()
    {
        await using var app = await AppProcess.StartAsync();
        Assert.Equal(201, (await app.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 })).Status);
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/cycles/{CycleId}/cancel", new { reason = "县里合并申报，本学期改由市里统一办理" })).Status);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync($"/console/#/signin?next=/cycles/{CycleId}/overview");
        await page.GetByLabel("访问密钥（API Key）", new() { Exact = true }).FillAsync(AppProcess.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "本周期已于" })).ToContainTextAsync("县里合并申报，本学期改由市里统一办理");
        var stopped = page.Locator(".timeline li.stopped");
        await Assertions.Expect(stopped).ToHaveCountAsync(1);
        await Assertions.Expect(stopped).ToContainTextAsync("待上传名册");
        await Assertions.Expect(stopped).ToContainTextAsync("已撤销");
        await Assertions.Expect(page.Locator(".timeline li[aria-current=step]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".timeline li.done")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "切换到英文界面" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Progress" })).ToBeVisibleAsync();
        await Assertions.Expect(stopped).ToContainTextAsync("Awaiting rosters");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "This cycle was cancelled at" })).ToBeVisibleAsync();
        session.AssertNoErrors();
    }

    [GeneratedRegex(@"^\d{6}\*{8}\d{3}[\dX]$")]
    private static partial Regex MaskedId();
}
