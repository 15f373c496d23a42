using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using EduRelief.Accounts;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Workflow;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Rosters;

/// <summary>
/// Hostile and malformed files uploaded over HTTP to the real app (issue 14, items 3 and 4): each is refused with a 400
/// naming the limit or the line, the current file stays, and the app stays small. One app per class, so its peak
/// resident set (VmHWM) covers only these uploads.
/// </summary>
public sealed class HostileUploadTests(EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    private const string CsvType = "text/csv";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const long MaxRssBytes = 512L * 1024 * 1024;

    private AppProcess App => fixture.App;

    private HttpClient Admin => App.Admin;

    private async Task<(string Id, JsonNode Rosters)> CycleWithStudentRosterAsync(string countyCode)
    {
        var (status, created) = await Admin.PostAsync("/api/cycles", new { countyCode, semester = "2026-autumn" });
        Assert.True(status is 201 or 200, $"{status} {created}");
        var id = (string)created!["id"]!;
        var good = SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), Encoding.UTF8);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(Admin, id, "students", good, CsvType)).Status);
        return (id, await RostersAsync(id));
    }

    private async Task<JsonNode> RostersAsync(string cycleId) => (await Admin.GetJsonAsync($"/api/cycles/{cycleId}")).Body!["rosters"]!;

    private static string Errors(JsonNode? problem) => problem!["errors"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public async Task Upload_XlsxWithA500MillionCharacterCell_400NamingTheLimitAndTheAppStaysUnder512MiB()
    {
        var (id, before) = await CycleWithStudentRosterAsync("410726");
        var peakBefore = App.PeakRssBytes();

        foreach (var shared in new[] { true, false })
        {
            byte[] file;
            using (var built = RosterFiles.HugeCellXlsx(500_000_000, shared))
            {
                file = built.ToArray();
            }

            AssertPassesTheZipBombCheck(file);
            var (status, problem) = await VerificationApiTests.UploadAsync(Admin, id, "students", file, XlsxType);

            Assert.True(status == 400, $"{status} {problem}");
            Assert.Equal(RosterErrors.OverLimit.En, (string?)problem!["detail"]);
            Assert.Contains("32,767 个字符的上限", Errors(problem));
            if (!shared)
            {
                Assert.Contains("工作表“S1”第 2 行 A 列", Errors(problem));
            }

            if (shared)
            {
                var (accounts, accountsProblem) = await App.Admin.PutFileAsync("/api/counties/410726/accounts", file, XlsxType);
                Assert.True(accounts == 400, $"{accounts} {accountsProblem}");
                Assert.Contains("32,767 个字符的上限", Errors(accountsProblem));
            }
        }

        Assert.Equal(before.ToJsonString(), (await RostersAsync(id)).ToJsonString());
        var peak = App.PeakRssBytes();
        output.WriteLine($"The app's peak resident set (VmHWM): {peakBefore / (1024 * 1024)} MiB before the hostile uploads, {peak / (1024 * 1024)} MiB after.");
        Assert.True(peak < MaxRssBytes, $"the app's peak resident set was {peak / (1024 * 1024)} MiB");
    }

    /// <summary>The file is refused by the new limits, not by the zip-bomb check that looks at sizes and ratios only.</summary>
    private static void AssertPassesTheZipBombCheck(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        Assert.Contains(zip.Entries, e => e.Length >= 500_000_000);
        Assert.All(zip.Entries, e => Assert.Null(WorkbookLimits.Check(e.FullName, e.CompressedLength, e.Length)));
    }

    [Fact]
    public async Task Upload_CsvWithAQuoteLeftOpen_400NamingTheLineAndTheRosterStays()
    {
        var (id, before) = await CycleWithStudentRosterAsync("410727");
        var lines = Encoding.UTF8.GetString(SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), Encoding.UTF8)).Split("\r\n");
        lines[3] = "\"" + lines[3];
        var garbled = Encoding.UTF8.GetBytes(string.Join("\r\n", lines));

        var (status, problem) = await VerificationApiTests.UploadAsync(Admin, id, "students", garbled, CsvType);

        Assert.Equal(400, status);
        Assert.Equal(RosterErrors.MalformedCsv.En, (string?)problem!["detail"]);
        Assert.Contains("文件第 4 行", (string?)problem["errors"]!["row:4"]![0]);
        Assert.Equal(before.ToJsonString(), (await RostersAsync(id)).ToJsonString());

        var (accounts, accountsProblem) = await App.Admin.PutFileAsync("/api/counties/410727/accounts", Encoding.UTF8.GetBytes("身份证号,账户名,账号,开户行\r\n张\"三,x,y,z\r\n"), CsvType);
        Assert.Equal(400, accounts);
        Assert.Contains("文件第 2 行", (string?)accountsProblem!["errors"]!["row:2"]![0]);
        Assert.Equal(0, (await new AccountsStore(await fixture.StorageAsync()).GetVersionAsync("410727", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Upload_RosterWithOnlyAHeader_400AndTheRosterStays()
    {
        var (id, before) = await CycleWithStudentRosterAsync("410781");

        foreach (var (file, type) in new[]
        {
            (SampleCounty.Csv(SampleCounty.StudentHeader, [], Encoding.UTF8), CsvType),
            (RosterFiles.Xlsx(RosterFiles.Sheet(RosterFiles.HeaderRow(SampleCounty.StudentHeader), RosterFiles.Row(2))).ToArray(), XlsxType),
        })
        {
            var (status, problem) = await VerificationApiTests.UploadAsync(Admin, id, "students", file, type);

            Assert.Equal(400, status);
            Assert.Contains("没有数据行", (string?)problem!["errors"]!["file"]![0]);
        }

        Assert.Equal(before.ToJsonString(), (await RostersAsync(id)).ToJsonString());
    }
}
