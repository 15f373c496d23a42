using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using EduRelief.Auth;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Runner;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace EduRelief.Tests.Auth;

/// <summary>The app with Entra sign-in on, trusting a test RSA key instead of the authority's metadata.</summary>
public sealed class EntraFixture : IAsyncLifetime
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string Audience = "api://edurelief-test";
    public const string Issuer = $"https://login.chinacloudapi.cn/{Tenant}/v2.0";
    public const string ConsoleClientId = "99999999-8888-7777-6666-555555555555";

    private readonly RSA _rsa = RSA.Create(2048);

    public AppProcess App { get; private set; } = null!;

    public SecurityKey SigningKey => new RsaSecurityKey(_rsa);

    public async Task InitializeAsync() => App = await AppProcess.StartAsync(environment: new Dictionary<string, string>
    {
        ["EDURELIEF_ENTRA_TENANT_ID"] = Tenant,
        ["EDURELIEF_ENTRA_AUDIENCE"] = Audience,
        ["EDURELIEF_ENTRA_AUTHORITY_HOST"] = "https://login.chinacloudapi.cn",
        ["EDURELIEF_ENTRA_TEST_SIGNING_KEY"] = _rsa.ExportSubjectPublicKeyInfoPem(),
        ["EDURELIEF_ENTRA_CONSOLE_CLIENT_ID"] = ConsoleClientId,
    });

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        _rsa.Dispose();
    }
}

/// <summary>A token as Entra would issue it, with whatever the test changes.</summary>
public sealed record TestToken(
    string ObjectId,
    string[] Roles,
    string? School = null,
    string Issuer = EntraFixture.Issuer,
    string Audience = EntraFixture.Audience,
    TimeSpan? ExpiresIn = null,
    string Name = "王老师",
    string[]? Counties = null)
{
    /// <summary>The counties claim every test token carries unless it says otherwise: the sample county.</summary>
    public static readonly string[] SampleCounties = [AppProcess.SampleCounty];

    public static TestToken Admin() => new(Guid.NewGuid().ToString(), [EduRelief.Auth.Roles.BureauAdmin], Name: "李科长");

    public static TestToken Officer(string? school) => new(Guid.NewGuid().ToString(), [EduRelief.Auth.Roles.SchoolOfficer], school);

    public string Sign(SecurityKey key)
    {
        var now = DateTime.UtcNow;
        var expires = now + (ExpiresIn ?? TimeSpan.FromHours(1));
        var claims = new Dictionary<string, object>
        {
            ["oid"] = ObjectId,
            ["tid"] = EntraFixture.Tenant,
            ["name"] = Name,
            ["preferred_username"] = "teacher@county.example",
            ["roles"] = Roles,
            ["counties"] = Counties ?? SampleCounties,
        };
        if (School is not null)
        {
            claims["school_code"] = School;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = expires < now ? expires - TimeSpan.FromHours(1) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromHours(1) : now,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}

public sealed class EntraTests(EntraFixture fixture) : IClassFixture<EntraFixture>
{
    private const string SchoolA = "4107260001";
    private const string SchoolB = "4107260002";

    private AppProcess App => fixture.App;

    private HttpClient Bearer(TestToken token, SecurityKey? key = null) => BearerToken(token.Sign(key ?? fixture.SigningKey));

    private HttpClient BearerToken(string jwt)
    {
        var client = App.CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        return client;
    }

    private async Task<string> CycleAsync()
    {
        var (status, body) = await App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-spring" });
        Assert.True(status is 200 or 201);
        return (string)body!["id"]!;
    }

    [Fact]
    public async Task Admin_ValidToken_ChangesCycleAndHistoryNamesPersonAndObjectId()
    {
        var token = TestToken.Admin();
        using var admin = Bearer(token);

        var (status, body) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2027-spring" });
        Assert.True(status is 200 or 201, $"{status} {body}");
        var id = (string)body!["id"]!;
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/cancel", new { reason = "试运行" })).Status);

        var (historyStatus, history) = await admin.GetJsonAsync($"/api/cycles/{id}/history");
        Assert.Equal(200, historyStatus);
        var actors = history!["items"]!.AsArray().Select(h => (string?)h!["actor"]).ToList();
        Assert.Contains($"李科长 ({token.ObjectId})", actors);
    }

    [Fact]
    public async Task Officer_WithSchoolClaim_ReadsOwnSchoolAndIsForbiddenAnother()
    {
        var id = await CycleAsync();
        using var officer = Bearer(TestToken.Officer(SchoolA));

        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}")).Status);
        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}")).Status);
        var (status, body) = await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}");
        Assert.Equal(403, status);
        Assert.Equal(403, (int)body!["status"]!);
        Assert.Equal(403, (await officer.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(403, (await officer.GetJsonAsync("/api/officers")).Status);
    }

    [Fact]
    public async Task Officer_WithoutSchoolClaim_UsesTheAdministratorsMapping()
    {
        var id = await CycleAsync();
        var token = TestToken.Officer(null);
        using var officer = Bearer(token);

        // No school yet: refused on staff and school routes alike, never read as bureau-wide.
        var (before, problem) = await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}");
        Assert.Equal(403, before);
        Assert.Contains("without a school", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/discrepancies")).Status);

        var (put, mapping) = await App.Admin.SendJsonAsync(HttpMethod.Put, $"/api/officers/{token.ObjectId.ToUpperInvariant()}", new { schoolCode = SchoolA });
        Assert.Equal(201, put);
        Assert.Equal(token.ObjectId, (string?)mapping!["objectId"]);
        Assert.Equal("bootstrap administrator", (string?)mapping["updatedBy"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", (string?)mapping["updatedAt"]);
        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);

        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Put, $"/api/officers/{token.ObjectId}", new { schoolCode = SchoolB })).Status);
        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}")).Status);

        var (_, list) = await App.Admin.GetJsonAsync("/api/officers?pageSize=1000");
        var listed = list!["items"]!.AsArray().Single(o => (string?)o!["objectId"] == token.ObjectId)!;
        Assert.Equal(SchoolB, (string?)listed["schoolCode"]);

        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/officers/{token.ObjectId}")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);
        Assert.Equal(404, (await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/officers/{token.ObjectId}")).Status);
    }

    [Fact]
    public async Task Officers_ListedInPages_FollowTheContinuationToken()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var oid in ids)
        {
            Assert.Equal(201, (await App.Admin.SendJsonAsync(HttpMethod.Put, $"/api/officers/{oid}", new { schoolCode = SchoolA })).Status);
        }

        var seen = new List<string>();
        string? continuation = null;
        do
        {
            var url = "/api/officers?pageSize=2" + (continuation is null ? "" : "&continuationToken=" + Uri.EscapeDataString(continuation));
            var (status, page) = await App.Admin.GetJsonAsync(url);
            Assert.Equal(200, status);
            Assert.True(page!["items"]!.AsArray().Count <= 2);
            seen.AddRange(page["items"]!.AsArray().Select(o => (string)o!["objectId"]!));
            continuation = (string?)page["continuationToken"];
        }
        while (continuation is not null);

        Assert.Subset(seen.ToHashSet(), ids.ToHashSet());
    }

    [Theory]
    [InlineData("not-a-guid", "{\"schoolCode\":\"4107260001\"}", "objectId")]
    [InlineData("8d5c2f53-1b7e-4a59-9a43-0c2f5e7d9b11", "{\"schoolCode\":\"12AB\"}", "schoolCode")]
    [InlineData("8d5c2f53-1b7e-4a59-9a43-0c2f5e7d9b11", "{}", "schoolCode")]
    [InlineData("8d5c2f53-1b7e-4a59-9a43-0c2f5e7d9b11", "{\"schoolCode\":42}", "schoolCode")]
    public async Task SetOfficer_InvalidRequest_Returns400NamingTheFieldAndWritesNothing(string objectId, string json, string field)
    {
        var (status, body) = await App.Admin.SendJsonAsync(HttpMethod.Put, $"/api/officers/{objectId}", json);

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
        var (_, list) = await App.Admin.GetJsonAsync("/api/officers?pageSize=1000");
        Assert.DoesNotContain(list!["items"]!.AsArray(), o => (string?)o!["objectId"] == objectId);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", "expired" },
        { "audience", "another audience" },
        { "issuer", "another issuer" },
        { "signature", "signature does not verify" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadToken_Returns401ProblemWithBearerChallenge(string fault, string reason)
    {
        var token = TestToken.Admin();
        using var other = RSA.Create(2048);
        var jwt = fault switch
        {
            "expired" => (token with { ExpiresIn = TimeSpan.FromMinutes(-10) }).Sign(fixture.SigningKey),
            "audience" => (token with { Audience = "api://another-app" }).Sign(fixture.SigningKey),
            "issuer" => (token with { Issuer = $"https://login.microsoftonline.com/{EntraFixture.Tenant}/v2.0" }).Sign(fixture.SigningKey),
            _ => token.Sign(new RsaSecurityKey(other)),
        };
        using var client = BearerToken(jwt);

        using var response = await client.GetAsync("/api/cycles");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenWithoutRole_Returns403OnStaffAndAdminRoutes()
    {
        var id = await CycleAsync();
        using var nobody = Bearer(new TestToken(Guid.NewGuid().ToString(), ["some_other_role"]));

        Assert.Equal(403, (await nobody.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(403, (await nobody.GetJsonAsync($"/api/cycles/{id}")).Status);
        Assert.Equal(403, (await nobody.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(403, (await nobody.GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task Token_CountiesClaim_BindsThePersonToThoseCounties()
    {
        var id = await CycleAsync();
        using var otherCounty = Bearer(TestToken.Admin() with { Counties = ["410727"] });
        using var none = Bearer(TestToken.Admin() with { Counties = [] });
        using var everyCounty = Bearer(TestToken.Admin() with { Counties = ["*"] });

        var (status, problem) = await otherCounty.GetJsonAsync($"/api/cycles/{id}");
        Assert.Equal(403, status);
        Assert.Equal("410726", (string?)problem!["county"]);
        Assert.Equal(403, (await none.GetJsonAsync($"/api/cycles/{id}")).Status);
        Assert.Empty((await otherCounty.GetJsonAsync("/api/cycles")).Body!["items"]!.AsArray());
        Assert.Equal(200, (await everyCounty.GetJsonAsync($"/api/cycles/{id}")).Status);
        Assert.Equal(200, (await everyCounty.GetJsonAsync("/api/keys")).Status);
        Assert.Equal(403, (await Bearer(TestToken.Admin()).GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task ApiKey_WithEntraOn_StillWorksAndWinsOverABearerHeader()
    {
        Assert.Equal(200, (await App.Admin.GetJsonAsync("/api/cycles")).Status);
        using var officerKey = await App.ClientForRoleAsync(Roles.SchoolOfficer, SchoolA);
        var id = await CycleAsync();
        Assert.Equal(200, (await officerKey.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}")).Status);
        Assert.Equal(403, (await officerKey.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);

        // The key header picks the key scheme: a broken bearer token beside a valid key does not matter.
        using var both = App.CreateClient(AppProcess.AdminKey);
        both.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.Equal(200, (await both.GetJsonAsync("/api/cycles")).Status);
    }

    [Fact]
    public async Task NoCredentials_Returns401WithBearerChallenge()
    {
        using var anonymous = App.CreateClient(null);

        using var response = await anonymous.GetAsync("/api/cycles");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Me_WithOfficerToken_NamesTheRoleSchoolAndSignInKind()
    {
        using var officer = Bearer(TestToken.Officer(SchoolA));

        var (status, me) = await officer.GetJsonAsync("/api/me");

        Assert.Equal(200, status);
        Assert.Equal(("school_officer", SchoolA, "entra", "王老师"), ((string?)me!["role"], (string?)me["schoolCode"], (string?)me["via"], (string?)me["name"]));
    }

    [Fact]
    public async Task ConsoleConfig_WithConsoleClient_GivesAuthorityClientAndApiScope()
    {
        using var anonymous = App.CreateClient(null);

        var (status, config) = await anonymous.GetJsonAsync("/api/console/config");
        var page = await anonymous.GetAsync("/console/");

        Assert.Equal(200, status);
        Assert.Equal($"https://login.chinacloudapi.cn/{EntraFixture.Tenant}", (string?)config!["entra"]!["authority"]);
        Assert.Equal(EntraFixture.ConsoleClientId, (string?)config["entra"]!["clientId"]);
        Assert.Equal($"{EntraFixture.Audience}/.default", (string?)config["entra"]!["scope"]);
        // The console may post to the token endpoint of this cloud's authority, and to nowhere else.
        Assert.Contains("connect-src 'self' https://login.chinacloudapi.cn", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}

/// <summary>The pure mapping from a validated Entra token to the app's principal.</summary>
public sealed class EntraClaimsTests
{
    private const string Oid = "8d5c2f53-1b7e-4a59-9a43-0c2f5e7d9b11";

    private static ClaimsPrincipal Token(string? school = null, string? oid = Oid, params string[] roles)
    {
        var claims = new List<Claim> { new("name", "王老师"), new("preferred_username", "wang@county.example") };
        if (oid is not null)
        {
            claims.Add(new Claim("oid", oid));
        }

        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        if (school is not null)
        {
            claims.Add(new Claim("school_code", school));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    [Fact]
    public void Map_CountiesClaim_CodesOrStarAndNothingElse()
    {
        var token = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("oid", Oid), new Claim("roles", "inspector"), new Claim("counties", "410727 410726,4107"), new Claim("counties", "410726"), new Claim("extn.counties", "*")],
            "test"));

        Assert.Equal(["410726", "410727"], EntraClaims.Map(token, "school_code", null)!.Counties());
        Assert.Equal(["*"], EntraClaims.Map(token, "school_code", null, "extn.counties")!.Counties());
        Assert.Empty(EntraClaims.Map(token, "school_code", null, "no_such_claim")!.Counties());
        Assert.True(EntraClaims.Map(token, "school_code", null, "extn.counties")!.CanActInCounty("653101"));
        Assert.False(EntraClaims.Map(token, "school_code", null)!.CanActInCounty("410725"));
    }

    [Fact]
    public void Map_AppRoles_BecomeRoleClaimsAndOthersGrantNothing()
    {
        var user = EntraClaims.Map(Token(null, Oid, "bureau_admin", "inspector", "hotline_system", "Global.Admin"), "school_code", null)!;

        Assert.True(user.IsInRole(Roles.BureauAdmin));
        Assert.True(user.IsInRole(Roles.Inspector));
        Assert.False(user.IsInRole(Roles.HotlineSystem));
        Assert.Equal(2, user.FindAll(ClaimTypes.Role).Count());
        Assert.Null(user.SchoolCode());
    }

    [Fact]
    public void Map_OfficerWithSchoolClaim_ClaimWinsOverMapping()
    {
        var user = EntraClaims.Map(Token("4107260001", Oid, "school_officer"), "school_code", "4107260002")!;

        Assert.Equal("4107260001", user.SchoolCode());
        Assert.True(user.CanAccessSchool("4107260001"));
        Assert.False(user.CanAccessSchool("4107260002"));
        Assert.False(EntraClaims.NeedsMappedSchool(Token("4107260001", Oid, "school_officer"), "school_code"));
    }

    [Fact]
    public void Map_OfficerWithInvalidOrNoSchoolClaim_UsesMapping()
    {
        Assert.True(EntraClaims.NeedsMappedSchool(Token("12AB", Oid, "school_officer"), "school_code"));
        Assert.Equal("4107260002", EntraClaims.Map(Token("12AB", Oid, "school_officer"), "school_code", "4107260002")!.SchoolCode());
        Assert.Equal("4107260002", EntraClaims.Map(Token(null, Oid, "school_officer"), "school_code", "4107260002")!.SchoolCode());
    }

    [Fact]
    public void Map_OfficerWithoutAnySchool_HasNoSchoolAndAccessesNone()
    {
        var user = EntraClaims.Map(Token(null, Oid, "school_officer"), "school_code", null)!;

        Assert.Null(user.SchoolCode());
        Assert.False(user.CanAccessSchool("4107260001"));
        Assert.False(user.CanAccessSchool(null));
    }

    [Fact]
    public void Map_SchoolOfAnotherRole_IsIgnored()
    {
        var user = EntraClaims.Map(Token("4107260001", Oid, "inspector"), "school_code", null)!;

        Assert.Null(user.SchoolCode());
        Assert.False(EntraClaims.NeedsMappedSchool(Token(null, Oid, "inspector"), "school_code"));
    }

    [Fact]
    public void Map_ConfiguredSchoolClaim_IsTheOneRead()
    {
        var token = new ClaimsPrincipal(new ClaimsIdentity([new Claim("oid", Oid), new Claim("roles", "school_officer"), new Claim("extn.school", "4107260009")], "test"));

        Assert.Equal("4107260009", EntraClaims.Map(token, "extn.school", null)!.SchoolCode());
        Assert.Null(EntraClaims.Map(token, "school_code", null)!.SchoolCode());
    }

    [Fact]
    public void Map_Actor_IsNameAndCanonicalObjectId()
    {
        var user = EntraClaims.Map(Token(null, Oid.ToUpperInvariant(), "inspector"), "school_code", null)!;

        Assert.Equal($"王老师 ({Oid})", user.Actor());
        Assert.Equal(Oid, user.FindFirstValue(ClaimTypes.NameIdentifier));
    }

    [Fact]
    public void Map_WithoutObjectId_ReturnsNull()
    {
        Assert.Null(EntraClaims.Map(Token(null, null, "bureau_admin"), "school_code", null));
        Assert.Null(EntraClaims.Map(Token(null, "not-a-guid", "bureau_admin"), "school_code", null));
    }
}

public sealed class EntraSettingsTests
{
    [Fact]
    public void Read_NothingSet_IsOff()
    {
        Assert.Null(EntraSettings.Read(TestConfig.From(), new TestEnvironment("Production")));
    }

    [Fact]
    public void Read_TenantAndAudience_DefaultsHostAndSchoolClaim()
    {
        var entra = EntraSettings.Read(TestConfig.From(("EDURELIEF_ENTRA_TENANT_ID", "contoso.onmicrosoft.com"), ("EDURELIEF_ENTRA_AUDIENCE", "api://edurelief")), new TestEnvironment("Production"))!;

        Assert.Equal("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0", entra.Issuer);
        Assert.Equal("school_code", entra.SchoolClaim);
        Assert.Null(entra.TestSigningKey);
    }

    [Fact]
    public void Read_AzureChinaHost_ChangesTheIssuer()
    {
        var entra = EntraSettings.Read(
            TestConfig.From(("EDURELIEF_ENTRA_TENANT_ID", EntraFixture.Tenant), ("EDURELIEF_ENTRA_AUDIENCE", "api://edurelief"), ("EDURELIEF_ENTRA_AUTHORITY_HOST", "https://login.chinacloudapi.cn/")),
            new TestEnvironment("Production"))!;

        Assert.Equal(EntraFixture.Issuer, entra.Issuer);
    }

    [Theory]
    [InlineData("EDURELIEF_ENTRA_TENANT_ID", "tenant", null, null)]
    [InlineData("EDURELIEF_ENTRA_AUTHORITY_HOST", "tenant", "api://x", "http://login.microsoftonline.com")]
    [InlineData("EDURELIEF_ENTRA_TENANT_ID", "a/b", "api://x", null)]
    public void Read_Misconfigured_RefusesToStartNamingTheSetting(string named, string tenant, string? audience, string? host)
    {
        var values = new List<(string, string)> { ("EDURELIEF_ENTRA_TENANT_ID", tenant) };
        if (audience is not null)
        {
            values.Add(("EDURELIEF_ENTRA_AUDIENCE", audience));
        }

        if (host is not null)
        {
            values.Add(("EDURELIEF_ENTRA_AUTHORITY_HOST", host));
        }

        var ex = Assert.Throws<InvalidOperationException>(() => EntraSettings.Read(TestConfig.From([.. values]), new TestEnvironment("Production")));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TestSigningKeyOutsideDevelopment_Refuses()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var config = TestConfig.From(("EDURELIEF_ENTRA_TENANT_ID", "t"), ("EDURELIEF_ENTRA_AUDIENCE", "a"), ("EDURELIEF_ENTRA_TEST_SIGNING_KEY", key));

        var ex = Assert.Throws<InvalidOperationException>(() => EntraSettings.Read(config, new TestEnvironment("Production")));
        Assert.Contains("EDURELIEF_ENTRA_TEST_SIGNING_KEY", ex.Message, StringComparison.Ordinal);
        Assert.IsType<SymmetricSecurityKey>(EntraSettings.Read(config, new TestEnvironment("Development"))!.TestSigningKey);
    }

}
