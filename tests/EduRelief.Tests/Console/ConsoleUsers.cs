using EduRelief.Tests.Hosting;
using Microsoft.Playwright;

namespace EduRelief.Tests.Console;

/// <summary>The people of the browser tests: API keys made by the bureau, and signing in through the sign-in page.</summary>
public static class ConsoleUsers
{
    /// <summary>A new API key for a role (and school), created by the administrator with POST /api/keys.</summary>
    public static Task<string> KeyAsync(AppProcess app, string role, string? schoolCode) => app.KeyForRoleAsync(role, schoolCode, $"{role} {schoolCode}");

    /// <summary>
    /// A new browser session signed in through the sign-in page with <paramref name="key"/>, landed on
    /// <paramref name="next"/> (a console route such as "/cycles/{id}/hotline") once its page heading shows.
    /// </summary>
    public static async Task<BrowserSession> SignInAsync(this BrowserFixture browser, AppProcess app, string key, string next, Screen screen = Screen.Desktop)
    {
        var session = await browser.NewSessionAsync(app.BaseUrl, screen);
        await session.Page.GotoAsync($"/console/#/signin?next={Uri.EscapeDataString(next)}");
        await session.Page.GetByLabel("访问密钥（API Key）").FillAsync(key);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        // The top bar names the user only once signed in; the sign-in page's own heading would satisfy a bare h1 wait.
        await Assertions.Expect(session.Page.GetByTestId("who")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        return session;
    }
}
