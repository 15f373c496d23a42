using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Notices;
using Xunit;

namespace EduRelief.Tests.Policy;

/// <summary>
/// The public 明白纸 over HTTP against the app: no key, the notices' headers, every programme of the year's policy with
/// the amounts its data states (read from Data/policy-2026.json here, or from a county's override), the county's
/// hotline and objection address, and a Chinese 404 page for what it does not have.
/// </summary>
public sealed partial class PolicyPageTests
{
    [Fact]
    public async Task GetPolicyPage_KnownCountyAndYear_ListsEveryProgrammeWithItsAmountsWithoutAKey()
    {
        await using var app = await AppProcess.StartAsync();
        using var anonymous = app.CreateClient(null);
        await NoticeTestSupport.PutContactsAsync(app.Admin, "410726");

        var page = await anonymous.GetAsync("/policy/410726/2026");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", page.Content.Headers.ContentType?.CharSet, ignoreCase: true);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>延津县2026—2027学年学生资助政策明白纸</h1>", html, StringComparison.Ordinal);
        Assert.Contains(NoticeTestSupport.HotlinePhone, html, StringComparison.Ordinal);
        Assert.Contains(NoticeTestSupport.ObjectionAddress, html, StringComparison.Ordinal);
        Assert.Contains("@page{size:A4", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        var programs = policy["programs"]!.AsArray();
        var rows = Rows(html);
        Assert.Equal(programs.Count, rows.Count);
        for (var i = 0; i < programs.Count; i++)
        {
            AssertRowStates(rows[i], programs[i]!);
        }

        foreach (var note in policy["notes"]!.AsArray())
        {
            Assert.Contains(Escaped((string)note!), html, StringComparison.Ordinal);
        }

        // The same headers and CSP as the public notices (here a notice's 404, which passes the same filter).
        var notice = await anonymous.GetAsync("/notices/410726-2026-autumn");
        Assert.Equal(HttpStatusCode.NotFound, notice.StatusCode);
        foreach (var header in new[] { "Content-Security-Policy", "Cache-Control", "X-Content-Type-Options", "Referrer-Policy" })
        {
            Assert.Equal(string.Join(",", notice.Headers.GetValues(header)), string.Join(",", page.Headers.GetValues(header)));
        }

        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'", string.Join(",", page.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task GetPolicyPage_CountyOverride_ShowsTheOverridesAmounts()
    {
        await using var app = await AppProcess.StartAsync();
        using var anonymous = app.CreateClient(null);
        await NoticeTestSupport.PutContactsAsync(app.Admin, "410726");
        var document = new
        {
            programs = new object[]
            {
                new { code = "preschool_aid", stage = "学前", amount = 650m, note = "县级提标" },
                new { code = "living_subsidy", stage = "小学", boardingAmount = 700m, nonBoardingAmount = 350.50m },
            },
            notes = new[] { "县级调整" },
        };
        var (put, stored) = await app.Admin.SendJsonAsync(HttpMethod.Put, "/api/policies/2026?scope=county:410726", document);
        Assert.True(put == 200, $"{put} {stored}");

        var html = await anonymous.GetStringAsync("/policy/410726/2026");

        var rows = Rows(html);
        Assert.Equal(2, rows.Count);
        AssertRowStates(rows[0], JsonNode.Parse("""{ "code": "preschool_aid", "stage": "学前", "amount": 650 }""")!);
        AssertRowStates(rows[1], JsonNode.Parse("""{ "code": "living_subsidy", "stage": "小学", "boardingAmount": 700, "nonBoardingAmount": 350.50 }""")!);
        Assert.Contains("县级调整", html, StringComparison.Ordinal);
        Assert.DoesNotContain("1150.00", html, StringComparison.Ordinal);

        // Another county of the province keeps the shipped default.
        await NoticeTestSupport.PutContactsAsync(app.Admin, "410727");
        Assert.Equal(6, Rows(await anonymous.GetStringAsync("/policy/410727/2026")).Count);
    }

    [Fact]
    public async Task GetPolicyPage_UnknownCountyOrYear_AnswersAChinese404Page()
    {
        await using var app = await AppProcess.StartAsync();
        using var anonymous = app.CreateClient(null);
        await NoticeTestSupport.PutContactsAsync(app.Admin, "410726");

        // No such county, no policy for the year, not a year, and a county that published no contacts (the page could not say how to object).
        foreach (var path in new[] { "/policy/999999/2026", "/policy/410726/2031", "/policy/410726/26", "/policy/410725/2026" })
        {
            var page = await anonymous.GetAsync(path);

            Assert.True(page.StatusCode == HttpStatusCode.NotFound, $"{path}: {page.StatusCode}");
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("未找到资助政策明白纸", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("default-src 'none'; style-src 'unsafe-inline'", string.Join(",", page.Headers.GetValues("Content-Security-Policy")));
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/policy/410726/2026")).StatusCode);
    }

    /// <summary>A programme row names its programme's stage and the policy's amounts, with two decimals, and nothing else's.</summary>
    private static void AssertRowStates(string row, JsonNode program)
    {
        Assert.Contains((string)program["stage"]!, row, StringComparison.Ordinal);
        var amounts = new[] { "amount", "boardingAmount", "nonBoardingAmount" }
            .Where(k => program[k] is not null)
            .Select(k => ((decimal)program[k]!).ToString("0.00", CultureInfo.InvariantCulture))
            .ToList();
        Assert.NotEmpty(amounts);
        Assert.Equal(amounts, Amount().Matches(row).Select(m => m.Value));
        if (program["boardingAmount"] is not null)
        {
            Assert.Matches("住宿生 [0-9.]+ 元；非住宿生", row);
        }

        if (program["grades"] is JsonArray grades)
        {
            Assert.Contains(string.Join("、", grades.Select(g => "一二三四五六"[(int)g! - 1])) + "年级", row, StringComparison.Ordinal);
        }
    }

    private static List<string> Rows(string html)
    {
        var body = html[html.IndexOf("<tbody>", StringComparison.Ordinal)..html.IndexOf("</tbody>", StringComparison.Ordinal)];
        return [.. Row().Matches(body).Select(m => m.Value)];
    }

    private static string Escaped(string text) => System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(text);

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex Row();

    /// <summary>Amounts as the page writes them: digits, a point, two decimals (the notes column carries none).</summary>
    [GeneratedRegex(@"(?<![0-9.])[0-9]+\.[0-9]{2}(?![0-9])")]
    private static partial Regex Amount();
}
