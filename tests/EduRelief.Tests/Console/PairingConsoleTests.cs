using EduRelief.Tests.Hosting;
using EduRelief.Tests.Pairing;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// A teacher on a 390-pixel phone: signs in with their key and lands on their children (nothing else in the menu), records
/// a home visit with a photo in three taps (记录家访, the photo, 保存), and sees this month's visit turn to done.
/// </summary>
[Collection("browser")]
public sealed class PairingConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private AppProcess _app = null!;

    public async Task InitializeAsync()
    {
        _app = await AppProcess.StartAsync();
        await PairingSample.ApproveAsync(_app.Admin);
        var items = PairingSample.Items((await _app.Admin.PostAsync($"{PairingSample.Pairings(PairingSample.Middle)}/propose")).Body);
        var (edited, body) = await _app.Admin.SendJsonAsync(HttpMethod.Put, PairingSample.Pairings(PairingSample.Middle), new
        {
            items = new object[]
            {
                new { childId = PairingSample.ChildOf(items, "李四"), teacherIds = new[] { "T1" } },
                new { childId = PairingSample.ChildOf(items, "赵六"), teacherIds = new[] { "T2" } },
            },
        });
        Assert.True(edited == 200, $"{edited} {body}");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Teacher_OnAPhone_RecordsAHomeVisitWithAPhoto_AndTheMonthTurnsDone()
    {
        var (created, key) = await _app.Admin.PostAsync("/api/keys", new { name = "王老师", role = "teacher", schoolCode = PairingSample.Middle, teacherId = "T1", counties = new[] { "410726" } });
        Assert.Equal(201, created);
        await using var session = await browser.SignInAsync(_app, (string)key!["key"]!, "/cycles", Screen.Phone);
        var page = session.Page;

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的结对学生", Level = 1 })).ToBeVisibleAsync();
        var cards = page.Locator("li.pair-card");
        await Assertions.Expect(cards).ToHaveCountAsync(1);
        var card = cards.First;
        await Assertions.Expect(card.GetByRole(AriaRole.Heading, new() { Name = "李四" })).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".pair-status").Nth(1)).ToContainTextAsync("本月家访 未完成");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "资助周期" })).ToHaveCountAsync(0);

        await card.GetByRole(AriaRole.Button, new() { Name = "记录家访" }).ClickAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3];
        await card.GetByLabel("现场照片（可不选）").SetInputFilesAsync(new FilePayload { Name = "家访.png", MimeType = "image/png", Buffer = png });
        await card.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();

        await Assertions.Expect(page.GetByText("已记录 李四 的家访")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("li.pair-card .pair-status").Nth(1)).ToContainTextAsync("本月家访 已完成");
        await Screenshots.SaveAsync(page, "pairing-teacher-phone");
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width} pixels wide on a 390-pixel phone");
        session.AssertNoErrors();

        var records = (await _app.Admin.GetJsonAsync($"/api/cycles/{PairingSample.CycleId}/pairings/records?childId={(string)(await _app.Admin.GetJsonAsync(PairingSample.Pairings(PairingSample.Middle))).Body!["items"]!.AsArray().Single(i => (string?)i!["name"] == "李四")!["childId"]!}")).Body!;
        var visit = Assert.Single(PairingSample.Items(records));
        Assert.Equal(("home_visit", "T1", "image/png"), ((string)visit!["kind"]!, (string)visit["teacherId"]!, (string)visit["photo"]!["contentType"]!));
    }
}
