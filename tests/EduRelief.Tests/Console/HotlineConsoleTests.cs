using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The hotline tab as people use it: the bureau watches a case arrive without reloading, assigns it to a school and
/// records the caller's verdict; that school's officer replies; another school's officer neither sees it listed nor
/// reads it by its address; the bureau keeps the county's contacts.
/// </summary>
[Collection("browser")]
public sealed class HotlineConsoleTests(BrowserFixture browser, HotlineFixture fixture) : IClassFixture<HotlineFixture>
{
    private const string Own = "4107260001";
    private const string Other = "4107260002";
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    private AppProcess App => fixture.App;

    private Task<string> KeyAsync(string role, string schoolCode) => ConsoleUsers.KeyAsync(App, role, schoolCode);

    private Task<BrowserSession> SignInAsync(string key, string next) => browser.SignInAsync(App, key, next);

    [Fact]
    public async Task Hotline_CaseArrivesIsAssignedRepliedAndClosed_OtherSchoolIsRefused()
    {
        var id = await SampleCycle.ToReviewAsync(App.Admin);
        Assert.Equal(200, (await App.Admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        var list = $"/cycles/{id}/hotline";

        // The bureau has the tab open when the case comes in.
        await using var admin = await SignInAsync(AppProcess.AdminKey, list);
        var page = admin.Page;
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "热线工单", Level = 2 })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByText("没有符合条件的工单。")).ToBeVisibleAsync(Visible);
        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        var (posted, created) = await HotlineWebhook.PostAsync(App, HotlineWebhook.Case(
            "console-1", "complaint", new { cycleId = id, schoolCode = Own, studentName = "张三" }, receivedAt: "2026-09-28T09:00:00+08:00"));
        Assert.Equal(201, posted);
        var number = (string)created!["caseNumber"]!;

        var row = page.Locator($"tr[data-case='{number}']");
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "The case appeared without a reload.");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "新到工单" })).ToContainTextAsync(number);
        // Received Monday 09-28, due in 5 working days: 09-29, 09-30, then after the National Day holidays 10-08, 10-09
        // and the make-up Saturday 10-10.
        await Assertions.Expect(row).ToContainTextAsync("2026/10/10 23:59");
        await Assertions.Expect(row).ToContainTextAsync("按期");
        await Assertions.Expect(row).ToContainTextAsync("剩余5个工作日");
        await Assertions.Expect(row).ToContainTextAsync("待分派");
        await Screenshots.SaveAsync(page, "hotline-cases");

        // Open it: masked phone, only the bureau's actions for a new case; a refused request shows the API's problem.
        await row.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByText("138****5678")).ToBeVisibleAsync();
        Assert.DoesNotContain("13812345678", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "答复来电人" }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "记录来电人评价" }).CountAsync());
        await page.GetByLabel("理由").FillAsync("需入户核实");
        await page.GetByLabel("延长工作日数").FillAsync("99");
        await page.GetByRole(AriaRole.Button, new() { Name = "申请延期（每件工单一次）" }).ClickAsync();
        await Assertions.Expect(page.Locator("form[data-action='extension'] [role='alert']")).ToContainTextAsync("workingDays");
        await Assertions.Expect(page.GetByLabel("学校标识码或股室名称")).ToHaveValueAsync(Own);
        await page.GetByRole(AriaRole.Button, new() { Name = "分派工单" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" })).ToContainTextAsync("已分派", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("main table").Last).ToContainTextAsync($"school:{Own}");
        await Screenshots.SaveAsync(page, "hotline-case");

        // The school's officer sees it listed, and replies.
        await using var officer = await SignInAsync(await KeyAsync("school_officer", Own), list);
        await Assertions.Expect(officer.Page.Locator($"tr[data-case='{number}']")).ToBeVisibleAsync(Visible);
        await officer.Page.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        await Assertions.Expect(officer.Page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" })).ToBeVisibleAsync(Visible);
        Assert.Equal(0, await officer.Page.GetByRole(AriaRole.Button, new() { Name = "分派工单" }).CountAsync());
        await officer.Page.GetByLabel("答复内容").FillAsync("经核实，补助将随第一批发放到一卡通。");
        await officer.Page.GetByRole(AriaRole.Button, new() { Name = "答复来电人" }).ClickAsync();
        await Assertions.Expect(officer.Page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" })).ToContainTextAsync("已答复", new() { Timeout = 30_000 });
        await Assertions.Expect(officer.Page.GetByText("当前没有您可办理的事项。")).ToBeVisibleAsync();

        // The bureau records the caller's verdict: the case closes.
        await page.ReloadAsync();
        await page.GetByLabel("评价", new() { Exact = true }).SelectOptionAsync("satisfied");
        await page.GetByRole(AriaRole.Button, new() { Name = "记录来电人评价" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"工单 {number}" })).ToContainTextAsync("已办结", new() { Timeout = 30_000 });
        var (_, closed) = await App.Admin.GetJsonAsync($"/api/hotline/cases/{number}");
        Assert.Equal("closed", (string?)closed!["status"]);
        Assert.Equal("satisfied", (string?)closed["satisfaction"]);

        // Another school's officer: not listed, and its address answers 无权访问 with nothing of the case.
        await using var stranger = await SignInAsync(await KeyAsync("school_officer", Other), list);
        await Assertions.Expect(stranger.Page.GetByText("没有符合条件的工单。")).ToBeVisibleAsync(Visible);
        Assert.Equal(0, await stranger.Page.Locator($"tr[data-case='{number}']").CountAsync());
        await stranger.Page.GotoAsync($"/console/#{list}/{number}");
        await Assertions.Expect(stranger.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "无权访问" })).ToBeVisibleAsync(Visible);
        var shown = await stranger.Page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("138****5678", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("补助", shown, StringComparison.Ordinal);
        await Screenshots.SaveAsync(stranger.Page, "officer-forbidden");

        // The refusals the users met are the only answers of 400 or more, and nothing else went wrong in the pages.
        admin.AssertNoErrorsExcept($"400 POST /api/hotline/cases/{number}/extension");
        officer.AssertNoErrorsExcept();
        stranger.AssertNoErrorsExcept($"404 GET /api/hotline/cases/{number}");
    }

    [Fact]
    public async Task Contacts_AdminEditsOthersRead_SavedThroughTheApi()
    {
        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", SampleCycle.Contacts)).Status);
        await using var admin = await SignInAsync(AppProcess.AdminKey, "/counties/410726/contacts");
        var page = admin.Page;
        await Assertions.Expect(page.GetByLabel("热线电话")).ToHaveValueAsync("0373-7201234", new() { Timeout = 30_000 });

        await page.GetByLabel("教育局邮箱").FillAsync("not-an-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bureauEmail");
        await page.GetByLabel("教育局邮箱").FillAsync("zizhu@yanjin.example.cn");
        await page.GetByLabel("热线电话").FillAsync("0373-7209999");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByText("联系方式已保存")).ToBeVisibleAsync(Visible);
        var (_, saved) = await App.Admin.GetJsonAsync("/api/counties/410726/contacts");
        Assert.Equal("0373-7209999", (string?)saved!["hotlinePhone"]);
        Assert.Equal(2, saved["schools"]!.AsObject().Count);
        await Screenshots.SaveAsync(page, "contacts");

        // A school officer reads the bureau's contacts and their own school's mailbox only, with nothing to edit.
        await using var officer = await SignInAsync(await KeyAsync("school_officer", Own), "/counties/410726/contacts");
        await Assertions.Expect(officer.Page.GetByText("0373-7209999")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(officer.Page.GetByText("xiaoxue1@yanjin.example.cn")).ToBeVisibleAsync();
        Assert.Equal(0, await officer.Page.GetByText("chuzhong1@yanjin.example.cn").CountAsync());
        Assert.Equal(0, await officer.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }).CountAsync());

        admin.AssertNoErrorsExcept("400 PUT /api/counties/410726/contacts");
        officer.AssertNoErrorsExcept();
    }
}
