using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

public sealed class CycleApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private HttpClient Admin => fixture.App.Admin;

    [Fact]
    public async Task CreateCycle_ValidRequest_Returns201WithCycleInAwaitingRosters()
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 });

        Assert.Equal(201, status);
        Assert.Equal("410726-2026-autumn", (string?)body!["id"]);
        Assert.Equal("awaiting_rosters", (string?)body["stage"]);
        Assert.Equal("410726", (string?)body["countyCode"]);
        Assert.Equal("延津县", (string?)body["countyName"]);
        Assert.Equal(2026, (int)body["schoolYear"]!);
        Assert.Equal(3, (int)body["definitionVersion"]!); // the latest aid cycle: v3 pays and follows up by itself
        Assert.EndsWith("+08:00", (string?)body["createdAt"]);
    }

    [Fact]
    public async Task CreateCycle_SameRequestAgain_Returns200WithTheSameCycle()
    {
        var request = new { countyCode = "110101", semester = "2026-autumn", noticeDays = 7 };
        var (first, a) = await Admin.PostAsync("/api/cycles", request);
        var (second, b) = await Admin.PostAsync("/api/cycles", request);

        Assert.Equal(201, first);
        Assert.Equal(200, second);
        Assert.Equal((string?)a!["createdAt"], (string?)b!["createdAt"]);
        var (_, list) = await Admin.GetJsonAsync("/api/cycles?countyCode=110101");
        Assert.Single(list!["items"]!.AsArray());
        var (_, history) = await Admin.GetJsonAsync("/api/cycles/110101-2026-autumn/history");
        Assert.Single(history!["items"]!.AsArray());
    }

    [Fact]
    public async Task CreateCycle_SameCycleDifferentNoticeDays_Returns409NamingNoticeDays()
    {
        await Admin.PostAsync("/api/cycles", new { countyCode = "110102", semester = "2026-autumn", noticeDays = 5 });
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode = "110102", semester = "2026-autumn", noticeDays = 9 });

        Assert.Equal(409, status);
        Assert.NotNull(body!["errors"]!["noticeDays"]);
    }

    [Theory]
    [InlineData("999999", "countyCode")] // not a division
    [InlineData("410700", "countyCode")] // 新乡市: a prefecture, not county level
    [InlineData("41072", "countyCode")]
    [InlineData("４１０７２６", "countyCode")]
    [InlineData(null, "countyCode")]
    public async Task CreateCycle_InvalidCounty_Returns400NamingCountyCode(string? countyCode, string field)
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode, semester = "2026-autumn" });

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
        Assert.Null(body["errors"]!["semester"]);
    }

    [Theory]
    [InlineData("2026-fall")]
    [InlineData("2026autumn")]
    [InlineData("26-spring")]
    [InlineData("")]
    public async Task CreateCycle_InvalidSemester_Returns400NamingSemester(string semester)
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester });

        Assert.Equal(400, status);
        Assert.Equal(400, (int)body!["status"]!);
        Assert.NotNull(body["title"]);
        Assert.NotNull(body["errors"]!["semester"]);
    }

    [Fact]
    public async Task CreateCycle_NoticeDaysBelowFive_Returns400()
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2028-autumn", noticeDays = 3 });

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]!["noticeDays"]);
    }

    [Fact]
    public async Task CreateCycle_MalformedJson_Returns400AndCreatesNothing()
    {
        var (status, body) = await Admin.PostAsync("/api/cycles", "{\"countyCode\": \"410726\", \"semester\": ");
        var (wrongType, typed) = await Admin.PostAsync("/api/cycles", "{\"countyCode\": \"410726\", \"semester\": \"2029-autumn\", \"noticeDays\": \"five\"}");

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]);
        Assert.Equal(400, wrongType);
        Assert.NotNull(typed!["errors"]!["noticeDays"]);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/cycles/410726-2029-autumn")).Status);
    }

    [Fact]
    public async Task GetCycle_Unknown_Returns404Problem()
    {
        var (status, body) = await Admin.GetJsonAsync("/api/cycles/410726-2001-autumn");

        Assert.Equal(404, status);
        Assert.Equal(404, (int)body!["status"]!);
    }

    [Fact]
    public async Task ListCycles_PagedAndFiltered_ReturnsEveryCycleOnce()
    {
        var semesters = new[] { "2030-autumn", "2031-spring", "2031-autumn" };
        foreach (var s in semesters)
        {
            Assert.Equal(201, (await Admin.PostAsync("/api/cycles", new { countyCode = "130102", semester = s })).Status);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "/api/cycles?countyCode=130102&pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var (status, page) = await Admin.GetJsonAsync(url);
            Assert.Equal(200, status);
            seen.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["id"]!));
            token = (string?)page["continuationToken"];
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(semesters.Select(s => $"130102-{s}").Order(), seen.Order());
        Assert.True(pages >= 2);
        var (_, filtered) = await Admin.GetJsonAsync("/api/cycles?countyCode=130102&semester=2031-spring");
        Assert.Equal("130102-2031-spring", (string?)filtered!["items"]![0]!["id"]);
        Assert.Single(filtered["items"]!.AsArray());
        Assert.Equal(400, (await Admin.GetJsonAsync("/api/cycles?pageSize=5000")).Status);
        Assert.Equal(400, (await Admin.GetJsonAsync("/api/cycles?stage=nowhere")).Status);
    }

    [Fact]
    public async Task CancelCycle_WithReason_MovesToCancelledOnceAndRecordsHistory()
    {
        await Admin.PostAsync("/api/cycles", new { countyCode = "130104", semester = "2026-autumn" });
        Assert.Equal(400, (await Admin.PostAsync("/api/cycles/130104-2026-autumn/cancel", new { reason = " " })).Status);

        var (status, body) = await Admin.PostAsync("/api/cycles/130104-2026-autumn/cancel", new { reason = "created for the wrong county" });
        var (again, _) = await Admin.PostAsync("/api/cycles/130104-2026-autumn/cancel", new { reason = "twice" });

        Assert.Equal(200, status);
        Assert.Equal("cancelled", (string?)body!["stage"]);
        Assert.Equal(200, again);
        var (_, history) = await Admin.GetJsonAsync("/api/cycles/130104-2026-autumn/history");
        var items = history!["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        var cancel = items[1]!;
        Assert.Equal("cancel", (string?)cancel["event"]);
        Assert.Equal("awaiting_rosters", (string?)cancel["from"]);
        Assert.Equal("cancelled", (string?)cancel["to"]);
        Assert.Equal("created for the wrong county", (string?)cancel["reason"]);
        Assert.Equal("bootstrap administrator", (string?)cancel["actor"]);
        Assert.Equal(404, (await Admin.PostAsync("/api/cycles/130104-1999-autumn/cancel", new { reason = "x" })).Status);
    }

    [Fact]
    public async Task Health_StorageAnswers_Returns200()
    {
        using var anonymous = fixture.App.CreateClient(null);
        Assert.Equal(200, (await anonymous.GetJsonAsync("/api/health")).Status);
    }

    [Fact]
    public async Task InvocationRoute_WithoutRunnerToken_IsNotReachable()
    {
        var (status, _) = await Admin.PostAsync("/WorkflowSweep", new { Data = new { }, Metadata = new { } });
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Close_CycleStillAwaitingRosters_Is409SayingWhyAndChangesNothing()
    {
        var (_, created) = await Admin.PostAsync("/api/cycles", new { countyCode = "410724", semester = "2027-spring", noticeDays = 5 });
        var id = (string)created!["id"]!;
        var officer = await fixture.App.ClientForRoleAsync("school_officer", "4107240001", ["410724"]);

        var (status, problem) = await Admin.PostAsync($"/api/cycles/{id}/close");

        Assert.Equal(409, status);
        Assert.Contains("awaiting_rosters", (string?)problem!["errors"]!["cycle"]![0], StringComparison.Ordinal);
        Assert.Equal("awaiting_rosters", (string?)(await Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["stage"]);
        Assert.Equal(403, (await officer.PostAsync($"/api/cycles/{id}/close")).Status);
        Assert.Equal(404, (await Admin.PostAsync("/api/cycles/410724-2030-spring/close")).Status);
    }
}
