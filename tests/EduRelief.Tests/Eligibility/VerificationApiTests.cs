using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Eligibility;

/// <summary>Roster upload, verification, review and ledgers over HTTP against the real app.</summary>
public sealed class VerificationApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const string CsvType = "text/csv";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private AppProcess App => fixture.App;

    private HttpClient Admin => App.Admin;

    private async Task<string> NewCycleAsync(string countyCode)
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode, semester = "2026-autumn" });
        Assert.True(status is 201 or 200, $"{status} {body}");
        return (string)body!["id"]!;
    }

    internal static Task<(int Status, JsonNode? Body)> UploadAsync(HttpClient client, string cycleId, string kind, byte[] content, string contentType) =>
        client.PutFileAsync($"/api/cycles/{cycleId}/rosters/{kind}", content, contentType);

    private async Task<JsonNode> UntilVerifiedAsync(string cycleId, string? previousRun = null) =>
        (await Eventually.UntilAsync(
            () => Admin.GetJsonAsync($"/api/cycles/{cycleId}"),
            r => (string?)r.Body!["verification"]?["status"] is "completed" or "failed" && (string?)r.Body["verification"]?["runId"] != previousRun,
            TimeSpan.FromSeconds(60),
            $"verification of {cycleId}")).Body!;

    private async Task<JsonNode> UploadSampleAsync(string cycleId, Encoding encoding, bool bom)
    {
        Assert.Equal(202, (await UploadAsync(Admin, cycleId, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), encoding, bom), CsvType)).Status);
        Assert.Equal(202, (await UploadAsync(Admin, cycleId, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), encoding, bom), CsvType)).Status);
        return await UntilVerifiedAsync(cycleId);
    }

    private static void AssertSampleCounts(JsonNode cycle)
    {
        var v = cycle["verification"]!;
        Assert.Equal("completed", (string?)v["status"]);
        Assert.Equal(SampleCounty.Expected.Students, (int)v["students"]!);
        Assert.Equal(SampleCounty.Expected.PovertyPersons, (int)v["povertyPersons"]!);
        Assert.Equal(SampleCounty.Expected.Matched, (int)v["matched"]!);
        Assert.Equal(SampleCounty.Expected.Eligible, (int)v["eligible"]!);
        Assert.Equal(SampleCounty.Expected.PendingReview, (int)v["pendingReview"]!);
        var d = v["discrepancies"]!;
        Assert.Equal(SampleCounty.Expected.InvalidId, (int)d["invalidId"]!);
        Assert.Equal(SampleCounty.Expected.DuplicateId, (int)d["duplicateId"]!);
        Assert.Equal(SampleCounty.Expected.NameMismatch, (int)d["nameMismatch"]!);
        Assert.Equal(SampleCounty.Expected.NotEnrolled, (int)d["notEnrolled"]!);
        Assert.Equal(SampleCounty.Expected.InvalidRow, (int)d["invalidRow"]!);
        Assert.Equal(2, (int)v["programs"]!["living_subsidy"]!["recipients"]!);
        Assert.Equal(SampleCounty.Expected.LivingSubsidy, (decimal)v["programs"]!["living_subsidy"]!["amount"]!);
        Assert.Equal(SampleCounty.Expected.HsGrant, (decimal)v["programs"]!["hs_grant"]!["amount"]!);
        Assert.Equal(SampleCounty.Expected.Preschool, (decimal)v["programs"]!["preschool_aid"]!["amount"]!);
        Assert.Null(v["programs"]!["vocational_grant"]); // year 3 is eligible with no grant
        Assert.Equal(SampleCounty.Expected.Total, (decimal)v["totalAmount"]!);
        Assert.Equal("review", (string?)cycle["stage"]);
    }

    [Fact]
    public async Task Verify_GbkCsvRosters_CountsEveryRuleExactly()
    {
        var id = await NewCycleAsync("410702");
        var cycle = await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);

        AssertSampleCounts(cycle);
        Assert.Equal(10, (int)cycle["rosters"]!["students"]!["rows"]!);
        Assert.Equal(64, ((string)cycle["rosters"]!["poverty"]!["sha256"]!).Length);
        Assert.Equal("default", (string?)cycle["verification"]!["policyScope"]);
        Assert.StartsWith("default@", (string?)cycle["verification"]!["policyVersion"]);
    }

    [Fact]
    public async Task Verify_Utf8BomCsvRosters_CountsEveryRuleExactly()
    {
        var id = await NewCycleAsync("410703");
        AssertSampleCounts(await UploadSampleAsync(id, new UTF8Encoding(true), bom: true));
    }

    [Fact]
    public async Task Verify_XlsxWithNumericIdCells_RecoversExactNumbersAndReportsRoundedOnes()
    {
        var id = await NewCycleAsync("410711");
        var students = SampleCounty.Students();
        students[2][1] = SampleCounty.C; // plain digits: stored as an exact numeric cell
        var xlsx = SampleCounty.Xlsx(SampleCounty.StudentHeader, students, idColumn: 1, numericIds: true);
        var poverty = SampleCounty.Poverty();
        var lost = SampleCounty.J; // the adult's number, rounded by a numeric cell: invalid instead of silently wrong
        var povertyXlsx = SampleCounty.Xlsx(SampleCounty.PovertyHeader, poverty, idColumn: 3, numericIds: false, lostPrecisionId: lost);

        Assert.Equal(202, (await UploadAsync(Admin, id, "students", xlsx, XlsxType)).Status);
        Assert.Equal(202, (await UploadAsync(Admin, id, "poverty", povertyXlsx, XlsxType)).Status);
        var cycle = await UntilVerifiedAsync(id);

        var v = cycle["verification"]!;
        Assert.Equal("xlsx", (string?)cycle["rosters"]!["students"]!["format"]);
        Assert.Equal(SampleCounty.Expected.Matched, (int)v["matched"]!);
        Assert.Equal(SampleCounty.Expected.Eligible, (int)v["eligible"]!);
        Assert.Equal(SampleCounty.Expected.InvalidId + 1, (int)v["discrepancies"]!["invalidId"]!);
        var (_, invalid) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=invalidId");
        Assert.Contains(invalid!["items"]!.AsArray(), d => (string?)d!["file"] == "poverty" && (int?)d["povertyRow"] == 9);
    }

    [Fact]
    public async Task Upload_MultipartFormWithOneFile_IsImportedWithItsFileName()
    {
        var id = await NewCycleAsync("410104");
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk));
        file.Headers.ContentType = new MediaTypeHeaderValue(CsvType);
        form.Add(file, "file", "学籍名册.csv");
        using var response = await Admin.PutAsync($"/api/cycles/{id}/rosters/students", form);
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(202, (await UploadAsync(Admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), CsvType)).Status);

        var cycle = await UntilVerifiedAsync(id);
        AssertSampleCounts(cycle);
        Assert.Equal("学籍名册.csv", (string?)cycle["rosters"]!["students"]!["fileName"]);
    }

    [Fact]
    public async Task Discrepancies_ListedByKindAndSchool_WithRowsNamesAndMaskedIds()
    {
        var id = await NewCycleAsync("410721");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);

        var (status, page) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        Assert.Equal(200, status);
        var mismatch = page!["items"]!.AsArray().Single()!;
        Assert.Equal("赵六", (string?)mismatch["studentName"]);
        Assert.Equal("赵陆", (string?)mismatch["povertyName"]);
        Assert.Equal(5, (int)mismatch["studentRow"]!);
        Assert.Equal(4, (int)mismatch["povertyRow"]!);
        Assert.Equal("4107260002", (string?)mismatch["schoolCode"]);
        Assert.Equal(SampleCounty.D[..6] + "********" + SampleCounty.D[^4..], (string?)mismatch["idNumber"]);

        var (_, all) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?pageSize=1000");
        Assert.Equal(7, all!["items"]!.AsArray().Count);
        Assert.DoesNotContain(SampleCounty.A, all.ToJsonString(), StringComparison.Ordinal);
        var invalidRow = all["items"]!.AsArray().Single(d => (string?)d!["kind"] == "invalidRow")!;
        Assert.Equal("年级", (string?)invalidRow["column"]);
        Assert.Equal(8, (int)invalidRow["studentRow"]!);

        var (_, school) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?schoolCode=4107260001");
        Assert.All(school!["items"]!.AsArray(), d => Assert.Equal("4107260001", (string?)d!["schoolCode"]));
        Assert.Equal(2, school["items"]!.AsArray().Count); // the bad check character and the bad grade

        var (paged, first) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?pageSize=3");
        Assert.Equal(200, paged);
        Assert.Equal(3, first!["items"]!.AsArray().Count);
        Assert.NotNull((string?)first["continuationToken"]);
        Assert.Equal(400, (await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=typo")).Status);
    }

    [Fact]
    public async Task Review_ConfirmMismatch_MakesStudentEligibleAndApproveThenSucceeds()
    {
        var id = await NewCycleAsync("410724");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);
        var (_, page) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        var discrepancyId = (string)page!["items"]![0]!["id"]!;

        var (refused, refusal) = await Admin.PostAsync($"/api/cycles/{id}/approve");
        Assert.Equal(409, refused);
        Assert.Contains("pending", (string?)refusal!["detail"]);
        Assert.Equal(400, (await Admin.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "maybe", reason = "x" })).Status);
        Assert.Equal(400, (await Admin.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "confirm" })).Status);

        using var otherOfficer = await App.ClientForRoleAsync("school_officer", "4107260001", ["410724"]);
        Assert.Equal(403, (await otherOfficer.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "confirm", reason = "same child" })).Status);
        using var officer = await App.ClientForRoleAsync("school_officer", "4107260002", ["410724"]);
        var (decided, decision) = await officer.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "confirm", reason = "户口本 shows 赵陆 is a typo of 赵六" });
        Assert.Equal(200, decided);
        Assert.Equal("confirm", (string?)decision!["decision"]);
        Assert.Equal(200, (await officer.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "confirm", reason = "again" })).Status);
        Assert.Equal(409, (await Admin.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "reject", reason = "changed my mind" })).Status);

        var cycle = (await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        var v = cycle["verification"]!;
        Assert.Equal(0, (int)v["pendingReview"]!);
        Assert.Equal(SampleCounty.Expected.Eligible + 1, (int)v["eligible"]!);
        Assert.Equal(3, (int)v["programs"]!["living_subsidy"]!["recipients"]!);
        Assert.Equal(SampleCounty.Expected.LivingSubsidy + 750m, (decimal)v["programs"]!["living_subsidy"]!["amount"]!);
        Assert.Equal(SampleCounty.Expected.Total + 750m, (decimal)v["totalAmount"]!);
        var (_, ledger) = await Admin.GetJsonAsync($"/api/cycles/{id}/ledger?program=living_subsidy&schoolCode=4107260002");
        Assert.Equal(2, ledger!["items"]!.AsArray().Count);
        var ledgerText = ledger.ToJsonString();
        foreach (var number in new[] { SampleCounty.B, SampleCounty.D })
        {
            Assert.DoesNotContain(number, ledgerText, StringComparison.Ordinal);
            Assert.DoesNotContain(EduRelief.Rosters.IdNumbers.ToKey(number).ToString(System.Globalization.CultureInfo.InvariantCulture), ledgerText, StringComparison.Ordinal);
        }

        await Notices.NoticeTestSupport.PutContactsAsync(Admin, "410724");
        var (approved, approvedCycle) = await Admin.PostAsync($"/api/cycles/{id}/approve");
        Assert.Equal(200, approved);
        Assert.Equal("notice", (string?)approvedCycle!["stage"]);
        var (_, history) = await Admin.GetJsonAsync($"/api/cycles/{id}/history");
        var decidedRow = history!["items"]!.AsArray().Single(h => (string?)h!["event"] == "review.decided")!;
        Assert.Equal("school_officer test", (string?)decidedRow["actor"]);
        Assert.Contains("户口本", (string?)decidedRow["reason"]);
        Assert.Equal(409, (await UploadAsync(Admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), CsvType)).Status);
    }

    [Fact]
    public async Task Review_RejectMismatch_ExcludesStudent()
    {
        var id = await NewCycleAsync("410725");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);
        var (_, page) = await Admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        var discrepancyId = (string)page!["items"]![0]!["id"]!;

        Assert.Equal(200, (await Admin.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "reject", reason = "a different child" })).Status);
        Assert.Equal(409, (await Admin.PostAsync($"/api/cycles/{id}/discrepancies/{discrepancyId}/decision", new { decision = "confirm", reason = "second thoughts" })).Status);
        var (_, ledger) = await Admin.GetJsonAsync($"/api/cycles/{id}/ledger?schoolCode=4107260002");
        Assert.Single(ledger!["items"]!.AsArray()); // 李四 only: the rejected student got no ledger row

        var v = (await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["verification"]!;
        Assert.Equal(0, (int)v["pendingReview"]!);
        Assert.Equal(1, (int)v["rejected"]!);
        Assert.Equal(SampleCounty.Expected.Eligible, (int)v["eligible"]!);
        Assert.Equal(SampleCounty.Expected.Total, (decimal)v["totalAmount"]!);
    }

    [Fact]
    public async Task Roster_ReplacedInReview_ReverifiesAndKeepsTheOldFileOnRecord()
    {
        var id = await NewCycleAsync("410726");
        var first = await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);
        var oldHash = (string)first["rosters"]!["students"]!["sha256"]!;
        var oldRun = (string)first["verification"]!["runId"]!;

        var students = SampleCounty.Students().Where(r => r[0] != "王五").ToArray(); // one unregistered student left the school
        Assert.Equal(202, (await UploadAsync(Admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, students, SampleCounty.Gbk), CsvType)).Status);
        var second = await UntilVerifiedAsync(id, oldRun);

        Assert.Equal(SampleCounty.Expected.Students - 1, (int)second["verification"]!["students"]!);
        Assert.Equal(SampleCounty.Expected.Eligible, (int)second["verification"]!["eligible"]!);
        Assert.NotEqual(oldHash, (string?)second["rosters"]!["students"]!["sha256"]);
        var (_, history) = await Admin.GetJsonAsync($"/api/cycles/{id}/history");
        Assert.Contains(history!["items"]!.AsArray(), h => ((string?)h!["reason"] ?? "").Contains($"replaces {oldHash}"));
    }

    [Fact]
    public async Task LedgerWorkbook_HasAProgramSheetsAndDropoutSheet_WithTheCycleCounts()
    {
        var id = await NewCycleAsync("410727");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);

        using var response = await Admin.GetAsync($"/api/cycles/{id}/ledger.xlsx");
        Assert.Equal(200, (int)response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        int DataRows(string name)
        {
            var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
            return ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>().Count() - 1;
        }

        Assert.Equal(2, DataRows("生活补助"));
        Assert.Equal(1, DataRows("普通高中助学金"));
        Assert.Equal(1, DataRows("学前资助"));
        Assert.Equal(0, DataRows("中职助学金"));
        Assert.Equal(SampleCounty.Expected.NotEnrolled, DataRows("控辍保学"));
        var text = string.Concat(workbook.WorksheetParts.SelectMany(p => p.Worksheet.Descendants<Text>()).Select(t => t.Text));
        Assert.Contains("郑十", text);
        Assert.DoesNotContain(SampleCounty.I, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.A, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchoolOfficer_SeesOnlyOwnSchool()
    {
        var id = await NewCycleAsync("410105");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);
        using var officer = await App.ClientForRoleAsync("school_officer", "4107260001", ["410105"]);

        var (status, own) = await officer.GetJsonAsync($"/api/cycles/{id}/discrepancies");
        Assert.Equal(200, status);
        Assert.All(own!["items"]!.AsArray(), d => Assert.Equal("4107260001", (string?)d!["schoolCode"]));
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/discrepancies?schoolCode=4107260002")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/ledger?schoolCode=4107260002")).Status);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await officer.GetAsync($"/api/cycles/{id}/ledger.xlsx")).StatusCode);
        Assert.Equal(403, (await UploadAsync(officer, id, "students", [1, 2, 3], CsvType)).Status);
    }

    [Fact]
    public async Task Upload_BadFiles_AreRefusedWithTheirReasonAndChangeNothing()
    {
        var id = await NewCycleAsync("410781");
        await UploadSampleAsync(id, SampleCounty.Gbk, bom: false);
        var before = (await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;

        var missingColumn = SampleCounty.Csv(SampleCounty.StudentHeader.Where(h => h != "学段").ToArray(), [], Encoding.UTF8);
        var (s1, p1) = await UploadAsync(Admin, id, "students", missingColumn, CsvType);
        Assert.Equal(400, s1);
        Assert.Contains(p1!["errors"]!.AsObject(), e => e.Key.Contains("学段", StringComparison.Ordinal));

        Assert.Equal(400, (await UploadAsync(Admin, id, "students", [], CsvType)).Status);
        var runaway = SampleCounty.Students();
        runaway[3][0] = new string('张', 2000);
        var (s2, p2) = await UploadAsync(Admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, runaway, Encoding.UTF8), CsvType);
        Assert.Equal(400, s2);
        Assert.NotNull(p2!["errors"]!["row:5"]);
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        Assert.Equal(400, (await UploadAsync(Admin, id, "students", garbage, CsvType)).Status);
        Assert.Equal(400, (await UploadAsync(Admin, id, "students", Encoding.UTF8.GetBytes("姓名,身份证号"), XlsxType)).Status);

        using var notWorkbook = new MemoryStream();
        using (var zip = new ZipArchive(notWorkbook, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            w.Write("not a workbook");
        }

        Assert.Equal(400, (await UploadAsync(Admin, id, "students", notWorkbook.ToArray(), XlsxType)).Status);

        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var part in new[] { "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels" })
            {
                using var w = new StreamWriter(zip.CreateEntry(part).Open());
                w.Write("<x/>");
            }

            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                sheet.Write(zeros);
            }
        }

        Assert.Equal(400, (await UploadAsync(Admin, id, "students", bomb.ToArray(), XlsxType)).Status);

        var after = (await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Equal(before["rosters"]!.ToJsonString(), after["rosters"]!.ToJsonString());
        Assert.Equal(before["verification"]!.ToJsonString(), after["verification"]!.ToJsonString());
        Assert.Equal("review", (string?)after["stage"]);
        Assert.Equal(404, (await UploadAsync(Admin, "410781-1999-autumn", "students", [1], CsvType)).Status);
        Assert.Equal(404, (await UploadAsync(Admin, id, "teachers", [1], CsvType)).Status);
    }

    [Fact]
    public async Task Upload_Over256MiB_Returns413()
    {
        var id = await NewCycleAsync("410782");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/cycles/{id}/rosters/students")
        {
            Content = new StreamContent(new ZeroStream(257L * 1024 * 1024)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CsvType);
        request.Content.Headers.ContentLength = 257L * 1024 * 1024;
        HttpResponseMessage response;
        try
        {
            response = await Admin.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // The server may close the connection while the client is still sending; the status is what matters.
            return;
        }

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Null((await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["rosters"]);
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
