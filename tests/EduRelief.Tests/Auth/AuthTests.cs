using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Auth;

public sealed class AuthTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const string SchoolA = "4107260001";
    private const string SchoolB = "4107260002";

    private AppProcess App => fixture.App;

    private async Task<string> CycleAsync()
    {
        var (status, body) = await App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-spring" });
        Assert.True(status is 200 or 201);
        return (string)body!["id"]!;
    }

    [Fact]
    public async Task Request_WithoutKey_Returns401Problem()
    {
        using var anonymous = App.CreateClient(null);
        var (status, body) = await anonymous.GetJsonAsync("/api/cycles");

        Assert.Equal(401, status);
        Assert.Equal(401, (int)body!["status"]!);
        Assert.Equal(401, (await anonymous.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(401, (await anonymous.PostAsync("/api/keys", new { name = "x", role = "bureau_admin" })).Status);
    }

    [Fact]
    public async Task Request_WithUnknownKey_Returns401()
    {
        using var stranger = App.CreateClient("er_not-a-key-anyone-issued");
        Assert.Equal(401, (await stranger.GetJsonAsync("/api/cycles")).Status);
    }

    [Fact]
    public async Task SchoolOfficer_ReadsOwnSchool_ButNotAnotherOrAdminRoutes()
    {
        var id = await CycleAsync();
        using var officer = await App.ClientForRoleAsync("school_officer", SchoolA);

        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}")).Status);
        Assert.Equal(200, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolA}")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);
        Assert.Equal(403, (await officer.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(403, (await officer.PostAsync($"/api/cycles/{id}/cancel", new { reason = "no" })).Status);
        Assert.Equal(403, (await officer.GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task Inspector_ReadsEverySchool_ButCannotChangeCycles()
    {
        var id = await CycleAsync();
        using var inspector = await App.ClientForRoleAsync("inspector");

        Assert.Equal(200, (await inspector.GetJsonAsync($"/api/cycles/{id}/schools/{SchoolB}")).Status);
        Assert.Equal(200, (await inspector.GetJsonAsync($"/api/cycles/{id}/history")).Status);
        Assert.Equal(403, (await inspector.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn" })).Status);
        Assert.Equal(403, (await inspector.PostAsync("/api/keys", new { name = "x", role = "bureau_admin" })).Status);
    }

    [Fact]
    public async Task HotlineSystem_CannotReadCyclesOrKeys()
    {
        var id = await CycleAsync();
        using var hotline = await App.ClientForRoleAsync("hotline_system");

        var (status, body) = await hotline.GetJsonAsync($"/api/cycles/{id}");
        Assert.Equal(403, status);
        Assert.Equal(403, (int)body!["status"]!);
        Assert.Equal(403, (await hotline.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(403, (await hotline.GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task Admin_CreatedKey_IsShownOnceStoredHashedAndRevocable()
    {
        var (status, created) = await App.Admin.PostAsync("/api/keys", new { name = "county inspector", role = "inspector", counties = new[] { AppProcess.SampleCounty } });
        Assert.Equal(201, status);
        var key = (string)created!["key"]!;
        var keyId = (string)created["id"]!;
        using var client = App.CreateClient(key);
        Assert.Equal(200, (await client.GetJsonAsync("/api/cycles")).Status);

        var (_, list) = await App.Admin.GetJsonAsync("/api/keys");
        var listed = list!["items"]!.AsArray().Single(k => (string?)k!["id"] == keyId)!;
        Assert.Null(listed["key"]);
        Assert.DoesNotContain(key, list.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(200, (await App.Admin.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{keyId}")).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/cycles")).Status);
        Assert.Equal(404, (await App.Admin.SendJsonAsync(HttpMethod.Delete, "/api/keys/nope")).Status);
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"role\":\"superuser\",\"counties\":[\"410726\"]}", "role")]
    [InlineData("{\"name\":\"x\",\"role\":\"inspector\"}", "counties")]
    [InlineData("{\"name\":\"x\",\"role\":\"bureau_admin\",\"counties\":[]}", "counties")]
    [InlineData("{\"name\":\"x\",\"role\":\"bureau_admin\",\"counties\":[\"410726\",\"999999\"]}", "counties[1]")]
    [InlineData("{\"name\":\"x\",\"role\":\"bureau_admin\",\"counties\":[\"410726\"],\"expiresAt\":\"2000-01-01T00:00:00+08:00\"}", "expiresAt")]
    [InlineData("{\"name\":\"x\",\"role\":\"school_officer\"}", "schoolCode")]
    [InlineData("{\"name\":\"x\",\"role\":\"school_officer\",\"schoolCode\":\"12AB\"}", "schoolCode")]
    [InlineData("{\"name\":\"x\",\"role\":\"inspector\",\"schoolCode\":\"4107260001\"}", "schoolCode")]
    [InlineData("{\"role\":\"inspector\"}", "name")]
    public async Task CreateKey_InvalidRequest_Returns400NamingTheField(string json, string field)
    {
        var (status, body) = await App.Admin.PostAsync("/api/keys", json);

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
    }
}

public sealed class DevClockAbsentTests
{
    [Fact]
    public async Task DevClock_NotEnabled_RouteDoesNotExist()
    {
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string> { ["EDURELIEF_DEV_CLOCK"] = "false" });
        Assert.Equal(404, (await app.Admin.GetJsonAsync("/api/dev/clock")).Status);
        Assert.Equal(404, (await app.Admin.PostAsync("/api/dev/clock", new { advanceBy = "P1D" })).Status);
    }
}
