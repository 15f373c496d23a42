using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// Late entitlements over HTTP (issue 13 item 6): a child the cycle comes to owe after its regular batch was cut is paid
/// by the next 补发 batch, once, with the amount the policy gives, and never in two batches. The sample's living
/// subsidies: 张三 625 (A, 城关镇第一小学), 李四 375 (B), 赵六 750 (D, 初中 1 boarding); 郑十 (I, age 10) is in no school.
/// </summary>
public sealed class LatePaymentApiTests
{
    private const string Program = "living_subsidy";

    /// <summary>Approves the cycle and lets the notice end: the cycle cuts its regular batches by itself.</summary>
    private static async Task<(string Id, string RegularBatch)> ToRegularBatchAsync(HttpClient admin, string id)
    {
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var paying = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray { Count: > 0 }, TimeSpan.FromSeconds(60), "the batches cut at the notice's end")).Body!;
        return (id, (string)paying["disbursement"]!["batches"]!.AsArray().Single(b => (string?)b!["program"] == Program)!["id"]!);
    }

    private static async Task<List<JsonNode>> ItemsAsync(HttpClient client, string id, string batchId) =>
        (await client.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}/items?pageSize=1000")).Body!["items"]!.AsArray().Select(i => i!).ToList();

    /// <summary>The next 补发 batch of the living subsidy: exactly these children and amounts; then nothing is left to cut.</summary>
    private static async Task<string> BackPayPaysOnceAsync(HttpClient admin, string id, string regularBatch, params (string Name, decimal Amount)[] expected)
    {
        var (status, batch) = await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program, kind = "backpay", reason = "整改后确认的补发" });
        Assert.True(status == 201, $"{status} {batch}");
        var backPay = (string)batch!["id"]!;
        var items = await ItemsAsync(admin, id, backPay);
        Assert.Equal(expected.OrderBy(e => e.Name, StringComparer.Ordinal), items.Select(i => ((string)i["name"]!, (decimal)i["amount"]!)).OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.All(items, i => Assert.True((bool)i["backPay"]!));
        Assert.Equal(expected.Sum(e => e.Amount), (decimal)batch["total"]!);

        // Never in two batches: nothing is left to cut, regular or 补发, and the regular batch never had them.
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program, kind = "backpay", reason = "再补一次" })).Status);
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program })).Status);
        var regular = await ItemsAsync(admin, id, regularBatch);
        Assert.DoesNotContain(regular, i => expected.Any(e => e.Name == (string?)i["name"]));
        return backPay;
    }

    /// <summary>The bank's answer to every row of the batch: paid, except those named in <paramref name="failing"/>.</summary>
    private static async Task ReconcileAsync(HttpClient admin, string id, string batchId, IReadOnlyDictionary<string, string> idNumbers, params string[] failing)
    {
        var items = await ItemsAsync(admin, id, batchId);
        var file = BankResult.Csv(items.Select(i => new BankResult.Line((int)i["sequence"]!, idNumbers[(string)i["name"]!], (decimal)i["amount"]!, !failing.Contains((string)i["name"]!), failing.Contains((string)i["name"]!) ? "账户已销户" : "")));
        var (status, body) = await DisbursementApiTests.UploadResultAsync(admin, $"/api/cycles/{id}/batches/{batchId}/result", file);
        Assert.True(status == 202, $"{status} {body}");
    }

    [Fact]
    public async Task DropoutEnrolled_AcceptedAfterTheRegularBatch_NextBackPayBatchPaysThePolicyAmountOnce()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var (id, regularBatch) = await ToRegularBatchAsync(admin, await SampleCycle.ToReviewAsync(admin));
        var accounts = SampleCounty.Csv(SampleCounty.AccountsHeader, [[SampleCounty.I, "郑十", FakeAccountsRegistry.CardNumber(9), "中国农业银行延津县支行"]], SampleCounty.Gbk);
        Assert.Equal(202, (await admin.PutFileAsync("/api/counties/410726/accounts", accounts, "text/csv")).Status);

        // 郑十 is found enrolled at 城关镇第一小学, primary 4, boarding: 625 by the 2026 policy.
        var dropout = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=notEnrolled")).Body!["items"]!.AsArray().Single()!;
        var itemUrl = $"/api/cycles/{id}/rectification/{(string)dropout["id"]!}";
        // The item follows 郑十's 控辍保学 case: the bureau records the return there, with the class he joined.
        Assert.Equal(409, (await admin.PostAsync($"{itemUrl}/submit", new { note = "已劝返入学", outcome = "enrolled", schoolCode = "4107260001", stage = "小学", grade = 4, boarding = true })).Status);
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program, kind = "backpay", reason = "尚未返校" })).Status);
        var caseUrl = $"/api/counties/410726/dropout-cases/{(string)dropout["caseId"]!}";
        var returned = new { outcome = "returned", date = "2026-09-28", schoolCode = "4107260001", stage = "小学", grade = 4, boarding = true, note = "已劝返入学" };
        var (recorded, closedCase) = await admin.PostAsync($"{caseUrl}/outcome", returned);
        Assert.True(recorded == 200, $"{recorded} {closedCase}");
        Assert.Equal(409, (await admin.PostAsync($"{caseUrl}/outcome", returned)).Status); // closed once
        var accepted = (await admin.GetJsonAsync(itemUrl)).Body!["item"]!;
        Assert.Equal(("accepted", "enrolled", "4107260001"), ((string)accepted["status"]!, (string)accepted["outcome"]!, (string)accepted["outcomeSchoolCode"]!));

        // The ledger lists the child at the school, owed and not yet in a batch.
        var ledger = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?schoolCode=4107260001&program={Program}")).Body!["items"]!.AsArray();
        var child = ledger.Single(l => (string?)l!["name"] == "郑十")!;
        Assert.Equal(("rectification", "pending", 625m, "城关镇第一小学"), ((string)child["source"]!, (string)child["status"]!, (decimal)child["amount"]!, (string)child["schoolName"]!));
        Assert.Null(child["batchId"]);

        var backPay = await BackPayPaysOnceAsync(admin, id, regularBatch, ("郑十", 625m));
        await ReconcileAsync(admin, id, backPay, new Dictionary<string, string> { ["郑十"] = SampleCounty.I });
        var paid = (await admin.GetJsonAsync($"/api/cycles/{id}/ledger?schoolCode=4107260001&program={Program}")).Body!["items"]!.AsArray().Single(l => (string?)l!["name"] == "郑十")!;
        Assert.Equal(("paid", backPay, "2026-10-13"), ((string)paid["status"]!, (string)paid["batchId"]!, ((string)paid["paidAt"]!)[..10]));
        Assert.EndsWith("+08:00", (string)paid["paidAt"]!, StringComparison.Ordinal);
        var living = (await admin.GetJsonAsync($"/api/cycles/{id}/disbursement")).Body!["programs"]!.AsArray().Single(p => (string?)p!["program"] == Program)!;
        Assert.Equal(1, (int)living["backPaid"]!["count"]!);
        Assert.Equal(625m, (decimal)living["backPaid"]!["amount"]!);
    }

    [Fact]
    public async Task NameMismatch_CorrectedAndAcceptedAfterTheNotice_NextBackPayBatchPaysOnce()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var (id, regularBatch) = await ToRegularBatchAsync(admin, await SampleCycle.ToReviewAsync(admin, mismatch: "reject"));
        Assert.DoesNotContain(await ItemsAsync(admin, id, regularBatch), i => (string?)i["name"] == "赵六");

        // The school corrects 赵六/赵陆's record; the bureau accepts the correction: the same child, owed 750.
        var item = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=mismatch")).Body!["items"]!.AsArray().Single()!;
        var itemUrl = $"/api/cycles/{id}/rectification/{(string)item["id"]!}";
        using (var pdf = new ByteArrayContent(Rectification.EvidenceSamples.Pdf("姓名更正证明")))
        {
            pdf.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
            using var uploaded = await admin.PostAsync($"{itemUrl}/evidence?fileName=proof.pdf", pdf);
            Assert.Equal(201, (int)uploaded.StatusCode);
        }

        Assert.Equal(200, (await admin.PostAsync($"{itemUrl}/submit", new { note = "学籍姓名已更正为赵陆", outcome = "corrected" })).Status);
        Assert.Equal(200, (await admin.PostAsync($"{itemUrl}/accept", new { note = "验收通过" })).Status);

        await BackPayPaysOnceAsync(admin, id, regularBatch, ("赵六", 750m));
    }

    [Fact]
    public async Task HolderMismatch_ConfirmedAfterTheNotice_NextBackPayBatchPaysOnce()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        // 张三's account is now in a stranger's name: not payable until someone confirms the holder.
        var accounts = SampleCounty.Csv(SampleCounty.AccountsHeader, [[SampleCounty.A, "王小明", FakeAccountsRegistry.CardNumber(11), "中国农业银行延津县支行"]], SampleCounty.Gbk);
        Assert.Equal(202, (await admin.PutFileAsync("/api/counties/410726/accounts", accounts, "text/csv")).Status);
        var (_, regularBatch) = await ToRegularBatchAsync(admin, id);
        Assert.DoesNotContain(await ItemsAsync(admin, id, regularBatch), i => (string?)i["name"] == "张三");

        var mismatch = (await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=holderMismatch")).Body!["items"]!.AsArray().Single()!;
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatch["id"]!}/decision", new { decision = "confirm", reason = "王小明为监护人" })).Status);

        await BackPayPaysOnceAsync(admin, id, regularBatch, ("张三", 625m));
    }
}
