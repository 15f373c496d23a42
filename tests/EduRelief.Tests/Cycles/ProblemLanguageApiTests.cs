using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>Problems read in Chinese by default and in English when Accept-Language prefers en.</summary>
public sealed class ProblemLanguageApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    private async Task<(int Status, JsonObject Body, string? Language)> SendAsync(HttpMethod method, string url, string? language, object? body = null, HttpContent? content = null)
    {
        using var client = App.CreateClient(AppProcess.AdminKey);
        client.DefaultRequestHeaders.Remove("Accept-Language");
        using var request = new HttpRequestMessage(method, url) { Content = content ?? (body is null ? null : JsonContent.Create(body)) };
        if (language is not null)
        {
            request.Headers.Add("Accept-Language", language);
        }

        using var response = await client.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        return ((int)response.StatusCode, json!, response.Content.Headers.ContentLanguage.FirstOrDefault());
    }

    [Fact]
    public async Task InvalidBody_NoLanguage_AnswersInChinese_EnglishOnRequest()
    {
        using var raw = new StringContent("{\"countyCode\": \"410726\", \"semester\": \"2029-autumn\", \"noticeDays\": \"five\"}", System.Text.Encoding.UTF8, "application/json");
        var (status, zh, zhLanguage) = await SendAsync(HttpMethod.Post, "/api/cycles", null, content: raw);
        using var raw2 = new StringContent("{\"countyCode\": \"410726\", \"semester\": \"2029-autumn\", \"noticeDays\": \"five\"}", System.Text.Encoding.UTF8, "application/json");
        var (_, en, enLanguage) = await SendAsync(HttpMethod.Post, "/api/cycles", "en-US,zh;q=0.5", content: raw2);

        Assert.Equal(400, status);
        Assert.Equal("请求有误", (string?)zh["title"]);
        Assert.Contains("不是预期类型的有效 JSON", (string?)zh["errors"]!["noticeDays"]![0], StringComparison.Ordinal);
        Assert.Equal("zh-CN", zhLanguage);
        Assert.Null(zh["__english"]);
        Assert.Equal("The request is not valid", (string?)en["title"]);
        Assert.Equal("This is not valid JSON of the expected type.", (string?)en["errors"]!["noticeDays"]![0]);
        Assert.Equal("en", enLanguage);
    }

    [Fact]
    public async Task UnknownCycle_ChinesePreferred_AnswersNotFoundInChinese()
    {
        var (status, zh, _) = await SendAsync(HttpMethod.Get, "/api/cycles/410726-1999-autumn", "zh-CN,en;q=0.8");
        var (_, en, _) = await SendAsync(HttpMethod.Get, "/api/cycles/410726-1999-autumn", "en");

        Assert.Equal(404, status);
        Assert.Equal("未找到", (string?)zh["title"]);
        Assert.Equal("资助周期 410726-1999-autumn不存在。", (string?)zh["detail"]);
        Assert.Equal("Not found", (string?)en["title"]);
        Assert.Equal("Cycle 410726-1999-autumn does not exist.", (string?)en["detail"]);
    }

    [Fact]
    public async Task RosterOnCancelledCycle_StageConflict_NamesStageInEitherLanguage()
    {
        var id = "130105-2026-autumn";
        Assert.Equal(201, (await App.Admin.PostAsync("/api/cycles", new { countyCode = "130105", semester = "2026-autumn" })).Status);
        Assert.Equal(200, (await App.Admin.PostAsync($"/api/cycles/{id}/cancel", new { reason = "wrong county" })).Status);

        using var csv = new StringContent("x", System.Text.Encoding.UTF8, "text/csv");
        var (status, zh, _) = await SendAsync(HttpMethod.Put, $"/api/cycles/{id}/rosters/students", null, content: csv);
        using var csv2 = new StringContent("x", System.Text.Encoding.UTF8, "text/csv");
        var (_, en, _) = await SendAsync(HttpMethod.Put, $"/api/cycles/{id}/rosters/students", "en", content: csv2);

        Assert.Equal(409, status);
        Assert.Equal("当前无法办理", (string?)zh["title"]);
        Assert.Equal($"资助周期 {id} 处于“已撤销”阶段：名册只能在审核结束前替换。", (string?)zh["detail"]);
        Assert.Equal("已撤销：名册只能在审核结束前替换", (string?)zh["errors"]!["stage"]![0]);
        Assert.Equal("Conflict", (string?)en["title"]);
        Assert.Equal($"Cycle {id} is in stage cancelled: rosters can be replaced only until review ends.", (string?)en["detail"]);
    }
}
