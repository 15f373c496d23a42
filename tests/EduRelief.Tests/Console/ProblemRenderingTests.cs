using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>The console shows a problem's title, detail and field errors as the API gave them, in the API's language.</summary>
[Collection("browser")]
public sealed class ProblemRenderingTests(BrowserFixture browser, EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    private const string Render = """
        async (problem) => {
          const { ApiError } = await import('/console/js/api.js');
          const { problem: render } = await import('/console/js/ui.js');
          const body = { title: problem.title, detail: problem.detail, errors: problem.errors };
          Object.defineProperty(body, 'lang', { value: problem.lang, enumerable: false });
          const shown = render(new ApiError(problem.status, body));
          const lead = shown.querySelector('p');
          const fields = shown.querySelector('.field-errors');
          return [lead.textContent, lead.getAttribute('lang') ?? '', fields?.textContent ?? '', fields?.getAttribute('lang') ?? ''];
        }
        """;

    [Fact]
    public async Task Problem_InChinese_ShowsTitleDetailAndErrorsAsGiven()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);
        await session.Page.GotoAsync("/console/");

        var shown = await session.Page.EvaluateAsync<string[]>(Render, new
        {
            status = 409,
            title = "当前无法办理",
            detail = "资助周期 410726-2026-autumn 处于 cancelled 阶段：名册只能在审核结束前替换。",
            errors = new Dictionary<string, string[]> { ["stage"] = ["cancelled：名册只能在审核结束前替换"] },
            lang = "zh-CN",
        });

        Assert.Equal("当前无法办理 — 资助周期 410726-2026-autumn 处于 cancelled 阶段：名册只能在审核结束前替换。", shown[0]);
        Assert.Equal("", shown[1]);
        Assert.Equal("stage cancelled：名册只能在审核结束前替换", shown[2]);
        Assert.Equal("", shown[3]);
    }

    [Fact]
    public async Task Problem_InEnglish_ShowsItAsGivenMarkedEnglish()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);
        await session.Page.GotoAsync("/console/");

        var shown = await session.Page.EvaluateAsync<string[]>(Render, new
        {
            status = 404,
            title = "Not found",
            detail = "Cycle 410726-1999-autumn does not exist.",
            errors = (Dictionary<string, string[]>?)null,
            lang = "en",
        });

        Assert.Equal("Not found — Cycle 410726-1999-autumn does not exist.", shown[0]);
        Assert.Equal("en", shown[1]);
        Assert.Equal("", shown[2]);
    }

    [Fact]
    public async Task ConsoleRequest_ChineseBrowser_AsksForChineseProblems()
    {
        await using var session = await browser.NewSessionAsync(App.BaseUrl);
        await session.Page.GotoAsync("/console/");

        var answer = await session.Page.EvaluateAsync<string[]>("""
            async () => {
              const { api, ApiError } = await import('/console/js/api.js');
              try { await api.get('/notices/410726-1999-autumn'); return ['no error']; }
              catch (e) { return [String(e instanceof ApiError), e.problem.title ?? '', e.lang ?? '']; }
            }
            """);

        Assert.Equal("true", answer[0]);
        Assert.Equal("未找到", answer[1]);
        Assert.Equal("zh-CN", answer[2]);
    }
}
