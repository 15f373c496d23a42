using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>
/// 两后生 over HTTP: the generated spring cycle's 初中 and 普通高中 graduates who are in no roster and not on the 外地就学
/// list of the autumn are referred by the autumn's verification, once each; the bureau records outcomes; the county's
/// workbook lists them for the human-resources department.
/// </summary>
public sealed class ReferralApiTests(TwoSemestersFixture fixture) : IClassFixture<TwoSemestersFixture>
{
    private const string List = $"/api/counties/{TwoSemestersFixture.County}/referrals";

    private HttpClient Admin => fixture.App.Admin;

    private async Task<JsonArray> AllAsync(HttpClient client, string query = "") =>
        (await client.GetJsonAsync($"{List}?pageSize=1000{query}")).Body!["items"]!.AsArray();

    [Fact]
    public async Task AutumnVerification_RefersEachGeneratedCandidateOnce_EvenWhenVerifiedAgain()
    {
        var expected = fixture.Generated.Changes;
        var referrals = await AllAsync(Admin);

        Assert.True(expected.ReferralCandidates > 0, expected.ToString());
        Assert.Equal(expected.ReferralCandidates, referrals.Count);
        Assert.All(referrals, r =>
        {
            Assert.Equal(("410726-2026-spring", "410726-2026-autumn"), ((string)r!["springCycleId"]!, (string)r["autumnCycleId"]!));
            Assert.Contains((string)r["stage"]!, new[] { "初中", "普通高中" });
            Assert.Equal(3, (int)r["grade"]!);
            Assert.Matches(@"^\d{6}\*{8}[\dX]{4}$", (string)r["idNumber"]!);
            Assert.False(string.IsNullOrEmpty((string?)r["name"]));
            Assert.False(string.IsNullOrEmpty((string?)r["schoolName"]));
        });
        Assert.Equal(referrals.Count, referrals.Select(r => (string)r!["idNumber"]! + (string)r["name"]!).Distinct().Count());

        var autumn = "410726-2026-autumn";
        var runId = (string?)fixture.Autumn["verification"]!["runId"];
        Assert.Equal(202, (await Admin.PostAsync($"/api/cycles/{autumn}/verification/rerun")).Status);
        await Eventually.UntilAsync(() => Admin.GetJsonAsync($"/api/cycles/{autumn}"),
            r => (string?)r.Body!["stage"] == "review" && (string?)r.Body["verification"]?["runId"] != runId, TimeSpan.FromSeconds(120), "the autumn verified again");
        Assert.Equal(referrals.Count, (await AllAsync(Admin)).Count);
    }

    [Fact]
    public async Task Outcome_RecordedOnceThenChanged_KeepsTheHistory_BadBody400_UnknownReferral404()
    {
        var referral = (await AllAsync(Admin, "&status=open"))[0]!;
        var url = $"{List}/{(string)referral["id"]!}";
        var openBefore = (await AllAsync(Admin, "&status=open")).Count;

        var (declined, first) = await Admin.PostAsync($"{url}/outcome", new { outcome = "declined", date = "2026-08-28", note = "家长希望孩子外出务工" });
        var (again, same) = await Admin.PostAsync($"{url}/outcome", new { outcome = "declined", date = "2026-08-28", note = "家长希望孩子外出务工" });
        var (enrolled, later) = await Admin.PostAsync($"{url}/outcome", new { outcome = "vocational", date = "2026-09-01", note = "经劝导进入县职教中心" });

        Assert.Equal((200, 200, 200), (declined, again, enrolled));
        Assert.Equal(("closed", "declined", "2026-08-28"), ((string)first!["status"]!, (string)first["outcome"]!, (string)first["outcomeDate"]!));
        Assert.Equal((string?)first["recordedAt"], (string?)same!["recordedAt"]);
        Assert.Equal(("vocational", "升入中职或技工学校"), ((string)later!["outcome"]!, (string)later["outcomeLabel"]!));
        Assert.Equal("declined", (string?)Assert.Single(later["history"]!.AsArray())!["outcome"]);
        Assert.Equal(openBefore - 1, (await AllAsync(Admin, "&status=open")).Count);

        var (bad, problem) = await Admin.PostAsync($"{url}/outcome", new { outcome = "graduated", date = "2099-01-01" });
        Assert.Equal(400, bad);
        Assert.Equal(["date", "outcome"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(404, (await Admin.GetJsonAsync($"{List}/{new string('0', 32)}")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync($"{List}/not-an-id")).Status);
    }

    [Fact]
    public async Task SchoolOfficer_SeesOwnFormerPupilsOnly_AndRecordsNothing()
    {
        var referrals = await AllAsync(Admin);
        var school = (string)referrals[0]!["schoolCode"]!;
        using var officer = await fixture.App.ClientForRoleAsync("school_officer", school);

        var own = await AllAsync(officer);
        Assert.Equal(referrals.Count(r => (string?)r!["schoolCode"] == school), own.Count);
        Assert.All(own, r => Assert.Equal(school, (string?)r!["schoolCode"]));
        var other = referrals.FirstOrDefault(r => (string?)r!["schoolCode"] != school);
        Assert.True(other is not null, "the generated county refers children of more than one school");
        Assert.Equal(403, (await officer.GetJsonAsync($"{List}/{(string)other!["id"]!}")).Status);

        Assert.Equal(403, (await officer.PostAsync($"{List}/{(string)own[0]!["id"]!}/outcome", new { outcome = "training", date = "2026-08-28" })).Status);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await officer.GetAsync($"{List}.xlsx")).StatusCode);
    }

    [Fact]
    public async Task Workbook_ListsEveryReferralMasked_ForTheHumanResourcesDepartment()
    {
        var referrals = await AllAsync(Admin);

        using var response = await Admin.GetAsync($"{List}.xlsx");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var document = SpreadsheetDocument.Open(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), false);
        var workbook = document.WorkbookPart!;
        var sheet = Assert.Single(workbook.Workbook.Sheets!.Elements<Sheet>());
        Assert.Equal("两后生转介", sheet.Name?.Value);
        Assert.Equal(referrals.Count, ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>().Count() - 1);
        var text = string.Concat(workbook.WorksheetParts.SelectMany(p => p.Worksheet.Descendants<Text>()).Select(t => t.Text))
            + string.Concat(workbook.SharedStringTablePart?.SharedStringTable.Descendants<Text>().Select(t => t.Text) ?? []);
        Assert.Contains((string)referrals[0]!["name"]!, text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{17}[\dX]", text);
    }
}
