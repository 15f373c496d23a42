using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>GET /api/cycles/{id} says what the caller may do and what the cycle waits on; other answers stay as they were.</summary>
public sealed class CycleActionsApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static string[] Names(System.Text.Json.Nodes.JsonNode? array) => [.. array!.AsArray().Select(n => (string)n!)];

    [Fact]
    public async Task Get_NewCycle_AdminMayUploadOrCancel_WaitsOnBothRosters()
    {
        var (_, created) = await fixture.App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2027-spring", noticeDays = 5 });
        using var inspector = await fixture.App.ClientForRoleAsync("inspector");

        var (status, admin) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{(string)created!["id"]!}");
        var (_, inspected) = await inspector.GetJsonAsync($"/api/cycles/{(string)created["id"]!}");

        Assert.Equal(200, status);
        Assert.Equal(["uploadRosters", "cancel"], Names(admin!["allowedActions"]));
        Assert.Equal("""[{"kind":"rosters","missing":["students","poverty"]}]""", admin["waitingOn"]!.ToJsonString());
        Assert.Empty(Names(inspected!["allowedActions"]));
        Assert.Null(created["allowedActions"]); // only GET /{id} answers them: the kick-off's answer is as before
    }

    [Fact]
    public async Task Get_InReviewWithEveryMismatchDecided_AdminMayApprove_OfficerMayDecideOnly()
    {
        var id = await SampleCycle.ToReviewAsync(fixture.App.Admin);
        using var officer = await fixture.App.ClientForRoleAsync("school_officer", "4107260001");

        var (_, admin) = await fixture.App.Admin.GetJsonAsync($"/api/cycles/{id}");
        var (_, school) = await officer.GetJsonAsync($"/api/cycles/{id}");
        var (_, list) = await fixture.App.Admin.GetJsonAsync("/api/cycles?countyCode=410726");

        Assert.Equal(["uploadRosters", "rerunVerification", "decideNameMismatch", "approve", "cancel"], Names(admin!["allowedActions"]));
        Assert.Equal("""[{"kind":"approval"}]""", admin["waitingOn"]!.ToJsonString());
        Assert.Equal(["decideNameMismatch"], Names(school!["allowedActions"]));
        Assert.All(list!["items"]!.AsArray(), c => Assert.Null(c!["allowedActions"]));
    }
}
