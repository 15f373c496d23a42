using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary><c>PUT /api/cycles/{id}/rosters/outside</c> over HTTP: refused whole when a row cannot be used, read by verification, the seventh ledger sheet.</summary>
public sealed class OutsideListApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const string CsvType = "text/csv";

    private static readonly string[] Header = ["姓名", "身份证号", "就读省市", "就读学校", "学段", "年级"];

    private AppProcess App => fixture.App;

    private async Task<string> VerifiedSampleAsync(string countyCode)
    {
        var (status, body) = await App.Admin.PostAsync("/api/cycles", new { countyCode, semester = "2026-autumn" });
        Assert.True(status is 201 or 200, $"{status} {body}");
        var id = (string)body!["id"]!;
        Assert.Equal(202, (await Upload(id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk))).Status);
        Assert.Equal(202, (await Upload(id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk))).Status);
        await UntilVerifiedAsync(id, previousRun: null);
        return id;
    }

    private Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> Upload(string id, string kind, byte[] csv) =>
        App.Admin.PutFileAsync($"/api/cycles/{id}/rosters/{kind}", csv, CsvType);

    private async Task<System.Text.Json.Nodes.JsonNode> UntilVerifiedAsync(string id, string? previousRun) =>
        (await Eventually.UntilAsync(
            () => App.Admin.GetJsonAsync($"/api/cycles/{id}"),
            r => (string?)r.Body!["verification"]?["status"] == "completed" && (string?)r.Body["verification"]?["runId"] != previousRun && (string?)r.Body["stage"] == "review",
            TimeSpan.FromSeconds(60),
            $"verification of {id}")).Body!;

    [Fact]
    public async Task Outside_UploadedDuringReview_ReverifiesAndTheChildIsCountedOutsideNotNotEnrolled()
    {
        var id = await VerifiedSampleAsync("410621");
        var before = (await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Equal(SampleCounty.Expected.NotEnrolled, (int)before["verification"]!["discrepancies"]!["notEnrolled"]!);
        Assert.Equal(0, (int)before["verification"]!["outsideCounty"]!);

        var list = SampleCounty.Csv(Header, [["郑十", SampleCounty.I, "浙江省杭州市", "杭州市文三街小学", "小学", "4"], ["张三", SampleCounty.A, "浙江省杭州市", "杭州市文三街小学", "小学", "5"]], Encoding.UTF8);
        var (status, accepted) = await Upload(id, "outside", list);
        Assert.Equal(202, status);
        Assert.Equal(2, (int)accepted!["rows"]!);

        var after = await UntilVerifiedAsync(id, (string?)before["verification"]!["runId"]);
        var v = after["verification"]!;
        Assert.Equal(SampleCounty.Expected.NotEnrolled - 1, (int)v["discrepancies"]!["notEnrolled"]!);
        Assert.Equal(1, (int)v["outsideCounty"]!);
        Assert.Equal(SampleCounty.Expected.Eligible, (int)v["eligible"]!);
        Assert.Equal(2, (int)after["rosters"]!["outside"]!["rows"]!);

        var (_, listed) = await App.Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=outsideCounty");
        var away = Assert.Single(listed!["items"]!.AsArray())!;
        Assert.Equal(("outside", "郑十", "东屯镇", "后屯村", "杭州市文三街小学", "浙江省杭州市", "小学", 4),
            ((string)away["file"]!, (string)away["povertyName"]!, (string)away["township"]!, (string)away["village"]!, (string)away["schoolName"]!, (string)away["place"]!, (string)away["stage"]!, (int)away["grade"]!));
        Assert.DoesNotContain(SampleCounty.I, away.ToJsonString(), StringComparison.Ordinal);

        using var response = await App.Admin.GetAsync($"/api/cycles/{id}/ledger.xlsx");
        using var document = SpreadsheetDocument.Open(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), false);
        var workbook = document.WorkbookPart!;
        Assert.Equal(7, workbook.Workbook.Sheets!.Elements<Sheet>().Count());
        Assert.Equal(0, DataRows(workbook, "控辍保学"));
        Assert.Equal(1, DataRows(workbook, "外地就学"));
        var text = string.Concat(workbook.WorksheetParts.SelectMany(p => p.Worksheet.Descendants<Text>()).Select(t => t.Text));
        Assert.Contains("杭州市文三街小学", text, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.I, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_RowsItCannotUse_400NamingEachRow_AndTheCycleKeepsNoList()
    {
        var id = await VerifiedSampleAsync("410622");
        var runId = (string?)(await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["verification"]!["runId"];
        var list = SampleCounty.Csv(Header,
        [
            ["郑十", SampleCounty.I, "浙江省杭州市", "杭州市文三街小学", "小学", "4"],
            ["钱一", SampleCounty.BadCheck(SampleCounty.A), "浙江省杭州市", "杭州市文三街小学", "小学", "4"],
            ["孙七", SampleCounty.E, "浙江省杭州市", "杭州市文三街小学", "小学", "9"],
        ], Encoding.UTF8);

        var (status, problem) = await Upload(id, "outside", list);

        Assert.Equal(400, status);
        var errors = problem!["errors"]!.AsObject();
        Assert.Equal(["row:3", "row:4"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        var cycle = (await App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Null(cycle["rosters"]!["outside"]);
        Assert.Equal(runId, (string?)cycle["verification"]!["runId"]);
        Assert.Equal(404, (await Upload(id, "elsewhere", list)).Status);
    }

    private static int DataRows(WorkbookPart workbook, string name)
    {
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        return ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>().Count() - 1;
    }
}
