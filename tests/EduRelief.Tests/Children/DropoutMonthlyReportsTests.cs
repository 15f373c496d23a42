using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Children;

/// <summary>
/// Three monthly reports of a generated county (spring and autumn 2026 verified), on the dev clock: September's on the
/// first working day of October (the 1st is National Day), October's on 2 November after the bureau recorded one child
/// back at school and one home-schooled, November's on 1 December. Every figure equals the generator's own count of the
/// autumn files (<see cref="EduRelief.Bench.Generator.ExpectedSchoolAge"/>) moved by exactly what the bureau recorded.
/// </summary>
public sealed class DropoutMonthlyReportsTests(TwoSemestersFixture fixture, ITestOutputHelper output) : IClassFixture<TwoSemestersFixture>
{
    private const string County = TwoSemestersFixture.County;

    [Fact]
    public async Task MonthlyReports_ThreeMonthsOfAGeneratedCounty_FiguresAreTheGeneratorsMovedByTheOutcomesRecorded()
    {
        var expected = fixture.Generated.Changes.AutumnSchoolAge;
        output.WriteLine($"the generator's autumn: {expected}");
        Assert.True(expected.NotInSchool >= 2 && expected.Outside > 0 && expected.ReturnedAtAutumn > 0, $"{expected}");
        var admin = fixture.App.Admin;

        var september = await ReportAsync("2026-10-08T09:00:00+08:00", "2026-09");
        Assert.Equal((expected.SchoolAge, expected.Enrolled, expected.Outside, 0, 0, expected.NotInSchool, expected.ReturnedAtAutumn), Figures(september));
        Assert.Equal("2026-autumn", (string?)september["referenceSemester"]);

        // October: the bureau records one child back at school and another taught at home.
        await Clock("2026-10-20T10:00:00+08:00");
        var (_, open) = await admin.GetJsonAsync($"/api/counties/{County}/dropout-cases?status=not_in_school&pageSize=1000");
        // Cases the autumn verification saw (a spring case of a child now on the 外地就学 list stays open but is not
        // carried: the list counts that child outside the county, whatever the case says).
        var cases = open!["items"]!.AsArray().Where(c => c!["cycles"]!.AsArray().Any(x => (string?)x == $"{County}-2026-autumn")).ToList();
        var back = cases.First(c => c!["schoolCode"] is not null)!;
        var home = cases.First(c => (string)c!["id"]! != (string)back["id"]!)!;
        await OutcomeAsync((string)back["id"]!, new { outcome = "returned", date = "2026-10-19", schoolCode = (string)back["schoolCode"]! });
        await OutcomeAsync((string)home["id"]!, new { outcome = "home_schooling", date = "2026-10-20", teacher = "李老师", visitPlan = "每周二、周四上门送教" });

        var october = await ReportAsync("2026-11-02T09:00:00+08:00", "2026-10");
        Assert.Equal((expected.SchoolAge, expected.Enrolled + 1, expected.Outside, 1, 0, expected.NotInSchool - 2, 1), Figures(october));

        var november = await ReportAsync("2026-12-01T09:00:00+08:00", "2026-11");
        Assert.Equal((expected.SchoolAge, expected.Enrolled + 1, expected.Outside, 1, 0, expected.NotInSchool - 2, 0), Figures(november));
        var rate = Math.Round(100m * (expected.Enrolled + 1 + expected.Outside + 1) / expected.SchoolAge, 1, MidpointRounding.AwayFromZero);
        Assert.Equal(rate, (decimal?)november["figures"]!["consolidationRate"]);

        var (_, list) = await admin.GetJsonAsync($"/api/counties/{County}/dropout-reports");
        Assert.Equal(["2026-09", "2026-10", "2026-11"], list!["items"]!.AsArray().Select(r => (string?)r!["month"]));
    }

    private async Task Clock(string iso) => Assert.Equal(200, (await fixture.App.Admin.PostAsync("/api/dev/clock", new { setTo = iso })).Status);

    /// <summary>The 09:00 run at <paramref name="at"/>, as the runner would fire it, and the report it made.</summary>
    private async Task<JsonNode> ReportAsync(string at, string month)
    {
        await Clock(at);
        using var invoker = fixture.App.CreateClient(null);
        invoker.DefaultRequestHeaders.Add("X-EduRelief-Invocation", TwoSemestersFixture.InvocationToken);
        using var fired = await invoker.PostAsJsonAsync("/Reminders", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } });
        Assert.True(fired.IsSuccessStatusCode, $"POST /Reminders: {(int)fired.StatusCode}");
        var (_, report) = await Eventually.UntilAsync(
            () => fixture.App.Admin.GetJsonAsync($"/api/counties/{County}/dropout-reports/{month}"), r => r.Status == 200, TimeSpan.FromSeconds(60), $"the report of {month}");
        output.WriteLine($"{month}: {report!["figures"]!.ToJsonString()}");
        return report;
    }

    private async Task OutcomeAsync(string caseId, object outcome)
    {
        var (status, body) = await fixture.App.Admin.PostAsync($"/api/counties/{County}/dropout-cases/{caseId}/outcome", outcome);
        Assert.True(status == 200, $"{status} {body}");
    }

    private static (int SchoolAge, int Enrolled, int Outside, int Home, int Deferred, int NotInSchool, int Returned) Figures(JsonNode report)
    {
        var f = report["figures"]!;
        return ((int)f["schoolAge"]!, (int)f["enrolled"]!, (int)f["outside"]!, (int)f["homeSchooling"]!, (int)f["deferred"]!, (int)f["notInSchool"]!, (int)f["returned"]!);
    }
}
