using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// What the bureau and a school see of payments (issue 13 item 5) over HTTP: the ledger's status, batch and paid date per
/// child and program, in JSON and in ledger.xlsx; the children whose payment failed or is in doubt, with why; and a school
/// officer who only ever gets their own school's rows.
/// </summary>
public sealed class PaymentStatusApiTests
{
    [Fact]
    public async Task PaymentStatus_AfterTheBankAnswered_LedgerAndListsShowEachChildAndAnOfficerOnlyTheirSchool()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);

        // Before the notice ends nothing is owed yet: the ledger's payment fields are empty.
        var early = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?schoolCode=4107260001")).Body!["items"]!.AsArray().Single()!;
        Assert.Null(early["status"]);
        Assert.Null(early["batchId"]);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var cycle = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray { Count: 3 }, TimeSpan.FromSeconds(60), "the batches cut at the notice's end")).Body!;
        string BatchOf(string program) => (string)cycle["disbursement"]!["batches"]!.AsArray().Single(b => (string?)b!["program"] == program)!["id"]!;
        var living = BatchOf("living_subsidy");
        var grant = BatchOf("hs_grant");

        // The bank pays 张三 and 赵六, refuses 李四 naming his number, and never answers for 阿依古丽 (in doubt).
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-20T15:30:00+08:00" });
        var items = (await admin.GetJsonAsync($"/api/cycles/{id}/batches/{living}/items")).Body!["items"]!.AsArray();
        var ids = new Dictionary<string, string> { ["张三"] = SampleCounty.A, ["李四"] = SampleCounty.B, ["赵六"] = SampleCounty.D };
        var result = BankResult.Csv(items.Select(i => new BankResult.Line(
            (int)i!["sequence"]!, ids[(string)i["name"]!], (decimal)i["amount"]!, (string?)i["name"] != "李四", (string?)i["name"] == "李四" ? $"户名与账号不符 {SampleCounty.B}" : "")));
        Assert.Equal(202, (await DisbursementApiTests.UploadResultAsync(admin, $"/api/cycles/{id}/batches/{living}/result", result)).Status);
        Assert.Equal(202, (await DisbursementApiTests.UploadResultAsync(admin, $"/api/cycles/{id}/batches/{grant}/result", BankResult.Csv([]))).Status);

        // The ledger: per child and program, status, batch, paid date (China time) and amount.
        var ledger = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?program=living_subsidy")).Body!["items"]!.AsArray().ToDictionary(l => (string)l!["name"]!, l => l!);
        Assert.Equal(("paid", living, "2026-10-20", 625m), ((string)ledger["张三"]["status"]!, (string)ledger["张三"]["batchId"]!, ((string)ledger["张三"]["paidAt"]!)[..10], (decimal)ledger["张三"]["amount"]!));
        Assert.Matches(@"^2026-10-20T\d\d:\d\d:\d\d\+08:00$", (string)ledger["张三"]["paidAt"]!);
        Assert.Equal(("failed", living, 375m), ((string)ledger["李四"]["status"]!, (string)ledger["李四"]["batchId"]!, (decimal)ledger["李四"]["amount"]!));
        Assert.Null(ledger["李四"]["paidAt"]);
        var hs = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?program=hs_grant")).Body!["items"]!.AsArray().Single()!;
        Assert.Equal(("inDoubt", grant), ((string)hs["status"]!, (string)hs["batchId"]!));

        // The failed and in-doubt children, with the bank's reason (masked) and why in doubt; a bad status is named.
        var (_, trouble) = await admin.GetJsonAsync($"/api/cycles/{id}/payments?status=failed&status=inDoubt");
        var listed = trouble!["items"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!);
        Assert.Equal(["李四", "阿依古丽•买买提"], listed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("failed", $"户名与账号不符 {SampleCounty.B[..6]}********{SampleCounty.B[14..]}", "第一初级中学"), ((string)listed["李四"]["status"]!, (string)listed["李四"]["bankReason"]!, (string)listed["李四"]["schoolName"]!));
        Assert.Equal(("inDoubt", "notReturned"), ((string)listed["阿依古丽•买买提"]["status"]!, (string)listed["阿依古丽•买买提"]["inDoubtReason"]!));
        Assert.DoesNotContain(SampleCounty.B, trouble.ToJsonString(), StringComparison.Ordinal);
        var (badStatus, bad) = await admin.GetJsonAsync($"/api/cycles/{id}/payments?status=unpaid");
        Assert.Equal(400, badStatus);
        Assert.NotNull(bad!["errors"]!["status"]);

        // A school officer: their own school's children, whatever they ask for; another school is refused.
        var officer = await app.ClientForRoleAsync("school_officer", "4107260002");
        var (_, own) = await officer.GetJsonAsync($"/api/cycles/{id}/payments");
        Assert.Equal(["李四", "赵六"], own!["items"]!.AsArray().Select(p => (string)p!["name"]!).Order(StringComparer.Ordinal));
        Assert.All(own["items"]!.AsArray(), p => Assert.Equal("4107260002", (string?)p!["schoolCode"]));
        var (_, ownFailed) = await officer.GetJsonAsync($"/api/cycles/{id}/payments?status=failed&status=inDoubt");
        Assert.Equal(["李四"], ownFailed!["items"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/payments?schoolCode=4107260003")).Status);
        var (_, officerLedger) = await officer.GetJsonAsync($"/api/cycles/{id}/ledger");
        Assert.All(officerLedger!["items"]!.AsArray(), l => Assert.Equal("4107260002", (string?)l!["schoolCode"]));

        // ledger.xlsx: the same per child, the status in words, the batch and the China date of payment.
        using var download = await admin.GetAsync($"/api/cycles/{id}/ledger.xlsx");
        Assert.Equal(200, (int)download.StatusCode);
        using var document = SpreadsheetDocument.Open(new MemoryStream(await download.Content.ReadAsByteArrayAsync()), false);
        var sheet = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == "生活补助");
        var rows = ((WorksheetPart)document.WorkbookPart.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>()
            .Select(r => r.Elements<Cell>().Select(c => c.InnerText).ToArray()).ToList();
        Assert.Equal(["发放状态", "批次", "发放日期"], rows[0][^3..]);
        var zhang = rows.Single(r => r.Contains("张三"));
        Assert.Equal(["已发放", living, "2026-10-20"], zhang[^3..]);
        Assert.Equal("625.00", zhang[8]);
        Assert.Equal(["发放失败", living, ""], rows.Single(r => r.Contains("李四"))[^3..]);
    }
}
