using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>One app process for the hotline tests; tests in the class run one after another on it.</summary>
public sealed class HotlineFixture : IAsyncLifetime
{
    public const string Secret = "test-hotline-secret";

    public AppProcess App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public sealed class HotlineApiTests(HotlineFixture fixture) : IClassFixture<HotlineFixture>
{
    private const string Url = "/api/hotline/cases";

    private AppProcess App => fixture.App;

    private static object Case(string externalId, string category = "complaint", string phone = "13812345678", object? subject = null) => new
    {
        externalId,
        countyCode = "410726",
        receivedAt = "2026-10-09T09:30:00+08:00",
        category,
        callerName = "王女士",
        callerPhone = phone,
        content = "孩子的生活补助还没有到账。",
        subject,
    };

    /// <summary>The app's own clock, which the signature window is measured against.</summary>
    private async Task<DateTimeOffset> AppNowAsync()
    {
        var (_, body) = await App.Admin.GetJsonAsync("/api/dev/clock");
        return DateTimeOffset.Parse((string)body!["now"]!, CultureInfo.InvariantCulture);
    }

    private static string Sign(string secret, string timestamp, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));

    private sealed record Delivery(string Timestamp, string Signature, byte[] Body);

    private async Task<Delivery> SignedAsync(object body, TimeSpan? skew = null, string secret = HotlineFixture.Secret, long bump = 0)
    {
        var bytes = body as byte[] ?? (body is string raw ? Encoding.UTF8.GetBytes(raw) : JsonSerializer.SerializeToUtf8Bytes(body));
        var ts = ((await AppNowAsync()) + (skew ?? TimeSpan.Zero)).ToUnixTimeSeconds() + bump;
        var timestamp = ts.ToString(CultureInfo.InvariantCulture);
        return new Delivery(timestamp, Sign(secret, timestamp, bytes), bytes);
    }

    private async Task<(int Status, JsonNode? Body)> DeliverAsync(Delivery delivery, bool withHeaders = true)
    {
        using var client = App.CreateClient(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (withHeaders)
        {
            request.Headers.Add("X-Hotline-Timestamp", delivery.Timestamp);
            request.Headers.Add("X-Hotline-Signature", delivery.Signature);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private async Task<(int Status, JsonNode? Body)> PostCaseAsync(object body) => await DeliverAsync(await SignedAsync(body));

    private async Task<List<JsonNode>> AllCasesAsync()
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var (status, page) = await App.Admin.GetJsonAsync(Url + "?pageSize=1000" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.Equal(200, status);
            all.AddRange(page!["items"]!.AsArray().Select(i => i!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);

        return all;
    }

    [Fact]
    public async Task PostCase_ValidSignedComplaint_Returns201WithCaseNumberDeadlineAndStatus()
    {
        var (status, body) = await PostCaseAsync(Case("valid-1"));

        Assert.Equal(201, status);
        Assert.Matches(@"^410726-\d{4}-\d{6}$", (string?)body!["caseNumber"]);
        Assert.Equal((string?)body["caseNumber"], (string?)body["id"]);
        Assert.Equal("new", (string?)body["status"]);
        Assert.Equal("complaint", (string?)body["category"]);
        // Friday 2026-10-09, 5 working days counting Monday to Friday only.
        // DOMAIN.md: received Friday 2026-10-09, due at the end of Thursday 10-15 (Saturday 10-10 is a make-up working day).
        Assert.Equal("2026-10-15T23:59:59+08:00", (string?)body["deadline"]);
        Assert.Equal("working_days", (string?)body["deadlineRule"]);
        Assert.Equal("2026-10-09T09:30:00+08:00", (string?)body["receivedAt"]);
        Assert.Equal("138****5678", (string?)body["callerPhone"]);
        Assert.Null(body["subject"]);
    }

    [Fact]
    public async Task PostCase_ObjectionToNoOpenNotice_IsDueLikeAComplaint()
    {
        var (status, body) = await PostCaseAsync(Case("objection-1", "objection", subject: new { cycleId = "410726-2026-autumn", schoolCode = "2141007261", studentName = "李明" }));

        Assert.Equal(201, status);
        Assert.Equal("2026-10-15T23:59:59+08:00", (string?)body!["deadline"]);
        Assert.Equal("working_days", (string?)body["deadlineRule"]);
        Assert.Equal("410726-2026-autumn", (string?)body["subject"]!["cycleId"]);
        var (_, list) = await App.Admin.GetJsonAsync(Url + "?cycleId=410726-2026-autumn&category=objection");
        Assert.Contains(list!["items"]!.AsArray(), i => (string?)i!["externalId"] == "objection-1");
        var (_, detail) = await App.Admin.GetJsonAsync($"{Url}/{(string)body["caseNumber"]!}");
        Assert.Equal("所涉公示当前不在公示期内，按投诉的办理时限计算。", (string?)detail!["history"]![0]!["note"]);
    }

    [Fact]
    public async Task PostCase_StaleTimestamp_Returns401AndStoresNothing()
    {
        var before = (await AllCasesAsync()).Count;

        var (status, body) = await DeliverAsync(await SignedAsync(Case("stale-1"), TimeSpan.FromMinutes(-6)));

        Assert.Equal(401, status);
        Assert.Equal(401, (int)body!["status"]!);
        Assert.Equal(before, (await AllCasesAsync()).Count);
    }

    [Fact]
    public async Task PostCase_FutureTimestamp_Returns401()
    {
        var (status, _) = await DeliverAsync(await SignedAsync(Case("future-1"), TimeSpan.FromMinutes(6)));

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task PostCase_WrongSecret_Returns401()
    {
        var (status, _) = await DeliverAsync(await SignedAsync(Case("wrong-1"), secret: "another-county-secret"));

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task PostCase_TamperedBody_Returns401()
    {
        var signed = await SignedAsync(Case("tampered-1"));
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed.Body).Replace("tampered-1", "tampered-2", StringComparison.Ordinal));

        var (status, _) = await DeliverAsync(signed with { Body = tampered });

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task PostCase_NoSignatureHeaders_Returns401()
    {
        var (status, _) = await DeliverAsync(await SignedAsync(Case("unsigned-1")), withHeaders: false);

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task PostCase_AdminKeyWithoutSignature_Returns401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = JsonContent(Case("keyed-1")) };

        using var response = await App.Admin.SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task PostCase_ExactRetryOfAnAcceptedDelivery_Returns200WithTheSameCase()
    {
        var delivery = await SignedAsync(Case("replay-1"));

        var (first, a) = await DeliverAsync(delivery);
        var (second, b) = await DeliverAsync(delivery);

        Assert.Equal(201, first);
        Assert.Equal(200, second);
        Assert.Equal((string?)a!["caseNumber"], (string?)b!["caseNumber"]);
        Assert.NotNull(b["countdown"]);
        Assert.Single(await AllCasesAsync(), c => (string?)c["externalId"] == "replay-1");
    }

    [Fact]
    public async Task PostCase_ReplayOfARefusedDeliveryOrWithAnotherBody_StaysRefused()
    {
        // A body no other test signs: the same body signed in the same second is the same delivery (a replay).
        var refused = await SignedAsync("{\"externalId\": 5, \"content\": \"replay of a refused delivery\"}");
        Assert.Equal(400, (await DeliverAsync(refused)).Status);
        var (again, body) = await DeliverAsync(refused);
        Assert.Equal(401, again);
        Assert.Contains("before", (string?)body!["detail"], StringComparison.Ordinal);

        var accepted = await SignedAsync(Case("replay-2"));
        Assert.Equal(201, (await DeliverAsync(accepted)).Status);
        var (changed, _) = await DeliverAsync(accepted with { Body = JsonSerializer.SerializeToUtf8Bytes(Case("replay-3")) });
        Assert.Equal(401, changed);
        Assert.DoesNotContain(await AllCasesAsync(), c => (string?)c["externalId"] == "replay-3");
    }

    [Fact]
    public async Task PostCase_SameExternalIdWithFreshSignature_Returns200WithTheSameCase()
    {
        var (first, a) = await DeliverAsync(await SignedAsync(Case("dup-1")));
        var (second, b) = await DeliverAsync(await SignedAsync(Case("dup-1"), bump: 1));

        Assert.Equal(201, first);
        Assert.Equal(200, second);
        Assert.Equal((string?)a!["caseNumber"], (string?)b!["caseNumber"]);
        Assert.Single(await AllCasesAsync(), c => (string?)c["externalId"] == "dup-1");
    }

    [Theory]
    [InlineData("{\"externalId\": \"bad-json\", ", "body")]
    [InlineData("[1, 2]", "body")]
    [InlineData("null", "body")]
    [InlineData("{\"externalId\": 5}", "externalId")]
    [InlineData("{\"subject\": \"someone\"}", "subject")]
    public async Task PostCase_MalformedJson_Returns400NamingTheFieldAndStoresNothing(string raw, string field)
    {
        var before = (await AllCasesAsync()).Count;

        var (status, body) = await DeliverAsync(await SignedAsync(raw));

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
        Assert.Equal(before, (await AllCasesAsync()).Count);
    }

    [Theory]
    [InlineData("externalId", null)]
    [InlineData("countyCode", null)]
    [InlineData("countyCode", "999999")]
    [InlineData("countyCode", "410700")]
    [InlineData("receivedAt", null)]
    [InlineData("receivedAt", "yesterday")]
    [InlineData("receivedAt", "2026-10-09T09:30:00")]
    [InlineData("receivedAt", "2026-13-09T09:30:00+08:00")]
    [InlineData("receivedAt", "2099-10-09T09:30:00+08:00")]
    [InlineData("category", null)]
    [InlineData("category", "praise")]
    [InlineData("callerName", null)]
    [InlineData("callerPhone", null)]
    [InlineData("callerPhone", "call me")]
    [InlineData("content", null)]
    [InlineData("content", "   ")]
    public async Task PostCase_InvalidField_Returns400NamingItAndStoresNothing(string field, string? value)
    {
        var before = (await AllCasesAsync()).Count;
        var body = JsonSerializer.SerializeToNode(Case($"invalid-{field}-{value}"))!.AsObject();
        body[field] = value;

        var (status, problem) = await DeliverAsync(await SignedAsync(body.ToJsonString()));

        Assert.Equal(400, status);
        Assert.Equal(400, (int)problem!["status"]!);
        Assert.NotNull(problem["title"]);
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, (await AllCasesAsync()).Count);
    }

    [Theory]
    [InlineData(null, "subject")]
    [InlineData("{\"schoolCode\": \"2141007261\", \"studentName\": \"李明\"}", "subject.cycleId")]
    [InlineData("{\"cycleId\": \"410726-2026-autumn\", \"schoolCode\": \"214\", \"studentName\": \"李明\"}", "subject.schoolCode")]
    [InlineData("{\"cycleId\": \"410726-2026-autumn\", \"schoolCode\": \"2141007261\"}", "subject.studentName")]
    public async Task PostCase_ObjectionWithIncompleteSubject_Returns400NamingItAndStoresNothing(string? subject, string field)
    {
        var before = (await AllCasesAsync()).Count;
        var body = JsonSerializer.SerializeToNode(Case($"objection-bad-{field}", "objection"))!.AsObject();
        body["subject"] = subject is null ? null : JsonNode.Parse(subject);

        var (status, problem) = await DeliverAsync(await SignedAsync(body.ToJsonString()));

        Assert.Equal(400, status);
        Assert.Equal([field], problem!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, (await AllCasesAsync()).Count);
    }

    [Fact]
    public async Task PostCase_BodyOver256KiB_Returns413()
    {
        var huge = JsonSerializer.SerializeToNode(Case("huge-1"))!.AsObject();
        huge["content"] = new string('x', 300 * 1024);

        var (status, _) = await DeliverAsync(await SignedAsync(huge.ToJsonString()));

        Assert.Equal(413, status);
    }

    [Fact]
    public async Task GetCase_StoredCase_ShowsPhoneMaskedAndNeverLogsIt()
    {
        var (_, created) = await PostCaseAsync(Case("masked-1", "inquiry", phone: "139 8765 4321"));
        var number = (string)created!["caseNumber"]!;

        var (status, body) = await App.Admin.GetJsonAsync($"{Url}/{number}");
        var (_, list) = await App.Admin.GetJsonAsync(Url + "?category=inquiry");

        Assert.Equal(200, status);
        Assert.Equal("139****4321", (string?)body!["callerPhone"]);
        Assert.DoesNotContain("87654321", body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("139****4321", (string?)list!["items"]!.AsArray().Single(i => (string?)i!["id"] == number)!["callerPhone"]);
        // The phone as written or as digits; a bare "8765" could turn up inside a log line's hex trace id.
        Assert.DoesNotContain("8765 4321", App.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("87654321", App.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCase_UnknownNumber_Returns404()
    {
        Assert.Equal(404, (await App.Admin.GetJsonAsync($"{Url}/410726-2026-999999")).Status);
        Assert.Equal(404, (await App.Admin.GetJsonAsync($"{Url}/not-a-case")).Status);
    }

    [Fact]
    public async Task ReadCases_ByRole_InspectorReadsSchoolSeesOnlyItsOwnHotlineSystemIsForbidden()
    {
        var (_, created) = await PostCaseAsync(Case("roles-1"));
        var number = (string)created!["caseNumber"]!;
        var inspector = await App.ClientForRoleAsync("inspector");
        var hotline = await App.ClientForRoleAsync("hotline_system");
        var school = await App.ClientForRoleAsync("school_officer", "2141007261");

        Assert.Equal(200, (await inspector.GetJsonAsync($"{Url}/{number}")).Status);
        Assert.Equal(200, (await inspector.GetJsonAsync(Url)).Status);
        Assert.Equal(403, (await hotline.GetJsonAsync($"{Url}/{number}")).Status);
        Assert.Equal(403, (await hotline.GetJsonAsync(Url)).Status);
        var (schoolList, schoolCases) = await school.GetJsonAsync(Url);
        Assert.Equal(200, schoolList);
        Assert.Empty(schoolCases!["items"]!.AsArray());
        Assert.Equal(404, (await school.GetJsonAsync($"{Url}/{number}")).Status);
        Assert.Equal(401, (await App.CreateClient(null).GetJsonAsync(Url)).Status);
    }

    [Fact]
    public async Task ListCases_Paged_ReturnsEveryCaseOnceWithItsId()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(201, (await PostCaseAsync(Case($"paged-{i}", "help"))).Status);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var (status, page) = await App.Admin.GetJsonAsync(Url + "?category=help&status=new&pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.Equal(200, status);
            seen.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["id"]!));
            token = (string?)page["continuationToken"];
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(3, seen.Count);
        Assert.Equal(3, seen.Distinct().Count());
        Assert.True(pages >= 2);
    }

    [Theory]
    [InlineData("status=closedx", "status")]
    [InlineData("category=praise", "category")]
    [InlineData("cycleId=abc", "cycleId")]
    [InlineData("pageSize=0", "pageSize")]
    public async Task ListCases_InvalidFilter_Returns400NamingIt(string query, string field)
    {
        var (status, body) = await App.Admin.GetJsonAsync($"{Url}?{query}");

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
    }

    [Fact]
    public async Task PostCase_TwentyDifferentCasesAtOnce_GetTwentyDistinctSequentialNumbers()
    {
        var deliveries = new List<Delivery>();
        for (var i = 0; i < 20; i++)
        {
            deliveries.Add(await SignedAsync(Case($"parallel-{i}", "tipoff")));
        }

        var results = await Task.WhenAll(deliveries.Select(d => DeliverAsync(d)));

        Assert.All(results, r => Assert.Equal(201, r.Status));
        var numbers = results.Select(r => (string)r.Body!["caseNumber"]!).ToList();
        Assert.Equal(20, numbers.Distinct().Count());
        var sequences = numbers.Select(n => int.Parse(n[^6..], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(sequences[0], 20), sequences);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
