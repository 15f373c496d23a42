using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EduRelief.Accounts;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Accounts;

/// <summary>
/// The accounts registry over HTTP against the real app. Bureau uploads each use their own county; the officer test
/// uses the sample county 410726 after its cycle has been verified (张三 = A at school 4107260001, 李四 = B at 4107260002).
/// </summary>
public sealed class AccountsApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const string CsvType = "text/csv";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static readonly string[] Header = ["身份证号", "账户名", "账号", "开户行"];

    private AppProcess App => fixture.App;

    private HttpClient Admin => App.Admin;

    private static byte[] GbkCsv(params string[][] rows) => SampleCounty.Csv(Header, rows, SampleCounty.Gbk);

    private static string[] Row(string id, string holder, string number) => [id, holder, number, "中国农业银行延津县支行"];

    private static Task<(int Status, JsonNode? Body)> UploadAsync(HttpClient client, string county, byte[] file, string type = CsvType) =>
        client.PutFileAsync($"/api/counties/{county}/accounts", file, type);

    private static Task<(int Status, JsonNode? Body)> SearchAsync(HttpClient client, string county, string idNumber) =>
        client.PostAsync($"/api/counties/{county}/accounts/search", new { idNumber });

    private static (int, int, int, int) Counts(JsonNode body) =>
        ((int)body["rows"]!, (int)body["valid"]!, (int)body["invalidAccount"]!, (int)body["duplicate"]!);

    [Fact]
    public async Task Upload_GbkCsv_CountsValidInvalidAndDuplicateRows()
    {
        var file = GbkCsv(
            Row(SampleCounty.C, "王五", "6217001234567894"),           // 62-prefixed card failing Luhn
            Row(SampleCounty.E, "孙七", "41234567890"),                // 11 digits
            Row(SampleCounty.A, "张三", "6217 0012 3456 7893"),
            Row(SampleCounty.A, "张大山", "６２２５-８８００-９９８８\u3000７７６６５６"));  // the same child again: the later row wins

        var (status, body) = await UploadAsync(Admin, "410725", file);

        Assert.Equal(202, status);
        Assert.Equal((4, 1, 2, 1), Counts(body!));
        Assert.Equal(64, ((string)body!["sha256"]!).Length);
        var (found, account) = await SearchAsync(Admin, "410725", SampleCounty.A);
        Assert.Equal(200, found);
        Assert.Equal("6225********6656", (string?)account!["maskedAccount"]);
        Assert.Equal("张大山", (string?)account["holder"]);
        Assert.Equal("valid", (string?)account["status"]);
        var (_, invalid) = await SearchAsync(Admin, "410725", SampleCounty.C);
        Assert.Equal(("invalidAccount", false), ((string?)invalid!["status"], (bool)invalid["valid"]!));
    }

    [Fact]
    public async Task Upload_Xlsx_IsReadLikeCsv()
    {
        var file = SampleCounty.Xlsx(Header, [Row(SampleCounty.B, "李四", AccountRulesTests.Card19), Row(SampleCounty.F, "阿依古丽•买买提", "412345678901")], 0, numericIds: false);

        var (status, body) = await UploadAsync(Admin, "410724", file, XlsxType);

        Assert.Equal(202, status);
        Assert.Equal((2, 2, 0, 0), Counts(body!));
        var (_, account) = await SearchAsync(Admin, "410724", SampleCounty.F);
        Assert.Equal(("4123********8901", "阿依古丽•买买提"), ((string?)account!["maskedAccount"], (string?)account["holder"]));
    }

    [Fact]
    public async Task Upload_LaterFileChangesTheAccount_KeepsBothInHistoryAndTheSameFileAgainChangesNothing()
    {
        var store = new AccountsStore(await fixture.StorageAsync());
        var (first, firstBody) = await UploadAsync(Admin, "410727", GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16), Row(SampleCounty.B, "李四", AccountRulesTests.Card18)));
        var second = GbkCsv(Row(SampleCounty.A, "张大山", AccountRulesTests.Card19), Row(SampleCounty.B, "李四", AccountRulesTests.Card18));
        var (status, body) = await UploadAsync(Admin, "410727", second);
        var version = await store.GetVersionAsync("410727", CancellationToken.None);

        var (again, _) = await UploadAsync(Admin, "410727", second);

        Assert.Equal((202, 202, 202), (first, status, again));
        Assert.Equal(version, await store.GetVersionAsync("410727", CancellationToken.None));
        Assert.Equal(2, version.Version);
        var (_, a) = await SearchAsync(Admin, "410727", SampleCounty.A);
        Assert.Equal("6214********4551", (string?)a!["maskedAccount"]);
        var history = a["history"]!.AsArray();
        Assert.Equal(["6217********7893", "6214********4551"], history.Select(h => (string?)h!["maskedAccount"]));
        Assert.Equal([(string?)firstBody!["sha256"], (string?)body!["sha256"]], history.Select(h => (string?)h!["fileSha256"]));
        Assert.All(history, h => Assert.EndsWith("+08:00", (string)h!["uploadedAt"]!, StringComparison.Ordinal));
        var (_, b) = await SearchAsync(Admin, "410727", SampleCounty.B);
        Assert.Single(b!["history"]!.AsArray());
        var latest = await store.LatestForCountyAsync("410727", CancellationToken.None);
        Assert.Equal(AccountRulesTests.Card19, latest[EduRelief.Rosters.PersonKeys.Of(SampleCounty.A)].AccountNumber);
        Assert.Equal(AccountRulesTests.Card19, (await store.GetLatestAsync("410727", SampleCounty.A, CancellationToken.None))!.AccountNumber);
    }

    [Fact]
    public async Task Upload_RowWithInvalidIdNumber_IsRefusedNamingTheRowAndStoresNothing()
    {
        var file = GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16), Row(SampleCounty.BadCheck(SampleCounty.B), "李四", AccountRulesTests.Card18), Row("", "王五", AccountRulesTests.Card19));

        var (status, problem) = await UploadAsync(Admin, "410721", file);

        Assert.Equal(400, status);
        Assert.Equal(["row:3", "row:4"], problem!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(404, (await SearchAsync(Admin, "410721", SampleCounty.A)).Status);
        Assert.Equal(0, (await new AccountsStore(await fixture.StorageAsync()).GetVersionAsync("410721", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Upload_MissingColumnOrUnknownCountyOrInspector_IsRefused()
    {
        var inspector = await App.ClientForRoleAsync("inspector", counties: ["410725"]);
        var noBank = SampleCounty.Csv(["身份证号", "账户名", "账号"], [[SampleCounty.A, "张三", AccountRulesTests.Card16]], SampleCounty.Gbk);

        var (missing, problem) = await UploadAsync(Admin, "410725", noBank);
        var (unknown, _) = await UploadAsync(Admin, "999999", GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16)));
        var (forbidden, _) = await UploadAsync(inspector, "410725", GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16)));

        Assert.Equal((400, 404, 403), (missing, unknown, forbidden));
        Assert.Contains("column:开户行", problem!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Officer_OwnSchoolsChildrenOnly_ForUploadAndSearch()
    {
        await SampleCycle.ToReviewAsync(Admin);
        var officer = await App.ClientForRoleAsync("school_officer", "4107260001");

        // The sample cycle's accounts file gave 张三 an account; a refused file must leave it as it was.
        var (_, before) = await SearchAsync(Admin, "410726", SampleCounty.A);
        var (refused, problem) = await UploadAsync(officer, "410726", GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16), Row(SampleCounty.B, "李四", AccountRulesTests.Card18)));
        var (_, after) = await SearchAsync(Admin, "410726", SampleCounty.A);
        var (accepted, counts) = await UploadAsync(officer, "410726", GbkCsv(Row(SampleCounty.A, "张三", AccountRulesTests.Card16)));
        Assert.Equal(202, (await UploadAsync(Admin, "410726", GbkCsv(Row(SampleCounty.B, "李四", AccountRulesTests.Card18)))).Status);
        var (own, account) = await SearchAsync(officer, "410726", SampleCounty.A);
        var (other, _) = await SearchAsync(officer, "410726", SampleCounty.B);

        Assert.Equal(400, refused);
        Assert.Equal(["row:3"], problem!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before!.ToJsonString(), after!.ToJsonString());
        Assert.Single(after["history"]!.AsArray());
        Assert.Equal(202, accepted);
        Assert.Equal((1, 1, 0, 0), Counts(counts!));
        Assert.Equal((200, "6217********7893"), (own, (string?)account!["maskedAccount"]));
        Assert.Equal(403, other);
    }

    [Fact]
    public async Task TwoUploadsAtOnce_TheCycleCountsBothOnceBothAreAnswered()
    {
        await using var app = await AppProcess.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.Admin);
        var before = await AccountFiguresAsync(app.Admin, id);

        // 张三 and 李四 each get an account in a stranger's name, from two files sent at once: each upload checks the
        // cycle, and the check that lands last must have seen both files.
        await UploadAtOnceAsync(app.Admin, Row(SampleCounty.A, "陌生人甲", AccountRulesTests.Card16), Row(SampleCounty.B, "陌生人乙", AccountRulesTests.Card18));
        var mismatched = await AccountFiguresAsync(app.Admin, id);

        // And back, at once again: both accounts in the children's own names, so both checks may delete the same two
        // settled mismatches (the second delete finds nothing, which is no failure).
        await UploadAtOnceAsync(app.Admin, Row(SampleCounty.A, "张三", AccountRulesTests.Card19), Row(SampleCounty.B, "李四", AccountRulesTests.Card16));
        var settled = await AccountFiguresAsync(app.Admin, id);

        Assert.Equal((int)before["holderMismatch"]! + 2, (int)mismatched["holderMismatch"]!);
        Assert.Equal((int)before["pendingReview"]! + 2, (int)mismatched["pendingReview"]!);
        Assert.Equal((int)before["withAccount"]! - 2, (int)mismatched["withAccount"]!);
        Assert.Equal(before.ToJsonString(), settled.ToJsonString());
    }

    private static async Task UploadAtOnceAsync(HttpClient admin, string[] first, string[] second)
    {
        var answers = await Task.WhenAll(UploadAsync(admin, "410726", GbkCsv(first)), UploadAsync(admin, "410726", GbkCsv(second)));
        Assert.All(answers, a => Assert.Equal(202, a.Status));
    }

    private static async Task<JsonNode> AccountFiguresAsync(HttpClient admin, string cycleId) =>
        (await admin.GetJsonAsync($"/api/cycles/{cycleId}")).Body!["accounts"]!;

    [Fact]
    public async Task Search_ReturnsMaskedAccountOnly_404WhenNoneAnd400ForABadIdNumber()
    {
        Assert.Equal(202, (await UploadAsync(Admin, "410725", GbkCsv(Row(SampleCounty.G, "周八", AccountRulesTests.Card18)))).Status);

        var (status, text) = await SearchRawAsync("410725", SampleCounty.FullWidth(SampleCounty.G));
        var (none, _) = await SearchAsync(Admin, "410725", SampleCounty.J);
        var (bad, problem) = await SearchAsync(Admin, "410725", SampleCounty.BadCheck(SampleCounty.J));

        Assert.Equal(200, status);
        Assert.Contains("6225********6656", text, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountRulesTests.Card18, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.G, text, StringComparison.Ordinal);
        Assert.Equal((404, 400), (none, bad));
        Assert.Contains("idNumber", problem!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Logs_AfterUploadsAndSearches_HoldNoAccountNumberAndNoIdNumber()
    {
        var accounts = new[] { AccountRulesTests.Card16, AccountRulesTests.Card18, AccountRulesTests.Card19, "412345678901" };
        Assert.Equal(202, (await UploadAsync(Admin, "410724", GbkCsv(Row(SampleCounty.H, "吴九", accounts[0]), Row(SampleCounty.I, "郑十", accounts[1])))).Status);
        Assert.Equal(200, (await SearchAsync(Admin, "410724", SampleCounty.H)).Status);
        Assert.Equal(400, (await UploadAsync(Admin, "410724", GbkCsv(Row(SampleCounty.BadCheck(SampleCounty.H), "吴九", accounts[2])))).Status);
        await Eventually.UntilAsync(() => Task.FromResult(App.Output), o => o.Contains("Accounts file", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the upload's log line");

        var output = App.Output;

        Assert.All(accounts, n => Assert.DoesNotContain(n, output, StringComparison.Ordinal));
        Assert.All(new[] { SampleCounty.H, SampleCounty.I, SampleCounty.BadCheck(SampleCounty.H) }, n => Assert.DoesNotContain(n, output, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("吴九", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_KeysAndRows_HoldNoIdNumber()
    {
        Assert.Equal(202, (await UploadAsync(Admin, "110101", GbkCsv(Row(SampleCounty.D, "赵六", AccountRulesTests.Card16)))).Status);

        var table = (await fixture.StorageAsync()).Table("accounts");
        var entities = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {"110101"} and PartitionKey lt {"110102"}")))
        {
            entities.Add(e);
        }

        Assert.Equal(3, entities.Count);  // latest, one history row, the version
        Assert.All(entities, e => Assert.DoesNotContain(SampleCounty.D, string.Join('|', e.Select(p => p.Value?.ToString()).Append(e.PartitionKey).Append(e.RowKey)), StringComparison.Ordinal));
    }

    private async Task<(int Status, string Text)> SearchRawAsync(string county, string idNumber)
    {
        using var response = await Admin.PostAsync($"/api/counties/{county}/accounts/search", System.Net.Http.Json.JsonContent.Create(new { idNumber }));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
