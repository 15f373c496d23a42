using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// A 控辍保学 item shows who answers for the child (七长制): the sample's 郑十 lives in 东屯镇 后屯村, whose village head
/// is not yet named. The bureau follows the item's link to the county contacts, names the head in the township's
/// village lines, saves, and the item's chain is complete; what was already in the contacts stays.
/// </summary>
[Collection("browser")]
public sealed class ResponsibilityChainConsoleTests(BrowserFixture browser)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    [Fact]
    public async Task DropoutItem_ChainWithAMissingVillageHead_NamedOnTheContactsPage_ChainIsComplete()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        var contacts = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(SampleCycle.Contacts))!.AsObject();
        contacts["townships"] = new JsonObject
        {
            ["东屯镇"] = new JsonObject { ["head"] = "陈立", ["centralSchoolPrincipal"] = "吴刚", ["villages"] = new JsonObject { ["东屯村"] = "周平" } },
        };
        contacts["principals"] = new JsonObject { ["4107260001"] = "刘洋" };
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", contacts)).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        var itemId = (string)(await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=notEnrolled"),
            r => r.Body!["items"]!.AsArray().Count == 1,
            TimeSpan.FromSeconds(60),
            "the 控辍保学 item")).Body!["items"]![0]!["id"]!;

        await using var session = await browser.SignInAsync(app, AppProcess.AdminKey, $"/cycles/{id}/rectification/{itemId}");
        var page = session.Page;
        var chain = page.GetByTestId("chain");
        await Assertions.Expect(chain).ToContainTextAsync("乡镇长（东屯镇）：陈立", new() { Timeout = 30_000 });
        await Assertions.Expect(chain).ToContainTextAsync("中心校校长（东屯镇）：吴刚");
        await Assertions.Expect(chain).ToContainTextAsync("村委会主任（后屯村）：未登记");
        await Assertions.Expect(chain.Locator(".alert")).ToContainTextAsync("尚未登记：村委会主任（后屯村）");
        await Screenshots.SaveAsync(page, "rectification-chain-missing");

        await chain.GetByRole(AriaRole.Link, new() { Name = "维护联系方式" }).ClickAsync();
        var township = page.Locator(".contacts-township");
        await Assertions.Expect(township.GetByLabel("乡镇名称")).ToHaveValueAsync("东屯镇", new() { Timeout = 30_000 });
        await Assertions.Expect(township.GetByLabel("乡镇长")).ToHaveValueAsync("陈立");
        var villages = township.GetByLabel("村委会主任");
        await Assertions.Expect(villages).ToHaveValueAsync("东屯村 周平");
        await villages.FillAsync("东屯村 周平\n后屯村\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("第2行“后屯村”应为“村名 主任姓名”");
        await villages.FillAsync("东屯村 周平\n后屯村 孙丽\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByText("联系方式已保存")).ToBeVisibleAsync(Visible);
        await Screenshots.SaveAsync(page, "contacts-chain");

        var saved = (await admin.GetJsonAsync("/api/counties/410726/contacts")).Body!;
        Assert.Equal(("周平", "孙丽", "吴刚"), ((string)saved["townships"]!["东屯镇"]!["villages"]!["东屯村"]!, (string)saved["townships"]!["东屯镇"]!["villages"]!["后屯村"]!, (string)saved["townships"]!["东屯镇"]!["centralSchoolPrincipal"]!));
        Assert.Equal("刘洋", (string?)saved["principals"]!["4107260001"]);
        Assert.Equal(2, saved["schools"]!.AsObject().Count);

        await page.GotoAsync($"/console/#/cycles/{id}/rectification/{itemId}");
        await Assertions.Expect(page.GetByTestId("chain")).ToContainTextAsync("村委会主任（后屯村）：孙丽", new() { Timeout = 30_000 });
        Assert.Equal(0, await page.GetByTestId("chain").Locator(".alert").CountAsync());
        session.AssertNoErrors();
    }
}
