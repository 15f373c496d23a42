using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>
/// Approval renders every school's notice; the public pages serve them without a key during the notice period and
/// answer 410 once it ended. The sample county: schools 0001 (张三), 0002 (李四, and 赵六 once confirmed), 0003
/// (阿依古丽), 0005 (吴九); 0004 (周八, vocational year 3) is eligible without a grant, so it has no notice.
/// </summary>
public sealed class PublicNoticeTests
{
    private const string CsvType = "text/csv";

    [Fact]
    public async Task Approve_WithContacts_PublishesEverySchoolUntilThePeriodEnds()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        using var anonymous = app.CreateClient(null);
        var id = await ReviewedSampleCycleAsync(admin, "410726");
        Assert.Equal(404, (int)(await anonymous.GetAsync($"/notices/{id}")).StatusCode); // nothing published in review

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        var (refused, problem) = await admin.PostAsync($"/api/cycles/{id}/approve");
        Assert.Equal(409, refused);
        Assert.NotNull(problem!["errors"]!["contacts"]);
        Assert.Equal("review", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["stage"]);

        await NoticeTestSupport.PutContactsAsync(admin, "410726");
        var (approved, cycle) = await admin.PostAsync($"/api/cycles/{id}/approve");
        Assert.Equal(200, approved);
        Assert.Equal(3, (int)cycle!["definitionVersion"]!);
        Assert.Equal(["4107260001", "4107260002", "4107260003", "4107260004", "4107260005"], cycle["verification"]!["schools"]!.AsArray().Select(s => (string)s!));

        var documents = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "notice documents")).Body!["notice"]!["documents"]!;
        var ledger = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?pageSize=1000")).Body!["items"]!.AsArray();
        Assert.Equal(ledger.Select(l => (string?)l!["schoolCode"]).Distinct().Count(), (int)documents["schools"]!);
        Assert.Equal(4, (int)documents["schools"]!);
        Assert.Equal(ledger.Count, (int)documents["rows"]!);
        Assert.StartsWith("2026-09-30T10:", (string?)documents["completedAt"]);

        // The list, as a page and as JSON, without a key.
        var list = await anonymous.GetAsync($"/notices/{id}");
        Assert.Equal(200, (int)list.StatusCode);
        AssertSafeHeaders(list, "text/html");
        var listHtml = await list.Content.ReadAsStringAsync();
        Assert.Contains("城关镇第一小学", listHtml, StringComparison.Ordinal);
        Assert.Contains($"href=\"{id}/4107260002.xlsx\"", listHtml, StringComparison.Ordinal);
        Assert.Contains("公示时间：9月30日至10月12日（5个工作日）", listHtml, StringComparison.Ordinal);
        Assert.Contains("name=\"viewport\"", listHtml, StringComparison.Ordinal);
        Assert.Contains("<h1>延津县2026年秋季学期学生资助名单公示</h1>", listHtml, StringComparison.Ordinal);
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/notices/{id}/4107260001");
        Assert.Equal(200, (int)(await anonymous.SendAsync(head)).StatusCode);

        using var jsonRequest = new HttpRequestMessage(HttpMethod.Get, $"/notices/{id}");
        jsonRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var json = JsonNode.Parse(await (await anonymous.SendAsync(jsonRequest)).Content.ReadAsStringAsync())!;
        Assert.Equal(id, (string?)json["cycleId"]);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)json["endsAt"]);
        Assert.Equal(5, (int)json["workingDays"]!);
        var junior = json["schools"]!.AsArray().Single(s => (string?)s!["schoolCode"] == "4107260002")!;
        Assert.Equal(("第一初级中学", 2, 1125m), ((string?)junior["schoolName"], (int)junior["recipients"]!, (decimal)junior["amount"]!));
        Assert.DoesNotContain(json["schools"]!.AsArray(), s => (string?)s!["schoolCode"] == "4107260004");

        // A school's page and its workbook.
        var page = await anonymous.GetAsync($"/notices/{id}/4107260002");
        Assert.Equal(200, (int)page.StatusCode);
        AssertSafeHeaders(page, "text/html");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("延津县2026年秋季学期学生资助名单公示 — 第一初级中学", html, StringComparison.Ordinal);
        Assert.Contains("公示时间：9月30日至10月12日（5个工作日）", html, StringComparison.Ordinal);
        Assert.Contains(NoticeTestSupport.HotlinePhone, html, StringComparison.Ordinal);
        Assert.Contains(NoticeTestSupport.ObjectionAddress, html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("李四", StringComparison.Ordinal) > html.IndexOf("赵六", StringComparison.Ordinal), "grade 1 before grade 2");
        Assert.Contains("750.00", html, StringComparison.Ordinal);
        Assert.Contains("375.00", html, StringComparison.Ordinal);
        Assert.Empty(PersonalData.Find(html, [new DateOnly(2012, 5, 5), new DateOnly(2013, 7, 7)], NoticeTestSupport.HotlinePhone));

        var workbook = await anonymous.GetAsync($"/notices/{id}/4107260002.xlsx");
        Assert.Equal(200, (int)workbook.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook.Content.Headers.ContentType?.MediaType);
        using (var document = SpreadsheetDocument.Open(new MemoryStream(await workbook.Content.ReadAsByteArrayAsync()), false))
        {
            var cells = document.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(c => c.InnerText).ToList();
            Assert.Contains("赵六", cells);
            Assert.Contains("李四", cells);
        }

        Assert.Equal(404, (int)(await anonymous.GetAsync($"/notices/{id}/4107269999")).StatusCode);
        Assert.Equal(404, (int)(await anonymous.GetAsync($"/notices/{id}/4107260004")).StatusCode);
        Assert.Equal(404, (int)(await anonymous.GetAsync("/notices/410726-2027-spring")).StatusCode);
        Assert.Equal(404, (int)(await anonymous.GetAsync("/notices/" + Uri.EscapeDataString(new string('x', 2000) + "\\"))).StatusCode);

        // At the end of the period the pages are gone at once, whether or not the timer has fired yet.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var gone = await anonymous.GetAsync($"/notices/{id}/4107260002");
        Assert.Equal(410, (int)gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal(410, (int)(await anonymous.GetAsync($"/notices/{id}")).StatusCode);
        var moved = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "disbursement", TimeSpan.FromSeconds(60), "the notice to end")).Body!;
        Assert.StartsWith("2026-10-13T00:00", (string?)moved["notice"]!["takenDownAt"]);
        Assert.Equal(410, (int)(await anonymous.GetAsync($"/notices/{id}/4107260002.xlsx")).StatusCode);
    }

    [Fact]
    public async Task Cancel_DuringNotice_PagesAreGone()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        using var anonymous = app.CreateClient(null);
        var id = await ReviewedSampleCycleAsync(admin, "410725");
        await NoticeTestSupport.PutContactsAsync(admin, "410725");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => anonymous.GetAsync($"/notices/{id}/4107260001"), r => (int)r.StatusCode == 200, TimeSpan.FromSeconds(60), "the school's notice");

        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/cancel", new { reason = "名单有误，重新核对" })).Status);

        Assert.Equal(410, (int)(await anonymous.GetAsync($"/notices/{id}/4107260001")).StatusCode);
        Assert.Equal(410, (int)(await anonymous.GetAsync($"/notices/{id}")).StatusCode);
    }

    /// <summary>A cycle of the sample county in review, its one name mismatch (赵六, school 0002) confirmed.</summary>
    private static async Task<string> ReviewedSampleCycleAsync(HttpClient admin, string countyCode)
    {
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-28T09:00:00+08:00" });
        var (_, created) = await admin.PostAsync("/api/cycles", new { countyCode, semester = "2026-autumn", noticeDays = 5 });
        var id = (string)created!["id"]!;
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), CsvType)).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), CsvType)).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        var (decided, _) = await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" });
        Assert.Equal(200, decided);
        return id;
    }

    private static void AssertSafeHeaders(HttpResponseMessage response, string mediaType)
    {
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet, ignoreCase: true);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Exports.DownloadAssert.Private(response);
    }
}
