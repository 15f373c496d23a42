using System.Buffers.Binary;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Console;

/// <summary>The browser infrastructure against the real app: Debian's Chromium opens its pages on both screens.</summary>
[Collection("browser")]
public sealed class BrowserSmokeTests(BrowserFixture browser, EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    [Fact]
    public async Task Health_OpenedOnDesktop_ShowsHealthyWithoutErrors()
    {
        output.WriteLine($"Playwright driver start and Chromium launch: {browser.LaunchTime.TotalSeconds:F2} s ({browser.Browser.Version})");
        await using var session = await browser.NewSessionAsync(App.BaseUrl);

        var response = await session.Page.GotoAsync("/api/health");
        var shown = await session.Page.Locator("body").InnerTextAsync();

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", await response.HeaderValueAsync("content-type"), StringComparison.Ordinal);
        Assert.Equal("healthy", (string?)JsonNode.Parse(shown)!["status"]);
        Assert.Equal(new[] { 1280, 800 }, await session.Page.EvaluateAsync<int[]>("[innerWidth, innerHeight]"));
        Assert.Equal("zh-CN", await session.Page.EvaluateAsync<string>("navigator.language"));
        Assert.Equal("Asia/Shanghai", await session.Page.EvaluateAsync<string>("Intl.DateTimeFormat().resolvedOptions().timeZone"));
        Assert.Equal(-480, await session.Page.EvaluateAsync<int>("new Date().getTimezoneOffset()"));
        session.AssertNoErrors();
        Assert.Empty(session.ErrorResponses);
    }

    [Fact]
    public async Task PublicNotice_UnknownCycle_Shows404ProblemNamingTheCycle()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);

        var response = await session.Page.GotoAsync("/notices/410726-2026-autumn");
        var problem = JsonNode.Parse(await session.Page.Locator("body").InnerTextAsync())!;

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        Assert.StartsWith("application/problem+json", await response.HeaderValueAsync("content-type"), StringComparison.Ordinal);
        Assert.Equal("no-store", await response.HeaderValueAsync("cache-control"));
        Assert.Equal(404, (int?)problem["status"]);
        // A zh-CN browser is answered in Chinese.
        Assert.Equal("未找到", (string?)problem["title"]);
        Assert.Equal("资助周期 410726-2026-autumn 的公示不存在。", (string?)problem["detail"]);
        Assert.Contains("410726-2026-autumn", (string?)problem["detail"], StringComparison.Ordinal);
        // The browser saw exactly the one refused document, and no script ran into trouble over it.
        Assert.Equal([$"404 GET {new Uri(App.BaseUrl, "/notices/410726-2026-autumn")}"], session.ErrorResponses);
        Assert.Empty(session.FailedRequests);
        Assert.DoesNotContain(session.Errors, e => e.StartsWith("uncaught", StringComparison.Ordinal));

        var saved = await Screenshots.SaveAsync(session.Page, "smoke-notice-404");
        Assert.All(saved, path => Assert.Equal(1280, PngSize(path).Width));
    }

    [Fact]
    public async Task Health_OpenedOnPhone_HasPhoneViewportTouchAndFullPageScreenshot()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl, Screen.Phone);

        var response = await session.Page.GotoAsync("/api/health");
        await session.Page.SetContentAsync("""
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <h1 style="font-size:24px">学生资助</h1><div style="height:2000px">延津县</div>
            """);

        Assert.Equal(200, response!.Status);
        Assert.Equal(new[] { 390, 844 }, await session.Page.EvaluateAsync<int[]>("[innerWidth, innerHeight]"));
        Assert.True(await session.Page.EvaluateAsync<bool>("matchMedia('(pointer: coarse)').matches && navigator.maxTouchPoints > 0"));
        Assert.Equal(2, await session.Page.EvaluateAsync<int>("devicePixelRatio"));
        Assert.Equal("学生资助", await session.Page.Locator("h1").InnerTextAsync());

        var saved = await Screenshots.SaveAsync(session.Page, "smoke-phone");
        var (width, height) = PngSize(saved[0]);
        Assert.Equal(Path.Combine(Repo.Root, "artifacts", "screenshots", "smoke-phone.png"), saved[0]);
        Assert.Equal(390 * 2, width);
        Assert.True(height > 2000 * 2, $"A full-page shot is taller than the 2000 px page at scale 2; it was {height} px.");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task Session_ScriptErrorAndRefusedRequest_AreRecorded()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);
        await session.Page.GotoAsync("/api/health");
        var closedPort = Azurite.FreePort();

        await session.Page.EvaluateAsync("() => console.error('控制台错误')");
        await session.Page.EvaluateAsync("() => { setTimeout(() => { throw new Error('未处理的异常'); }, 0); }");
        await session.Page.EvaluateAsync($"() => fetch('http://127.0.0.1:{closedPort}/nothing').catch(() => null)");
        await Eventually.UntilAsync(
            () => Task.FromResult(session.Errors.Count + session.FailedRequests.Count), n => n >= 3, TimeSpan.FromSeconds(10), "the three problems recorded");

        Assert.Contains(session.Errors, e => e.StartsWith("console.error: 控制台错误", StringComparison.Ordinal));
        Assert.Contains(session.Errors, e => e.StartsWith("uncaught: ", StringComparison.Ordinal) && e.Contains("未处理的异常", StringComparison.Ordinal));
        Assert.Equal($"GET http://127.0.0.1:{closedPort}/nothing: net::ERR_CONNECTION_REFUSED", Assert.Single(session.FailedRequests));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(session.AssertNoErrors);
    }

    [Fact]
    public async Task Session_ScriptFromTheInternet_FailsAtOnceAsFailedRequest()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);
        await session.Page.GotoAsync("/api/health");

        await session.Page.SetContentAsync("""<script src="https://unpkg.com/vue@3/dist/vue.global.js"></script><p>离线</p>""");
        await Eventually.UntilAsync(() => Task.FromResult(session.FailedRequests.Count), n => n > 0, TimeSpan.FromSeconds(10), "the script's failure recorded");

        Assert.Equal("GET https://unpkg.com/vue@3/dist/vue.global.js: net::ERR_NAME_NOT_RESOLVED", Assert.Single(session.FailedRequests));
        Assert.Equal("离线", await session.Page.Locator("p").InnerTextAsync());
    }

    [Fact]
    public async Task Sessions_SameBrowser_ShareNoStorage()
    {
        await using var first = await browser.NewSessionAsync(App.BaseUrl);
        await using var second = await browser.NewSessionAsync(App.BaseUrl);
        await first.Page.GotoAsync("/api/health");
        await second.Page.GotoAsync("/api/health");

        await first.Page.EvaluateAsync("() => { localStorage.setItem('key', 'first'); document.cookie = 'c=1; path=/'; }");

        Assert.Equal("first", await first.Page.EvaluateAsync<string?>("localStorage.getItem('key')"));
        Assert.Null(await second.Page.EvaluateAsync<string?>("localStorage.getItem('key')"));
        Assert.Equal("", await second.Page.EvaluateAsync<string>("document.cookie"));
    }

    [Fact]
    public void PathsFor_NameAndUpdateFlag_ArtifactsAndOptionallyDocs()
    {
        Assert.Equal([Path.Combine(Repo.Root, "artifacts", "screenshots", "console-home.png")], Screenshots.PathsFor("console-home", updateDocs: false));
        Assert.Equal(
            [Path.Combine(Repo.Root, "artifacts", "screenshots", "console-home.png"), Path.Combine(Repo.Root, "docs", "screenshots", "console-home.png")],
            Screenshots.PathsFor("console-home", updateDocs: true));
        Assert.Throws<ArgumentException>(() => Screenshots.PathsFor("../escape", updateDocs: false));
        Assert.Throws<ArgumentException>(() => Screenshots.PathsFor("", updateDocs: false));
    }

    /// <summary>Width and height from a PNG's IHDR chunk; fails unless the file is a PNG.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }
}
