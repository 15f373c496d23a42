using EduRelief.Tests.Hosting;
using EduRelief.Tests.Pairing;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The bureau opens 结对帮扶 from the approved cycle's header: the 入户走访率 chart and table by school; it picks 第一初级中学,
/// proposes the pairings and changes 赵六's teacher in the row. A school officer lands on their own school only.
/// </summary>
[Collection("browser")]
public sealed class PairingSchoolConsoleTests(BrowserFixture browser) : ApprovedSampleTests
{
    [Fact]
    public async Task Bureau_ProposesAndChangesATeacher_OfficerSeesOwnSchoolOnly()
    {
        await using var session = await browser.SignInAsync(App, AppProcess.AdminKey, $"/cycles/{PairingSample.CycleId}/overview");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "结对帮扶", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"结对帮扶与家访（{PairingSample.CycleId}）" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("figure.chart-figure figcaption")).ToHaveTextAsync("入户走访率（%）");
        await page.GetByLabel("查看学校").SelectOptionAsync(PairingSample.Middle);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "第一初级中学 的结对", Level = 2 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "自动结对" }).ClickAsync();
        await Assertions.Expect(page.GetByText("已为 2 名学生结对")).ToBeVisibleAsync();
        var zhao = page.GetByLabel("赵六 的结对教师");
        await Assertions.Expect(zhao).Not.ToHaveValueAsync("");
        var other = await zhao.InputValueAsync() == "T1" ? "T2" : "T1";
        await zhao.SelectOptionAsync(other);
        await Assertions.Expect(page.GetByText("已更新 赵六 的结对教师")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "pairing-school");
        session.AssertNoErrors();

        var items = PairingSample.Items((await App.Admin.GetJsonAsync(PairingSample.Pairings(PairingSample.Middle))).Body);
        Assert.Equal([other], PairingSample.TeachersOf(items, "赵六"));

        var officerKey = await ConsoleUsers.KeyAsync(App, "school_officer", PairingSample.Primary);
        await using var officer = await browser.SignInAsync(App, officerKey, $"/pairing/{PairingSample.CycleId}");
        await Assertions.Expect(officer.Page.GetByRole(AriaRole.Heading, new() { Name = "城关镇第一小学 的结对", Level = 2 })).ToBeVisibleAsync();
        await Assertions.Expect(officer.Page.GetByLabel("查看学校")).ToHaveCountAsync(0);
        await Assertions.Expect(officer.Page.Locator("table").First.Locator("tbody tr")).ToHaveCountAsync(1);
        officer.AssertNoErrors();
    }
}
