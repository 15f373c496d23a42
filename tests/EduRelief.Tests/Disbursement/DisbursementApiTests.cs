using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// The sample county's cycle over HTTP from approval to a reconciled batch: cut, payment file (bureau_admin only,
/// every download recorded), bank result (bad input refused whole, the same file twice changes nothing), totals and
/// the fund disclosure. The sample's living subsidies: 张三 625 (A), 李四 375 (B), 赵六 750 (D, confirmed in review).
/// </summary>
public sealed class DisbursementApiTests
{
    private const string Program = "living_subsidy";

    /// <summary>Posts a bank result as the body; a 202 is followed (<see cref="FollowResultAsync"/>).</summary>
    internal static async Task<(int Status, JsonNode? Body)> UploadResultAsync(HttpClient client, string url, byte[] file)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync(url, content);
        return await FollowResultAsync(client, response);
    }

    /// <summary>
    /// A 202 names the batch to follow (Location, and <c>location</c> in the body): polled until it is reconciled, then
    /// answered as <c>{changed, batch, exceptions}</c> with the upload's own <c>changed</c>. Any other answer as it is.
    /// </summary>
    internal static async Task<(int Status, JsonNode? Body)> FollowResultAsync(HttpClient client, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        if ((int)response.StatusCode != 202)
        {
            return ((int)response.StatusCode, body);
        }

        var location = response.Headers.Location!.OriginalString;
        Assert.EndsWith("/result", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(response.RequestMessage.RequestUri.AbsolutePath[..^"/result".Length], location);
        Assert.Equal(location, (string?)body!["location"]);
        Assert.Contains((string?)body["status"], new[] { "reconciling", "reconciled" });
        var done = await Eventually.UntilAsync(() => client.GetJsonAsync(location), r => (string?)r.Body?["batch"]?["status"] == "reconciled", TimeSpan.FromSeconds(60), "the batch reconciled");
        return (202, new JsonObject { ["changed"] = (bool)body["changed"]!, ["batch"] = done.Body!["batch"]!.DeepClone(), ["exceptions"] = done.Body["exceptions"]!.DeepClone() });
    }

    /// <summary>As the console sends it: the file as the part of a multipart form.</summary>
    private static async Task<(int Status, JsonNode? Body)> UploadResultAsFormAsync(HttpClient client, string url, byte[] file)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(part, "file", "bank-result.csv");
        using var response = await client.PostAsync(url, form);
        return await FollowResultAsync(client, response);
    }

    /// <summary>Approves the sample cycle and lets the notice end; the cycle then cuts a batch per program by itself.</summary>
    private static async Task<(string Id, string BatchId)> ToFirstBatchAsync(HttpClient admin)
    {
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program })).Status); // on notice: no money moves yet
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "disbursement", TimeSpan.FromSeconds(60), "the notice to end");
        var paying = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray { Count: > 0 }, TimeSpan.FromSeconds(60), "the batches cut at the notice's end")).Body!;
        return (id, (string)paying["disbursement"]!["batches"]!.AsArray().Single(b => (string?)b!["program"] == Program)!["id"]!);
    }

    /// <summary>The payment file's rows (序号, 姓名, 身份证号, 资助项目, 金额, 学校标识码), header and trailer left out.</summary>
    private static async Task<List<string[]>> PaymentRowsAsync(HttpClient admin, string url)
    {
        using var download = await admin.GetAsync(url);
        Assert.Equal(200, (int)download.StatusCode);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var lines = Encoding.GetEncoding(936).GetString(await download.Content.ReadAsByteArrayAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return lines[1..^1].Select(l => l.Split(',')).ToList();
    }

    [Fact]
    public async Task Disbursement_SampleCycleAfterNotice_CutDownloadReconcileTotalsAndDisclosure()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var (id, batchId) = await ToFirstBatchAsync(admin);
        var inspector = await app.ClientForRoleAsync("inspector");

        // Cutting: bureau_admin only, the program named.
        Assert.Equal(403, (await inspector.PostAsync($"/api/cycles/{id}/batches", new { program = Program })).Status);
        var (badStatus, bad) = await admin.PostAsync($"/api/cycles/{id}/batches", new { program = "bicycles", kind = "backpay" });
        Assert.Equal(400, badStatus);
        Assert.NotNull(bad!["errors"]!["program"]);
        Assert.NotNull(bad["errors"]!["reason"]);
        // The end of the notice cut a batch per program by itself; by hand there is nothing left to cut.
        var batch = (await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Body!["batch"]!;
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program, requestId = "by-hand-1" })).Status);
        Assert.Equal("sealed", (string?)batch["status"]);
        Assert.Equal(3, (int)batch["count"]!);
        Assert.Equal(1750m, (decimal)batch["total"]!);

        // Items show masked numbers only.
        var (_, items) = await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}/items?pageSize=2");
        Assert.Equal(2, items!["items"]!.AsArray().Count);
        Assert.Equal("2", (string?)items["continuationToken"]);
        Assert.DoesNotContain(SampleCounty.A, items.ToJsonString());
        Assert.Contains("********", (string?)items["items"]![0]!["maskedId"]);

        // The payment file: only bureau_admin, GBK, full numbers, trailer; each download recorded.
        var fileUrl = $"/api/cycles/{id}/batches/{batchId}/payment-file";
        Assert.Equal(403, (int)(await inspector.GetAsync(fileUrl)).StatusCode);
        var officer = await app.ClientForRoleAsync("school_officer", "4107260001");
        Assert.Equal(403, (int)(await officer.GetAsync(fileUrl)).StatusCode);
        var (_, ownSchool) = await officer.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}/items");
        Assert.Equal(["4107260001"], ownSchool!["items"]!.AsArray().Select(i => (string)i!["schoolCode"]!));
        using var download = await admin.GetAsync(fileUrl);
        Assert.Equal(200, (int)download.StatusCode);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var lines = Encoding.GetEncoding(936).GetString(await download.Content.ReadAsByteArrayAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("序号,姓名,身份证号,资助项目,金额,学校标识码,账户名,账号,开户行", lines[0]);
        Assert.Equal("合计,3,1750.00", lines[^1]);
        Assert.Contains(lines, l => l.Contains($",张三,{SampleCounty.A},生活补助,625.00,4107260001,张三,{SampleCounty.Accounts()[0][2]},中国农业银行延津县支行", StringComparison.Ordinal));
        var (_, downloads) = await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}/downloads");
        Assert.Single(downloads!["items"]!.AsArray());
        Assert.Equal(1, (int)(await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Body!["batch"]!["downloads"]!);

        // The bank's result: bad files are refused whole, naming the column or the row.
        var resultUrl = $"/api/cycles/{id}/batches/{batchId}/result";
        var rows = lines[1..^1].Select(l => l.Split(',')).ToList();
        var (missingStatus, missing) = await UploadResultAsync(admin, resultUrl, Encoding.UTF8.GetBytes("序号,身份证号,状态\r\n1,x,成功\r\n"));
        Assert.Equal(400, missingStatus);
        Assert.NotNull(missing!["errors"]!["金额"]);
        var badRow = Encoding.UTF8.GetBytes($"序号,身份证号,金额,状态,原因\r\n1,{rows[0][2]},{rows[0][4]},成功,\r\n2,{rows[1][2]},{rows[1][4]},退回,\r\n");
        var (badRowStatus, badRowBody) = await UploadResultAsync(admin, resultUrl, badRow);
        Assert.Equal(400, badRowStatus);
        Assert.NotNull(badRowBody!["errors"]!["row 3, 状态"]);
        Assert.Equal("sealed", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Body!["batch"]!["status"]);

        var result = BankResult.Csv(rows.Select(r => new BankResult.Line(int.Parse(r[0]), r[2], decimal.Parse(r[4]), r[1] != "李四", r[1] == "李四" ? "账户已销户" : "")));
        Assert.Equal(403, (await UploadResultAsync(inspector, resultUrl, result)).Status);
        var (okStatus, ok) = await UploadResultAsFormAsync(admin, resultUrl, result);
        Assert.Equal(202, okStatus);
        Assert.True((bool)ok!["changed"]!);
        Assert.Equal("reconciled", (string?)ok["batch"]!["status"]);
        Assert.Empty(ok["exceptions"]!.AsArray());
        // The same bytes as the raw body: the file the form carried, so nothing changes.
        var (againStatus, again) = await UploadResultAsync(admin, resultUrl, result);
        Assert.Equal(200, againStatus);
        Assert.False((bool)again!["changed"]!);
        var (emptyFormStatus, emptyForm) = await UploadResultAsFormAsync(admin, resultUrl, []);
        Assert.Equal(400, emptyFormStatus);
        Assert.NotNull(emptyForm!["errors"]!["file"]);
        Assert.Equal(409, (await UploadResultAsync(admin, resultUrl, Encoding.UTF8.GetBytes("序号,身份证号,金额,状态\r\n"))).Status);

        // Totals: owed = paid + pending + failed + held, in yuan.
        var (_, totals) = await admin.GetJsonAsync($"/api/cycles/{id}/disbursement");
        var living = totals!["programs"]!.AsArray().Single(p => (string?)p!["program"] == Program)!;
        Assert.Equal(1375m, (decimal)living["paid"]!["amount"]!);
        Assert.Equal(2, (int)living["paid"]!["count"]!);
        Assert.Equal(375m, (decimal)living["failed"]!["amount"]!);
        Assert.Equal(1750m, (decimal)living["owed"]!["amount"]!);
        Assert.Equal(0, (int)living["pending"]!["count"]!);

        // The failure goes into the next batch by itself.
        var (nextStatus, next) = await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program });
        Assert.Equal(201, nextStatus);
        Assert.Equal(1, (int)next!["count"]!);
        Assert.Equal(375m, (decimal)next["total"]!);

        // The fund disclosure: per school and program, no personal data.
        using var disclosure = await inspector.GetAsync($"/api/cycles/{id}/disclosure.xlsx");
        Assert.Equal(200, (int)disclosure.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", disclosure.Content.Headers.ContentType!.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await disclosure.Content.ReadAsByteArrayAsync()));
        var sheet = zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)).Select(e => new StreamReader(e.Open()).ReadToEnd()).Single();
        Assert.Contains("4107260001", sheet);
        Assert.Contains("1375.00", sheet);
        foreach (var personal in new[] { SampleCounty.A, SampleCounty.B, SampleCounty.D, "张三", "李四", "赵六" })
        {
            Assert.DoesNotContain(personal, sheet);
        }

        // Nothing the app logged carries an ID number.
        Assert.DoesNotContain(SampleCounty.A, app.Output);
    }

    [Fact]
    public async Task Result_ContradictoryRows_InDoubtUntilResolvedFirstResolutionWinsAndRowsShowTheirStatus()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var (id, batchId) = await ToFirstBatchAsync(admin);
        var rows = await PaymentRowsAsync(admin, $"/api/cycles/{id}/batches/{batchId}/payment-file");
        BankResult.Line Line(string name, bool success, decimal? amount = null, string reason = "")
        {
            var r = rows.Single(r => r[1] == name);
            return new(int.Parse(r[0]), r[2], amount ?? decimal.Parse(r[4]), success, reason);
        }

        // 张三: a failure and then a success; 赵六: two amounts; 李四: a clean failure (the reason quotes a card number).
        var result = BankResult.Csv([Line("张三", false, reason: "账户异常"), Line("李四", false, reason: $"账户{SampleCounty.B}已销户"), Line("赵六", true), Line("张三", true), Line("赵六", true, 700m)]);
        var resultUrl = $"/api/cycles/{id}/batches/{batchId}/result";
        var uploads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => UploadResultAsync(admin, resultUrl, result)));

        Assert.All(uploads, u => Assert.Contains(u.Status, new[] { 200, 202 }));
        Assert.Single(uploads, u => (bool)u.Body!["changed"]!);
        var itemsUrl = $"/api/cycles/{id}/batches/{batchId}/items";
        var (_, inDoubt) = await admin.GetJsonAsync($"{itemsUrl}?status=inDoubt");
        Assert.Equal(["张三", "赵六"], inDoubt!["items"]!.AsArray().Select(i => (string)i!["name"]!).Order());
        Assert.All(inDoubt["items"]!.AsArray(), i => Assert.Equal("contradictoryRows", (string?)i!["inDoubtReason"]));
        var (_, failed) = await admin.GetJsonAsync($"{itemsUrl}?status=failed");
        var lisi = Assert.Single(failed!["items"]!.AsArray())!;
        Assert.Equal(("李四", "failed"), ((string?)lisi["name"], (string?)lisi["status"]));
        Assert.DoesNotContain(SampleCounty.B, (string?)lisi["bankReason"]);
        Assert.Contains("已销户", (string?)lisi["bankReason"]);
        var (badStatus, bad) = await admin.GetJsonAsync($"{itemsUrl}?status=unpaid");
        Assert.Equal(400, badStatus);
        Assert.NotNull(bad!["errors"]!["status"]);
        var (_, totals) = await admin.GetJsonAsync($"/api/cycles/{id}/disbursement");
        var living = totals!["programs"]!.AsArray().Single(p => (string?)p!["program"] == Program)!;
        Assert.Equal((2, 1375m), ((int)living["inDoubt"]!["count"]!, (decimal)living["inDoubt"]!["amount"]!));
        Assert.Equal(1750m, (decimal)living["owed"]!["amount"]!);
        Assert.False((bool)(await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["disbursement"]!["settled"]!);

        // The next batches take 李四 only: nobody in doubt is cut again, neither regular nor 补发.
        var (nextStatus, next) = await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program });
        Assert.Equal(201, nextStatus);
        var (_, nextItems) = await admin.GetJsonAsync($"/api/cycles/{id}/batches/{(string)next!["id"]!}/items");
        Assert.Equal(["李四"], nextItems!["items"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program, kind = "backpay", reason = "补发" })).Status);

        // 张三 never arrived: owed again. The first resolution wins; the same again is answered, another is a conflict.
        var resolution = $"/api/cycles/{id}/batches/{batchId}/items/{Line("张三", true).Sequence}/resolution";
        var (firstStatus, first) = await admin.PostAsync(resolution, new { outcome = "unpaid", reason = "银行确认未入账" });
        Assert.Equal((200, true, "unpaid"), (firstStatus, (bool)first!["changed"]!, (string?)first["outcome"]));
        var (againStatus, again) = await admin.PostAsync(resolution, new { outcome = "unpaid", reason = "再次提交" });
        Assert.Equal((200, false, "银行确认未入账"), (againStatus, (bool)again!["changed"]!, (string?)again["reason"]));
        var (conflictStatus, conflict) = await admin.PostAsync(resolution, new { outcome = "paid", reason = "改口" });
        Assert.Equal(409, conflictStatus);
        Assert.Contains("unpaid", (string?)conflict!["errors"]!["outcome"]![0]);
        // 赵六 arrived (the 700 was the bank's typo): paid, once.
        var zhaoliu = $"/api/cycles/{id}/batches/{batchId}/items/{Line("赵六", true).Sequence}/resolution";
        Assert.Equal(200, (await admin.PostAsync(zhaoliu, new { outcome = "paid", reason = "银行回单已核" })).Status);
        Assert.Equal(200, (await admin.PostAsync(zhaoliu, new { outcome = "paid", reason = "银行回单已核" })).Status);

        var (_, after) = await admin.GetJsonAsync(itemsUrl);
        var statuses = after!["items"]!.AsArray().ToDictionary(i => (string)i!["name"]!, i => (string)i!["status"]!);
        Assert.Equal(("failed", "failed", "paid"), (statuses["张三"], statuses["李四"], statuses["赵六"]));
        living = (await admin.GetJsonAsync($"/api/cycles/{id}/disbursement")).Body!["programs"]!.AsArray().Single(p => (string?)p!["program"] == Program)!;
        Assert.Equal((1, 750m), ((int)living["paid"]!["count"]!, (decimal)living["paid"]!["amount"]!));
        Assert.Equal(0, (int)living["inDoubt"]!["count"]!);
        var (thirdStatus, third) = await admin.PostAsync($"/api/cycles/{id}/batches", new { program = Program });
        Assert.Equal(201, thirdStatus);
        var (_, thirdItems) = await admin.GetJsonAsync($"/api/cycles/{id}/batches/{(string)third!["id"]!}/items");
        Assert.Equal(["张三"], thirdItems!["items"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.DoesNotContain(SampleCounty.A, app.Output);
    }
}
