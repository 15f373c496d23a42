using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Eligibility;

/// <summary>
/// The policy API over HTTP against the real app. Tests share one app, so each writes overrides for its own
/// counties, provinces or years: 410726 (county), 13 (province), 2031 and 2035 (years without a default).
/// </summary>
public sealed class PolicyApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private HttpClient Admin => fixture.App.Admin;

    private static object Document(decimal preschool = 500m, decimal primaryNonBoarding = 312.50m) => new
    {
        programs = new object[]
        {
            new { code = "preschool_aid", stage = "学前", amount = preschool },
            new { code = "living_subsidy", stage = "小学", boardingAmount = 625m, nonBoardingAmount = primaryNonBoarding },
        },
        notes = new[] { "县级调整" },
    };

    private Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> PutAsync(string url, object? body) =>
        Admin.SendJsonAsync(HttpMethod.Put, url, body);

    [Fact]
    public async Task GetPolicy_Year2026_ReturnsTheShippedDefault()
    {
        var (status, body) = await Admin.GetJsonAsync("/api/policies/2026");
        var raw = await Admin.GetStringAsync("/api/policies/2026");

        Assert.Equal(200, status);
        Assert.Equal(2026, (int)body!["schoolYear"]!);
        Assert.Equal("default", (string?)body["scope"]);
        Assert.Matches("^default@[0-9a-f]{12}$", (string?)body["version"]);
        Assert.Null(body["updatedAt"]);
        var programs = body["document"]!["programs"]!.AsArray();
        Assert.Equal(["preschool_aid", "living_subsidy", "living_subsidy", "hs_grant", "vocational_grant", "college_grant"], programs.Select(p => (string)p!["code"]!));
        Assert.Equal("小学", (string?)programs[1]!["stage"]);
        Assert.Equal(312.50m, (decimal)programs[1]!["nonBoardingAmount"]!);
        Assert.Contains("\"nonBoardingAmount\":312.50", raw, StringComparison.Ordinal);
        Assert.Equal([1, 2], programs[4]!["grades"]!.AsArray().Select(g => (int)g!));
        Assert.Equal(1850m, (decimal)programs[5]!["amount"]!);
        Assert.Null(programs[5]!["grades"]);
        Assert.Equal("default", (string?)(await Admin.GetJsonAsync("/api/policies/2026?scope=default")).Body!["scope"]);
        Assert.Equal((string?)body["version"], (string?)(await Admin.GetJsonAsync("/api/policies/2026?countyCode=110101")).Body!["version"]);
    }

    [Fact]
    public async Task PutCountyOverride_ThenResolveThatCounty_ReturnsTheOverrideAndItsScope()
    {
        var (put, stored) = await PutAsync("/api/policies/2026?scope=county:410726", Document(preschool: 650m));

        Assert.Equal(200, put);
        Assert.Equal("county:410726", (string?)stored!["scope"]);
        Assert.Matches("^county:410726@[0-9a-f]{12}$", (string?)stored["version"]);
        Assert.Equal("bootstrap administrator", (string?)stored["updatedBy"]);
        Assert.EndsWith("+08:00", (string?)stored["updatedAt"]);
        Assert.Equal(650m, (decimal)stored["document"]!["programs"]![0]!["amount"]!);

        var (status, resolved) = await Admin.GetJsonAsync("/api/policies/2026?countyCode=410726");
        Assert.Equal(200, status);
        Assert.Equal("county:410726", (string?)resolved!["scope"]);
        Assert.Equal((string?)stored["version"], (string?)resolved["version"]);
        Assert.Equal(650m, (decimal)resolved["document"]!["programs"]![0]!["amount"]!);
        Assert.Equal((string?)stored["version"], (string?)(await Admin.GetJsonAsync("/api/policies/2026?scope=county:410726")).Body!["version"]);

        // A neighbouring county in the same province keeps the default; the default itself is untouched.
        Assert.Equal("default", (string?)(await Admin.GetJsonAsync("/api/policies/2026?countyCode=410727")).Body!["scope"]);
        Assert.Equal(500m, (decimal)(await Admin.GetJsonAsync("/api/policies/2026")).Body!["document"]!["programs"]![0]!["amount"]!);
    }

    [Fact]
    public async Task PutCountyOverride_SameContentAgainOrChanged_KeepsOrChangesTheVersion()
    {
        var (_, first) = await PutAsync("/api/policies/2026?scope=county:410725", Document());
        var (_, again) = await PutAsync("/api/policies/2026?scope=county:410725", Document());
        var (_, changed) = await PutAsync("/api/policies/2026?scope=county:410725", Document(primaryNonBoarding: 320m));

        Assert.Equal((string?)first!["version"], (string?)again!["version"]);
        Assert.NotEqual((string?)first["version"], (string?)changed!["version"]);
        Assert.Equal((string?)changed["version"], (string?)(await Admin.GetJsonAsync("/api/policies/2026?countyCode=410725")).Body!["version"]);
    }

    [Fact]
    public async Task PutProvinceOverride_CountyWithoutItsOwn_GetsTheProvincePolicy()
    {
        Assert.Equal(200, (await PutAsync("/api/policies/2026?scope=province:13", Document(preschool: 550m))).Status);
        Assert.Equal(200, (await PutAsync("/api/policies/2026?scope=county:130104", Document(preschool: 580m))).Status);

        var (status, province) = await Admin.GetJsonAsync("/api/policies/2026?countyCode=130102");
        var (_, county) = await Admin.GetJsonAsync("/api/policies/2026?countyCode=130104");
        var (_, elsewhere) = await Admin.GetJsonAsync("/api/policies/2026?countyCode=140105");

        Assert.Equal(200, status);
        Assert.Equal("province:13", (string?)province!["scope"]);
        Assert.StartsWith("province:13@", (string?)province["version"]);
        Assert.Equal(550m, (decimal)province["document"]!["programs"]![0]!["amount"]!);
        Assert.Equal("county:130104", (string?)county!["scope"]);
        Assert.Equal(580m, (decimal)county["document"]!["programs"]![0]!["amount"]!);
        Assert.Equal("default", (string?)elsewhere!["scope"]);
    }

    [Fact]
    public async Task PutOverride_YearWithoutDefault_AppliesOnlyWhereItsScopeReaches()
    {
        Assert.Equal(200, (await PutAsync("/api/policies/2031?scope=county:130105", new { schoolYear = 2031, programs = new[] { new { code = "hs_grant", stage = "普通高中", amount = 1200m } } })).Status);

        var (status, resolved) = await Admin.GetJsonAsync("/api/policies/2031?countyCode=130105");

        Assert.Equal(200, status);
        Assert.Equal(2031, (int)resolved!["schoolYear"]!);
        Assert.Equal("county:130105", (string?)resolved["scope"]);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2031")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2031?countyCode=130108")).Status);
    }

    [Fact]
    public async Task GetPolicy_YearWithoutAnyPolicy_Returns404Problem()
    {
        var (status, body) = await Admin.GetJsonAsync("/api/policies/2035");

        Assert.Equal(404, status);
        Assert.Equal(404, (int)body!["status"]!);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2035?countyCode=410726")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2035?scope=province:41")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2026?scope=county:410721")).Status);
    }

    [Fact]
    public async Task PutOverride_InvalidDocument_Returns400NamingEachFieldAndStoresNothing()
    {
        var (status, body) = await PutAsync("/api/policies/2026?scope=county:410724", new
        {
            schoolYear = 2027,
            programs = new object[]
            {
                new { code = "preschool_aid", stage = "学前", amount = 500m },
                new { code = "nutrition", stage = "小学", amount = 5m },
                new { code = "hs_grant", stage = "普通高中", amount = 1150.005m },
                new { code = "vocational_grant", stage = "中职", amount = 1150m, grades = new[] { 4 } },
                new { code = "college_grant", stage = "大学", amount = -1m },
            },
        });

        Assert.Equal(400, status);
        Assert.Equal(400, (int)body!["status"]!);
        Assert.NotNull(body["title"]);
        var errors = body["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["programs[1].code", "programs[2].amount", "programs[3].grades[0]", "programs[4].amount", "programs[4].stage", "schoolYear"], errors);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/policies/2026?scope=county:410724")).Status);
    }

    [Theory]
    [InlineData("""{"programs":[{"code":"hs_grant","stage":"普通高中","amount":"1150"}]}""", "programs[0].amount")]
    [InlineData("""{"programs":[{"code":"hs_grant","stage":"普通高中","amount":1150,"boarding":true}]}""", "programs[0].boarding")]
    [InlineData("""{"programs":[{"code":"hs_grant","stage":"普通高中",""", "programs[0]")]
    [InlineData("""{"programs":[]}""", "programs")]
    [InlineData("""[]""", "body")]
    public async Task PutOverride_MalformedBody_Returns400NamingTheField(string json, string field)
    {
        var (status, body) = await PutAsync("/api/policies/2026?scope=county:410724", json);

        Assert.Equal(400, status);
        Assert.True(body!["errors"]![field] is not null, body.ToJsonString());
    }

    [Theory]
    [InlineData("default")]
    [InlineData("province:4")]
    [InlineData("province:99")]
    [InlineData("county:41072")]
    [InlineData("county:999999")]
    [InlineData("county:410700")]
    [InlineData("410726")]
    [InlineData("")]
    [InlineData(null)]
    public async Task PutOverride_BadScope_Returns400NamingScope(string? scope)
    {
        var url = "/api/policies/2026" + (scope is null ? "" : "?scope=" + Uri.EscapeDataString(scope));

        var (status, body) = await PutAsync(url, Document());

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]!["scope"]);
    }

    [Fact]
    public async Task GetPolicy_BadQuery_Returns400NamingTheParameter()
    {
        Assert.NotNull((await Admin.GetJsonAsync("/api/policies/26")).Body!["errors"]!["schoolYear"]);
        Assert.NotNull((await Admin.GetJsonAsync("/api/policies/1999")).Body!["errors"]!["schoolYear"]);
        Assert.NotNull((await Admin.GetJsonAsync("/api/policies/2026?countyCode=999999")).Body!["errors"]!["countyCode"]);
        Assert.NotNull((await Admin.GetJsonAsync("/api/policies/2026?scope=county:4107")).Body!["errors"]!["scope"]);
        var (status, both) = await Admin.GetJsonAsync("/api/policies/2026?scope=default&countyCode=410726");
        Assert.Equal(400, status);
        Assert.NotNull(both!["errors"]!["scope"]);
        Assert.NotNull(both["errors"]!["countyCode"]);
    }

    [Fact]
    public async Task PutOverride_SchoolOfficer_Returns403AndStoresNothing()
    {
        // An officer of county 410721 itself: refused for the role, not the county.
        using var officer = await fixture.App.ClientForRoleAsync("school_officer", "4107260001", ["410721"]);

        var (status, _) = await officer.SendJsonAsync(HttpMethod.Put, "/api/policies/2026?scope=county:410721", Document(preschool: 9999m));

        Assert.Equal(403, status);
        Assert.Equal(200, (await officer.GetJsonAsync("/api/policies/2026?countyCode=410721")).Status);
        Assert.Equal("default", (string?)(await officer.GetJsonAsync("/api/policies/2026?countyCode=410721")).Body!["scope"]);
        using var anonymous = fixture.App.CreateClient(null);
        Assert.Equal(401, (await anonymous.GetJsonAsync("/api/policies/2026")).Status);
    }
}
