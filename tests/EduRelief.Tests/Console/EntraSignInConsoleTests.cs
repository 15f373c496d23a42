using System.Collections.Concurrent;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The console's Entra ID sign-in in a real browser, against <see cref="FakeEntra"/> on loopback: the authorization-code
/// flow with PKCE done by js/auth.js, the token it brings back used on the API, its renewal with the refresh token, the
/// sign-out through Entra's logout, and a tampered answer refused on the sign-in page.
/// </summary>
[Collection("browser")]
public sealed class EntraSignInConsoleTests
{
    private const string School = "4107260002";
    private const string EntraButton = "使用统一身份认证登录（Microsoft Entra ID）";
    private static readonly float Timeout = 60_000;
    private readonly BrowserFixture _browser;

    public EntraSignInConsoleTests(BrowserFixture browser)
    {
        _browser = browser;
        Assertions.SetDefaultExpectTimeout(Timeout);
    }

    [Fact]
    public async Task EntraSignIn_SchoolOfficer_ComesBackNamedWithTheirTokenAndSeesOwnSchoolOnly()
    {
        await using var entra = await FakeEntra.StartAsync();
        await using var app = await StartAppAsync(entra);
        var id = await SampleCycle.ToReviewAsync(app.Admin);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        var bearers = RecordBearers(page);

        await page.GotoAsync($"/console/#/signin?next=/cycles/{id}/overview");
        var button = page.GetByRole(AriaRole.Button, new() { Name = EntraButton });
        await Assertions.Expect(button).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "signin-entra");
        await button.ClickAsync();

        // Back on the page they asked for, named in the top bar with their role and school.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "本校（第一初级中学）情况" })).ToBeVisibleAsync();
        var who = page.GetByTestId("who");
        await Assertions.Expect(who).ToContainTextAsync("王老师（学校资助专干）");
        await Assertions.Expect(who).ToContainTextAsync("第一初级中学"); // the school by its name, not its code
        Assert.DoesNotContain("?code=", page.Url, StringComparison.Ordinal);

        // The fake saw one valid authorize request and one valid PKCE exchange from the console's origin.
        var authorize = Assert.Single(entra.CallsTo("authorize"));
        Assert.True(authorize.Valid, authorize.Error);
        Assert.Equal(FakeEntra.Prompt, authorize["prompt"]);
        var exchange = Assert.Single(entra.CallsTo("token"));
        Assert.True(exchange.Valid, exchange.Error);
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal(app.BaseUrl.GetLeftPart(UriPartial.Authority), exchange.Origin);
        var issued = Assert.Single(entra.Issued);
        Assert.Equal(issued, (string?)await page.EvaluateAsync<string?>("() => JSON.parse(sessionStorage.getItem('edurelief.token')).accessToken"));
        Assert.Contains(issued, bearers);
        Assert.All(bearers, b => Assert.Equal(issued, b));

        // Their school only: the bureau's tabs are not offered, and by address they are refused in words.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "名册上传" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/console/#/cycles/{id}/rosters");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("无权访问");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task EntraSignIn_TokenExpiringWithinFiveMinutes_IsRenewedByRefreshGrantOnTheNextApiCall()
    {
        await using var entra = await FakeEntra.StartAsync();
        entra.FirstTokenLifetime = TimeSpan.FromMinutes(4);
        await using var app = await StartAppAsync(entra);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        var bearers = RecordBearers(page);

        await SignInAsync(page);

        // The first API call (who am I) found the four-minute token in its last five minutes and renewed it first.
        var refresh = await Eventually.UntilAsync(() => Task.FromResult(entra.CallsTo("token", "refresh_token").ToList()), c => c.Count > 0, TimeSpan.FromSeconds(30), "the refresh_token grant");
        var renewal = Assert.Single(refresh);
        Assert.True(renewal.Valid, renewal.Error);
        Assert.Equal(EduRelief.Tests.Auth.EntraFixture.ConsoleClientId, renewal["client_id"]);
        Assert.Contains("offline_access", renewal["scope"], StringComparison.Ordinal);
        Assert.Equal(2, entra.Issued.Count);
        var (first, renewed) = (entra.Issued[0], entra.Issued[1]);

        // Every API call carried the renewed token, never the short-lived one; the next one does too, with no second renewal.
        await page.GetByRole(AriaRole.Link, new() { Name = "资助周期" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助周期", Level = 1 })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助周期", Level = 1 })).ToBeVisibleAsync();
        Assert.NotEmpty(bearers);
        Assert.All(bearers, b => Assert.Equal(renewed, b));
        Assert.DoesNotContain(first, bearers);
        Assert.Single(entra.CallsTo("token", "refresh_token"));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task EntraSignIn_TabIdleIntoTheTokensLastMinute_IsRenewedNotSignedOut()
    {
        await using var entra = await FakeEntra.StartAsync();
        await using var app = await StartAppAsync(entra);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        await SignInAsync(page);
        Assert.Empty(entra.CallsTo("token", "refresh_token"));

        // The officer left the tab open for most of the hour: the token has half a minute left, the refresh token is good.
        await page.EvaluateAsync("() => { const t = JSON.parse(sessionStorage.getItem('edurelief.token')); t.expiresAt = Date.now() + 30000; sessionStorage.setItem('edurelief.token', JSON.stringify(t)); }");
        var bearers = RecordBearers(page);
        await page.ReloadAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助周期", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("who")).ToContainTextAsync("王老师");
        Assert.Equal("/console/#/cycles", new Uri(page.Url).PathAndQuery + new Uri(page.Url).Fragment);
        var renewal = Assert.Single(entra.CallsTo("token", "refresh_token"));
        Assert.True(renewal.Valid, renewal.Error);
        Assert.NotEmpty(bearers);
        Assert.All(bearers, b => Assert.Equal(entra.Issued[^1], b));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task SignOut_EntraUser_EndsTheEntraSessionAndReturnsToSignIn()
    {
        await using var entra = await FakeEntra.StartAsync();
        await using var app = await StartAppAsync(entra);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);
        await SignInAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = EntraButton })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("who")).ToHaveCountAsync(0);
        var logout = Assert.Single(entra.CallsTo("logout"));
        Assert.True(logout.Valid, logout.Error);
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('edurelief.token')"));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task EntraSignIn_TamperedState_ShowsTheSignInErrorAndExchangesNoCode()
    {
        await using var entra = await FakeEntra.StartAsync();
        entra.TamperedState = "forged-state";
        await using var app = await StartAppAsync(entra);
        await using var session = await _browser.NewSessionAsync(app.BaseUrl);
        var page = session.Page;
        page.SetDefaultTimeout(Timeout);

        await page.GotoAsync("/console/#/signin");
        await page.GetByRole(AriaRole.Button, new() { Name = EntraButton }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "统一身份认证登录未成功" });
        await Assertions.Expect(alert).ToBeVisibleAsync();
        await Assertions.Expect(alert).ToContainTextAsync("登录回应与本次登录请求不符，请重新登录。");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("who")).ToHaveCountAsync(0);
        Assert.Single(entra.CallsTo("authorize"));
        Assert.Empty(entra.CallsTo("token"));
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        session.AssertNoErrors();
    }

    private static async Task<AppProcess> StartAppAsync(FakeEntra entra)
    {
        var app = await AppProcess.StartAsync(environment: entra.Environment);
        entra.RedirectUri = new Uri(app.BaseUrl, "/console/").ToString();
        return app;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/console/#/signin");
        await page.GetByRole(AriaRole.Button, new() { Name = EntraButton }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "资助周期", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("who")).ToContainTextAsync("王老师");
    }

    /// <summary>The bearer token of every API call the page makes.</summary>
    private static ConcurrentQueue<string> RecordBearers(IPage page)
    {
        var bearers = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/", StringComparison.Ordinal) && request.Headers.TryGetValue("authorization", out var value) && value.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                bearers.Enqueue(value["Bearer ".Length..]);
            }
        };
        return bearers;
    }
}
