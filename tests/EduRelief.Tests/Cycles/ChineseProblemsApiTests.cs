using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// With no Accept-Language, every problem a person can meet reads in Chinese: title, detail and each field error, across
/// the features (calendar, policy, dev clock, keys, officers, mail, contacts, hotline, cycles, rosters, accounts,
/// rectification, payments); a school is named by its name, not its code.
/// </summary>
public sealed partial class ChineseProblemsApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    /// <summary>Three ASCII words in a row: an English sentence, not a field name, code or example value.</summary>
    [GeneratedRegex(@"\b[A-Za-z]+(?:[ ,]+[A-Za-z]+){2,}\b")]
    private static partial Regex EnglishWords();

    [GeneratedRegex(@"[\u4e00-\u9fff]")]
    private static partial Regex Chinese();

    private static HttpClient Chinese(HttpClient client)
    {
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        return client;
    }

    private static async Task<(int Status, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string url, object? body = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content ?? (body is null ? null : JsonContent.Create(body)) };
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    /// <summary>Every text of the problem a person reads, labelled by where it came from.</summary>
    private static IEnumerable<(string Where, string Text)> Texts(string request, JsonObject problem)
    {
        yield return ($"{request} title", (string?)problem["title"] ?? "");
        yield return ($"{request} detail", (string?)problem["detail"] ?? "");
        foreach (var (field, messages) in problem["errors"]?.AsObject() ?? [])
        {
            foreach (var message in messages!.AsArray())
            {
                yield return ($"{request} errors.{field}", (string?)message ?? "");
            }
        }
    }

    [Fact]
    public async Task BadRequests_NoLanguage_EveryTitleDetailAndErrorIsChinese()
    {
        using var admin = Chinese(App.CreateClient(AppProcess.AdminKey));
        var cycleId = "130105-2027-spring";
        Assert.Equal(201, (await App.Admin.PostAsync("/api/cycles", new { countyCode = "130105", semester = "2027-spring" })).Status);
        var longCell = new string('长', 1200);

        var requests = new List<(string Name, HttpMethod Method, string Url, object? Body, Func<HttpContent>? Content, int Status)>
        {
            ("calendar year", HttpMethod.Get, "/api/calendar/27", null, null, 400),
            ("calendar body", HttpMethod.Put, "/api/calendar/2027", new { holidays = new object[] { new { date = "2026-01-01", name = "" }, new { date = "x" } }, workdays = new object[] { new { date = "2027-03-03", name = "调休" } } }, null, 400),
            ("calendar missing", HttpMethod.Get, "/api/calendar/2090", null, null, 404),
            ("policy year", HttpMethod.Get, "/api/policies/1999", null, null, 400),
            ("policy scope", HttpMethod.Get, "/api/policies/2026?scope=town:1", null, null, 400),
            ("policy body", HttpMethod.Put, "/api/policies/2026?scope=default", new { schoolYear = 2025, programs = new object[] { new { code = "x", stage = "y", amount = -1.234m, grades = Array.Empty<int>() } }, notes = new[] { "" } }, null, 400),
            ("dev clock duration", HttpMethod.Post, "/api/dev/clock", new { advanceBy = "soon" }, null, 400),
            ("dev clock both", HttpMethod.Post, "/api/dev/clock", new { setTo = "2026-10-09", advanceBy = "P1D" }, null, 400),
            ("dev instance", HttpMethod.Get, "/api/dev/instances/nobody", null, null, 404),
            ("key body", HttpMethod.Post, "/api/keys", new { name = "", role = "x", counties = new[] { "999999" } }, null, 400),
            ("key school", HttpMethod.Post, "/api/keys", new { name = "k", role = "school_officer", counties = Array.Empty<string>() }, null, 400),
            ("officer", HttpMethod.Put, "/api/officers/not-a-guid", new { schoolCode = "1" }, null, 400),
            ("officer missing", HttpMethod.Delete, $"/api/officers/{Guid.NewGuid()}", null, null, 404),
            ("mail status", HttpMethod.Get, "/api/mail?status=lost", null, null, 400),
            ("contacts", HttpMethod.Put, "/api/counties/410726/contacts", new { bureauEmail = "x", sections = new Dictionary<string, string> { [" "] = "x" }, schools = new Dictionary<string, string> { ["12"] = "x" } }, null, 400),
            ("hotline filters", HttpMethod.Get, "/api/hotline/cases?status=x&category=y&cycleId=z", null, null, 400),
            ("hotline webhook", HttpMethod.Post, "/api/hotline/cases", new { externalId = "1" }, null, 401),
            ("cycle body", HttpMethod.Post, "/api/cycles", new { countyCode = "1", semester = "2026-winter", noticeDays = 99 }, null, 400),
            ("roster columns", HttpMethod.Put, $"/api/cycles/{cycleId}/rosters/students", null, () => Csv("姓名,身份证号码,学校标识码\n张三,1,2\n"), 400),
            ("roster cell", HttpMethod.Put, $"/api/cycles/{cycleId}/rosters/students", null, () => Csv($"{string.Join(',', SampleCounty.StudentHeader)}\n{longCell},1,4107260001,学校,小学,1,是,\n"), 400),
            ("roster binary", HttpMethod.Put, $"/api/cycles/{cycleId}/rosters/students", null, () => new ByteArrayContent([0xFF, 0xFE, 0x41, 0x00]) { Headers = { ContentType = new("text/csv") } }, 400),
            ("id number", HttpMethod.Post, "/api/counties/410726/accounts/search", new { idNumber = "410726200901011230" }, null, 400),
            ("rectification filters", HttpMethod.Get, $"/api/cycles/{cycleId}/rectification?status=x&source=y&owner=z&overdue=maybe", null, null, 400),
            ("batch body", HttpMethod.Post, $"/api/cycles/{cycleId}/batches", new { program = "x", kind = "y", requestId = "a/b" }, null, 400),
        };

        var offences = new List<string>();
        foreach (var (name, method, url, body, content, status) in requests)
        {
            var (actual, problem) = await SendAsync(admin, method, url, body, content?.Invoke());
            Assert.True(actual == status, $"{name}: {actual} {problem.ToJsonString()}");
            foreach (var (where, text) in Texts(name, problem))
            {
                if (!Chinese().IsMatch(text) || EnglishWords().Match(text) is { Success: true })
                {
                    offences.Add($"{where}: {text}");
                }
            }
        }

        Assert.True(offences.Count == 0, "English problem texts:\n" + string.Join("\n", offences));
    }

    [Fact]
    public async Task OtherSchool_OfficerAsksAfterVerification_ProblemNamesTheSchoolNotItsCode()
    {
        var id = "410726-2026-autumn";
        var admin = App.Admin;
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-28T09:00:00+08:00" });
        Assert.Equal(201, (await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");
        using var officer = Chinese(await App.ClientForRoleAsync("school_officer", "4107260001"));

        var (_, me) = await SendAsync(officer, HttpMethod.Get, "/api/me");
        var (status, zh) = await SendAsync(officer, HttpMethod.Get, $"/api/cycles/{id}/schools/4107260002");
        var (_, payments) = await SendAsync(officer, HttpMethod.Get, $"/api/cycles/{id}/payments?schoolCode=4107260002");
        officer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var (_, en) = await SendAsync(officer, HttpMethod.Get, $"/api/cycles/{id}/schools/4107260002");

        Assert.Equal(403, status);
        Assert.Equal("您的账号属于其他学校，不能查看或办理第一初级中学的事务。", (string?)zh["detail"]);
        Assert.Equal((string?)zh["detail"], (string?)payments["detail"]);
        Assert.Equal("Your key is for another school than 第一初级中学 (4107260002).", (string?)en["detail"]);
        Assert.Equal(("4107260001", "城关镇第一小学"), ((string?)me["schoolCode"], (string?)me["schoolName"]));
    }

    [Fact]
    public async Task OtherSchool_NoVerifiedRoster_SaysTheCodeIsASchoolCode()
    {
        using var officer = Chinese(await App.ClientForRoleAsync("school_officer", "4107260001"));

        var (status, zh) = await SendAsync(officer, HttpMethod.Get, "/api/cycles/410726-2030-autumn/schools/4107260009");

        Assert.Equal(403, status);
        Assert.Equal("您的账号属于其他学校，不能查看或办理学校标识码为 4107260009 的学校的事务。", (string?)zh["detail"]);
    }

    private static ByteArrayContent Csv(string text) =>
        new(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new("text/csv") } };
}
