using System.Globalization;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Auth;

/// <summary>Keys bound to counties (issue 14, item 6): county scoping on every endpoint, expiry, last use and rotation.</summary>
public sealed partial class CountyKeysTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const string CountyA = AppProcess.SampleCounty;
    private const string CountyB = "410727";

    /// <summary>
    /// Endpoints that act on no county's cycles, contacts, policies, cases or files, each with the reason. Every other
    /// endpoint the app maps must refuse a county-A administrator on county B's data.
    /// </summary>
    private static readonly Dictionary<string, string> NotCountyScoped = new(StringComparer.Ordinal)
    {
        ["GET /api/health"] = "storage health, anonymous, no data",
        ["GET /api/me"] = "who is signed in (the caller's own key or token)",
        ["GET /api/console/config"] = "how the console signs in, anonymous, no data",
        ["GET /notices/{cycleId}"] = "the public notice (公示) is public by law, anonymous",
        ["GET /notices/{cycleId}/{file}"] = "the public notice (公示) is public by law, anonymous",
        ["GET /policy/{countyCode}/{schoolYear}"] = "the county's policy page (明白纸) is public, anonymous, and holds no personal data",
        ["POST /api/hotline/cases"] = "the hotline system's webhook, by signature; the county is in the signed body",
        ["POST /WorkflowSteps"] = "Functions host invocation, guarded by the invocation token, no user",
        ["POST /WorkflowPoison"] = "Functions host invocation, guarded by the invocation token, no user",
        ["POST /WorkflowSweep"] = "Functions host invocation, guarded by the invocation token, no user",
        ["POST /Reminders"] = "Functions host invocation, guarded by the invocation token, no user",
        ["GET /api/calendar/{year}"] = "the State Council's working-day calendar is the same for every county (PUT needs every county)",
        ["GET /api/mail"] = "a list limited to the caller's counties (MailOutbox.ListAsync), not a county's resource",
        ["GET /api/pairings/mine"] = "a teacher's own paired children, bound to the teacher's key (school and teacher id); every staff role gets 403",
    };

    private AppProcess App => fixture.App;

    [Fact]
    public async Task CountyAAdmin_EveryEndpointOfCountyB_Is403NamingTheCounty()
    {
        var cycleB = await CycleAsync(CountyB, "2026-autumn");
        var cycleA = await CycleAsync(CountyA, "2026-autumn");
        var caseB = await CaseAsync(CountyB, "county-b-1");
        var caseA = await CaseAsync(CountyA, "county-a-1");
        using var adminA = await App.ClientForRoleAsync("bureau_admin", counties: [CountyA]);

        var (_, endpoints) = await App.Admin.GetJsonAsync("/api/dev/endpoints");
        var routes = endpoints!["items"]!.AsArray()
            .SelectMany(e => e!["methods"]!.AsArray().Select(m => ((string)m!, (string)e["pattern"]!)))
            .Where(r => r.Item1 != "HEAD")
            .ToList();
        Assert.Contains(("GET", "/api/cycles/{id}/ledger"), routes);
        Assert.True(routes.Count > 60, $"only {routes.Count} routes listed");

        var failures = new List<string>();
        var tried = 0;
        foreach (var (method, raw) in routes)
        {
            var pattern = raw.Length > 1 ? raw.TrimEnd('/') : raw; // a group's own route reads "/api/cycles/"
            var route = $"{method} {pattern}";
            if (NotCountyScoped.ContainsKey(route) || pattern.StartsWith("/api/dev/", StringComparison.Ordinal) || pattern.StartsWith("/console", StringComparison.Ordinal))
            {
                continue; // /api/dev: Development only (dev clock, test workflows); /console: the console's static files.
            }

            tried++;
            var url = Fill(pattern, cycleB, caseB) + QueryFor(method, pattern, cycleB);
            var body = method == "POST" && pattern == "/api/cycles" ? (object)new { countyCode = CountyB, semester = "2027-spring", noticeDays = 5 } : "{}";
            var (status, problem) = await adminA.SendJsonAsync(new HttpMethod(method), url, method is "GET" or "DELETE" ? null : body);
            var everyCounty = pattern.StartsWith("/api/keys", StringComparison.Ordinal) || pattern.StartsWith("/api/officers", StringComparison.Ordinal)
                || pattern.StartsWith("/api/calendar", StringComparison.Ordinal);
            var county = problem?["county"]?.GetValue<string>();
            if (status != 403 || (pattern != "/api/cycles" && county != (everyCounty ? "*" : CountyB)))
            {
                failures.Add($"{method} {url}: {status} {problem?.ToJsonString()}");
            }
        }

        Assert.True(failures.Count == 0, "not refused:\n" + string.Join('\n', failures));
        Assert.True(tried > 50, $"only {tried} routes tried");
        // Nothing was created in county B, and the county-A key does work on its own county.
        Assert.Equal(404, (await App.Admin.GetJsonAsync($"/api/cycles/{CountyB}-2027-spring")).Status);
        Assert.Equal(200, (await adminA.GetJsonAsync($"/api/cycles/{cycleA}")).Status);
        Assert.Equal(200, (await adminA.GetJsonAsync($"/api/hotline/cases/{caseA}")).Status);
        Assert.NotEqual(403, (await adminA.GetJsonAsync($"/api/counties/{CountyA}/contacts")).Status);
        Assert.Equal(200, (await adminA.GetJsonAsync("/api/policies/2026")).Status);
        Assert.Equal(200, (await adminA.GetJsonAsync($"/api/policies/2026?countyCode={CountyA}")).Status);
        Assert.Equal(403, (await adminA.GetJsonAsync($"/api/policies/2026?countyCode={CountyB}")).Status);
        // A province-wide override changes every county of the province: only an operator of every county sets one.
        Assert.Equal("*", (string?)(await adminA.SendJsonAsync(HttpMethod.Put, "/api/policies/2026?scope=province:41", "{}")).Body!["county"]);
        Assert.Equal(200, (await App.Admin.GetJsonAsync($"/api/cycles/{cycleB}")).Status);
    }

    [Fact]
    public async Task CountyAAdmin_Lists_ShowOnlyCountyA()
    {
        var cycleB = await CycleAsync(CountyB, "2027-spring");
        var cycleA = await CycleAsync(CountyA, "2027-spring");
        var caseB = await CaseAsync(CountyB, "county-b-list");
        var caseA = await CaseAsync(CountyA, "county-a-list");
        using var adminA = await App.ClientForRoleAsync("bureau_admin", counties: [CountyA]);
        using var everywhere = await App.ClientForRoleAsync("bureau_admin", counties: ["*"]);

        var cycles = Ids(await adminA.GetJsonAsync("/api/cycles?pageSize=1000"), "id");
        var cases = Ids(await adminA.GetJsonAsync("/api/hotline/cases?pageSize=1000"), "caseNumber");
        Assert.Contains(cycleA, cycles);
        Assert.DoesNotContain(cycleB, cycles);
        Assert.Contains(caseA, cases);
        Assert.DoesNotContain(caseB, cases);
        Assert.All(cycles, c => Assert.StartsWith(CountyA, c, StringComparison.Ordinal));

        Assert.Contains(cycleB, Ids(await everywhere.GetJsonAsync("/api/cycles?pageSize=1000"), "id"));
        Assert.Contains(caseB, Ids(await everywhere.GetJsonAsync("/api/hotline/cases?pageSize=1000"), "caseNumber"));
        Assert.Equal(200, (await everywhere.GetJsonAsync($"/api/cycles/{cycleB}")).Status);
        Assert.Equal(200, (await everywhere.GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task KeyOfTwoCounties_ActsOnBoth_ButNotAThird()
    {
        var cycleB = await CycleAsync(CountyB, "2028-autumn");
        var third = await CycleAsync("410725", "2028-autumn");
        using var inspector = await App.ClientForRoleAsync("inspector", counties: [CountyA, CountyB]);

        Assert.Equal(200, (await inspector.GetJsonAsync($"/api/cycles/{cycleB}/history")).Status);
        var (status, problem) = await inspector.GetJsonAsync($"/api/cycles/{third}/history");
        Assert.Equal(403, status);
        Assert.Equal("410725", (string?)problem!["county"]);
        Assert.Equal("无权办理该县的事务", (string?)problem["title"]);
    }

    [Fact]
    public async Task Key_ListedWithCountiesExpiryAndLastUse_ExpiredIs401()
    {
        var now = await NowAsync();
        var expiresAt = now.AddHours(2).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var (status, created) = await App.Admin.PostAsync("/api/keys", new { name = "短期核查", role = "inspector", counties = new[] { "410726", "410727", "410726" }, expiresAt });
        Assert.Equal(201, status);
        var id = (string)created!["id"]!;
        Assert.Equal(["410726", "410727"], created["counties"]!.AsArray().Select(c => (string)c!));
        Assert.Null(created["lastUsedAt"]);
        using var client = App.CreateClient((string)created["key"]!);

        Assert.Equal(200, (await client.GetJsonAsync("/api/cycles")).Status);
        var used = await ListedAsync(id);
        var firstUse = DateTimeOffset.Parse((string)used["lastUsedAt"]!, CultureInfo.InvariantCulture);
        Assert.InRange(firstUse, now, now.AddMinutes(1));
        Assert.Equal(DateTimeOffset.Parse(expiresAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse((string)used["expiresAt"]!, CultureInfo.InvariantCulture));

        // A second use within the minute writes nothing; one after it records the new time.
        Assert.Equal(200, (await client.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal((string?)used["lastUsedAt"], (string?)(await ListedAsync(id))["lastUsedAt"]);
        await AdvanceAsync("PT5M");
        Assert.Equal(200, (await client.GetJsonAsync("/api/cycles")).Status);
        Assert.True(DateTimeOffset.Parse((string)(await ListedAsync(id))["lastUsedAt"]!, CultureInfo.InvariantCulture) >= firstUse.AddMinutes(5));

        await AdvanceAsync("PT2H");
        var (expired, problem) = await client.GetJsonAsync("/api/cycles");
        Assert.Equal(401, expired);
        Assert.Contains("过期", (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_OldKeyWorksUntilTheOverlapEnds_NewKeyKeepsRoleAndCounties()
    {
        var (_, created) = await App.Admin.PostAsync("/api/keys", new { name = "热线对接", role = "bureau_admin", counties = new[] { CountyA } });
        var id = (string)created!["id"]!;
        using var old = App.CreateClient((string)created["key"]!);
        var cycleA = await CycleAsync(CountyA, "2029-autumn");
        var cycleB = await CycleAsync(CountyB, "2029-autumn");

        var (status, rotated) = await App.Admin.PostAsync($"/api/keys/{id}/rotate", new { overlapHours = 1 });
        Assert.Equal(200, status);
        Assert.Equal(id, (string?)rotated!["id"]);
        Assert.NotEqual((string?)created["key"], (string?)rotated["key"]);
        Assert.NotNull(rotated["previousKeyExpiresAt"]);
        using var fresh = App.CreateClient((string)rotated["key"]!);

        Assert.Equal(200, (await old.GetJsonAsync($"/api/cycles/{cycleA}")).Status);
        Assert.Equal(200, (await fresh.GetJsonAsync($"/api/cycles/{cycleA}")).Status);
        Assert.Equal(403, (await fresh.GetJsonAsync($"/api/cycles/{cycleB}")).Status);
        var listed = await ListedAsync(id);
        Assert.NotNull(listed["rotatedAt"]);
        Assert.NotNull(listed["previousKeyLastUsedAt"]);

        await AdvanceAsync("PT61M");
        Assert.Equal(401, (await old.GetJsonAsync($"/api/cycles/{cycleA}")).Status);
        Assert.Equal(200, (await fresh.GetJsonAsync($"/api/cycles/{cycleA}")).Status);
        Assert.Null((await ListedAsync(id))["previousKeyExpiresAt"]);
        Assert.Equal(400, (await App.Admin.PostAsync($"/api/keys/{id}/rotate", new { overlapHours = 200 })).Status);
        Assert.Equal(404, (await App.Admin.PostAsync("/api/keys/nope/rotate")).Status);
    }

    [Fact]
    public async Task RetirePrevious_EndsTheOverlapAtOnce_RevokeEndsEverySecret()
    {
        var (_, created) = await App.Admin.PostAsync("/api/keys", new { name = "轮换", role = "inspector", counties = new[] { CountyA } });
        var id = (string)created!["id"]!;
        using var old = App.CreateClient((string)created["key"]!);
        var (_, rotated) = await App.Admin.PostAsync($"/api/keys/{id}/rotate");
        using var fresh = App.CreateClient((string)rotated!["key"]!);
        Assert.Equal(200, (await old.GetJsonAsync("/api/cycles")).Status);

        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{id}/previous")).Status);
        Assert.Equal(401, (await old.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(200, (await fresh.GetJsonAsync("/api/cycles")).Status);

        var (_, again) = await App.Admin.PostAsync($"/api/keys/{id}/rotate", new { overlapHours = 24 });
        using var newest = App.CreateClient((string)again!["key"]!);
        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{id}")).Status);
        Assert.Equal(401, (await fresh.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(401, (await newest.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(409, (await App.Admin.PostAsync($"/api/keys/{id}/rotate")).Status);
    }

    private async Task<string> CycleAsync(string county, string semester)
    {
        var (status, body) = await App.Admin.PostAsync("/api/cycles", new { countyCode = county, semester, noticeDays = 5 });
        Assert.True(status is 200 or 201, $"{status} {body?.ToJsonString()}");
        return (string)body!["id"]!;
    }

    private async Task<string> CaseAsync(string county, string externalId)
    {
        var (status, body) = await HotlineWebhook.PostAsync(App, new
        {
            externalId,
            countyCode = county,
            receivedAt = "2026-10-09T09:30:00+08:00",
            category = "inquiry",
            callerName = "王女士",
            callerPhone = "13812345678",
            content = "孩子的生活补助还没有到账。",
        });
        Assert.True(status is 200 or 201, $"{status} {body?.ToJsonString()}");
        return (string)body!["caseNumber"]!;
    }

    private async Task<DateTimeOffset> NowAsync() =>
        DateTimeOffset.Parse((string)(await App.Admin.GetJsonAsync("/api/dev/clock")).Body!["now"]!, CultureInfo.InvariantCulture);

    private async Task AdvanceAsync(string duration) =>
        Assert.Equal(200, (await App.Admin.PostAsync("/api/dev/clock", new { advanceBy = duration })).Status);

    private async Task<System.Text.Json.Nodes.JsonNode> ListedAsync(string id) =>
        (await App.Admin.GetJsonAsync("/api/keys")).Body!["items"]!.AsArray().Single(k => (string?)k!["id"] == id)!;

    private static List<string> Ids((int Status, System.Text.Json.Nodes.JsonNode? Body) list, string field)
    {
        Assert.Equal(200, list.Status);
        return [.. list.Body!["items"]!.AsArray().Select(i => (string)i![field]!)];
    }

    /// <summary>The route with county B's cycle and case, and a plausible value for every other parameter.</summary>
    private static string Fill(string pattern, string cycleB, string caseB) => RouteParameter().Replace(pattern, m => m.Groups[1].Value switch
    {
        "id" when pattern.StartsWith("/api/cycles", StringComparison.Ordinal) => cycleB,
        "countyCode" => CountyB,
        "caseNumber" => caseB,
        "schoolCode" => "4107270001",
        "kind" => "students",
        "year" or "schoolYear" => "2026",
        "sequence" => "1",
        "sha256" => new string('0', 64),
        "objectId" => Guid.Empty.ToString(),
        var other => other + "-1",
    });

    /// <summary>Lists and policies name the county in the query: ask for county B's.</summary>
    private static string QueryFor(string method, string pattern, string cycleB) => (method, pattern) switch
    {
        ("GET", "/api/cycles") => $"?countyCode={CountyB}",
        ("GET", "/api/hotline/cases") => $"?cycleId={cycleB}",
        (_, "/api/policies/{schoolYear}") => $"?scope=county:{CountyB}",
        _ => "",
    };

    [GeneratedRegex(@"\{\*{0,2}(\w+)(?::[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
