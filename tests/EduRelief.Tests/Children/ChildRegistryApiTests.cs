using System.Text.Json.Nodes;
using EduRelief.Bench.Generator;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>
/// A generated county's spring cycle and the autumn that follows it, both verified over HTTP on one app: the autumn's
/// verification compares with the spring's children in the registry, and the autumn's 外地就学 list (uploaded first)
/// places some of them outside the county: every count is the generator's own expectation.
/// </summary>
public sealed class TwoSemestersFixture : IAsyncLifetime
{
    public const string County = "410726";

    public const string InvocationToken = "two-semesters-token";

    public static readonly SemesterPairSpec Spec = new(
        new CountySpec(SchoolYear: 2025, Students: 1_500, Seed: 31, PovertyShareOfStudents: 0.3, NameMismatchRate: 0.05),
        TransferRate: 0.06, DropoutRate: 0.05, OutsideRate: 0.02, AutumnInvalidIdRate: 0.01);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "edurelief-registry-" + Guid.NewGuid().ToString("N"));

    public AppProcess App { get; private set; } = null!;

    public GeneratedSemesters Generated { get; private set; } = null!;

    public JsonNode Autumn { get; private set; } = null!;

    public JsonNode Spring { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Generated = SemesterPairGenerator.Write(Spec, _root);
        // The functions a test fires itself (the 09:00 run) answer this token; the runner never fires that run on its own.
        App = await AppProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["EDURELIEF_INVOCATION_TOKEN"] = InvocationToken,
            ["EDURELIEF_REMINDER_SCHEDULE"] = "0 0 1 1 1 *",
        });
        var admin = App.Admin;

        // The spring cycle belongs to school year 2025: the shipped policy serves it too.
        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        policy["schoolYear"] = 2025;
        var (policyStatus, policyBody) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/policies/2025?scope=county:{County}", policy);
        Assert.True(policyStatus == 200, $"{policyStatus} {policyBody}");

        Spring = await VerifyAsync(admin, "2026-03-02T09:30:00+08:00", "2026-spring", Generated.Spring.StudentsPath, Generated.Spring.PovertyPath);
        Autumn = await VerifyAsync(admin, "2026-09-01T09:30:00+08:00", "2026-autumn", Generated.AutumnStudentsPath, Generated.AutumnPovertyPath, Generated.AutumnOutsidePath);
    }

    private static async Task<JsonNode> VerifyAsync(HttpClient admin, string at, string semester, string students, string poverty, string? outside = null)
    {
        await admin.PostAsync("/api/dev/clock", new { setTo = at });
        var (created, cycle) = await admin.PostAsync("/api/cycles", new { countyCode = County, semester, noticeDays = 5 });
        Assert.True(created == 201, $"{created} {cycle}");
        var id = (string)cycle!["id"]!;
        if (outside is not null)
        {
            var (listed, answer) = await VerificationApiTests.UploadAsync(admin, id, "outside", await File.ReadAllBytesAsync(outside), ContentType(outside));
            Assert.True(listed == 202, $"{listed} {answer}");
        }

        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", await File.ReadAllBytesAsync(students), ContentType(students))).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", await File.ReadAllBytesAsync(poverty), ContentType(poverty))).Status);
        return (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(120), $"{semester} verification")).Body!;
    }

    private static string ContentType(string path) => path.EndsWith(".xlsx", StringComparison.Ordinal)
        ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        : "text/csv";

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>The child registry and the comparison with the previous cycle, over HTTP against Azurite.</summary>
public sealed class ChildRegistryApiTests(TwoSemestersFixture fixture) : IClassFixture<TwoSemestersFixture>
{
    private const string County = TwoSemestersFixture.County;
    private const string AutumnId = "410726-2026-autumn";
    private const string Search = $"/api/counties/{County}/children/search";

    private HttpClient Admin => fixture.App.Admin;

    [Fact]
    public void Verification_AutumnAfterSpring_TransferredAndAbsentAreTheGeneratorsExpectation()
    {
        var expected = fixture.Generated.Changes;
        var verification = fixture.Autumn["verification"]!;

        Assert.True(expected.Transferred > 0 && expected.AbsentSchoolAge > 0 && expected.OutsideCounty > 0, expected.ToString());
        Assert.Equal(expected.OutsideCounty, (int)verification["outsideCounty"]!);
        Assert.Equal("410726-2026-spring", (string?)verification["previousCycle"]);
        Assert.Equal(expected.Transferred, (int)verification["transferred"]!);
        Assert.Equal(expected.AbsentSchoolAge, (int)verification["absent"]!);
        Assert.Equal(expected.Transferred, (int)verification["discrepancies"]!["transferred"]!);
        Assert.Equal(expected.AbsentSchoolAge, (int)verification["discrepancies"]!["absentSchoolAge"]!);
        Assert.Null((string?)fixture.Spring["verification"]!["previousCycle"]);
        Assert.Equal(0, (int)fixture.Spring["verification"]!["transferred"]!);
    }

    [Theory]
    [InlineData("transferred")]
    [InlineData("absentSchoolAge")]
    public async Task Discrepancies_ComparedKinds_ListedOnePerChild(string kind)
    {
        var (status, body) = await Admin.GetJsonAsync($"/api/cycles/{AutumnId}/discrepancies?kind={kind}&pageSize=1000");

        Assert.Equal(200, status);
        var items = body!["items"]!.AsArray();
        var expected = kind == "transferred" ? fixture.Generated.Changes.Transferred : fixture.Generated.Changes.AbsentSchoolAge;
        Assert.Equal(expected, items.Count);
        Assert.All(items, i => Assert.Equal(kind, (string?)i!["kind"]));
        Assert.All(items, i => Assert.Matches(@"^\d{6}\*{8}[\dX]{4}$", (string)i!["idNumber"]!));
        Assert.Equal(items.Count, items.Select(i => (string)i!["idNumber"]! + (string?)i["studentName"]).Distinct().Count());
    }

    [Theory]
    [InlineData("transferred")]
    [InlineData("absent")]
    public async Task Search_ByStatus_FindsEveryChildTheComparisonFound(string status)
    {
        var items = await AllAsync(Admin, new { status }, pageSize: 7);

        var expected = status == "transferred" ? fixture.Generated.Changes.Transferred : fixture.Generated.Changes.AbsentSchoolAge;
        Assert.Equal(expected, items.Count);
        Assert.Equal(expected, items.Select(i => (string)i["id"]!).Distinct().Count());
        Assert.All(items, i => Assert.Equal(AutumnId, (string?)i["latestCycle"]));
        Assert.All(items, i => Assert.Equal(status == "transferred", (bool)i["transferred"]!));
    }

    [Fact]
    public async Task Search_ByEachShape_FindsTheSameChildAndItsTimelineHasBothCycles()
    {
        var (idNumber, row) = await TransferredChildAsync();

        var (byIdStatus, byId) = await Admin.PostAsync(Search, new { idNumber });
        Assert.Equal(200, byIdStatus);
        var child = byId!["items"]!.AsArray().Single()!;
        var id = (string)child["id"]!;
        Assert.Equal((string)row["schoolCode"]!, (string?)child["schoolCode"]);
        Assert.Equal((string)row["idNumber"]!, (string?)child["idNumber"]);
        Assert.DoesNotContain(idNumber, byId.ToJsonString(), StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", id);

        var byName = await AllAsync(Admin, new { name = (string)child["name"]!, schoolCode = (string)child["schoolCode"]! });
        Assert.Contains(byName, i => (string?)i["id"] == id);
        var byVillage = await AllAsync(Admin, new { village = (string)child["village"]! }, pageSize: 1000);
        Assert.Contains(byVillage, i => (string?)i["id"] == id);
        Assert.All(byVillage, i => Assert.Equal((string?)child["village"], (string?)i["village"]));

        var (timelineStatus, timeline) = await Admin.GetJsonAsync($"/api/counties/{County}/children/{id}");
        Assert.Equal(200, timelineStatus);
        var cycles = timeline!["timeline"]!.AsArray();
        Assert.Equal(["410726-2026-spring", AutumnId], cycles.Select(c => (string)c!["cycleId"]!));
        Assert.Equal((string?)cycles[0]!["schoolCode"], (string?)cycles[1]!["transferredFrom"]);
        Assert.NotEqual((string?)cycles[0]!["schoolCode"], (string?)cycles[1]!["schoolCode"]);
        Assert.Equal((string)row["schoolCode"]!, (string?)cycles[1]!["schoolCode"]);
        Assert.All(cycles, c => Assert.False(string.IsNullOrEmpty((string?)c!["stage"])));
        Assert.DoesNotContain(idNumber, fixture.App.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Officer_OtherSchoolsChild_Refused_OwnSchoolsChildShown()
    {
        var (idNumber, row) = await TransferredChildAsync();
        var (_, found) = await Admin.PostAsync(Search, new { idNumber });
        var id = (string)found!["items"]![0]!["id"]!;
        var (_, timeline) = await Admin.GetJsonAsync($"/api/counties/{County}/children/{id}");
        var previousSchool = (string)timeline!["timeline"]![0]!["schoolCode"]!;
        var own = await fixture.App.ClientForRoleAsync("school_officer", (string)row["schoolCode"]!);
        var other = await fixture.App.ClientForRoleAsync("school_officer", previousSchool);

        Assert.Equal(200, (await own.GetJsonAsync($"/api/counties/{County}/children/{id}")).Status);
        Assert.Equal(403, (await other.GetJsonAsync($"/api/counties/{County}/children/{id}")).Status);
        Assert.Equal(403, (await other.PostAsync(Search, new { idNumber })).Status);
        Assert.Equal(403, (await other.PostAsync(Search, new { name = "张三", schoolCode = (string)row["schoolCode"]! })).Status);
        var listed = await AllAsync(other, new { status = "eligible" }, pageSize: 1000, client: other);
        Assert.NotEmpty(listed);
        Assert.All(listed, i => Assert.Equal(previousSchool, (string?)i["schoolCode"]));
        Assert.DoesNotContain(listed, i => (string?)i["id"] == id);
    }

    [Fact]
    public async Task Rerun_Autumn_RewritesTheSameChildrenUnderTheNewRun()
    {
        var before = (string)(await Admin.GetJsonAsync($"/api/cycles/{AutumnId}")).Body!["verification"]!["runId"]!;

        Assert.Equal(202, (await Admin.PostAsync($"/api/cycles/{AutumnId}/verification/rerun")).Status);
        var rerun = (await Eventually.UntilAsync(() => Admin.GetJsonAsync($"/api/cycles/{AutumnId}"),
            r => (string?)r.Body!["verification"]!["runId"] != before && (string?)r.Body!["verification"]!["status"] == "completed", TimeSpan.FromSeconds(120), "re-run")).Body!["verification"]!;

        Assert.Equal((fixture.Generated.Changes.Transferred, fixture.Generated.Changes.AbsentSchoolAge), ((int)rerun["transferred"]!, (int)rerun["absent"]!));
        Assert.Equal(fixture.Generated.Changes.Transferred, (await AllAsync(Admin, new { status = "transferred" }, pageSize: 1000)).Count);
        var (idNumber, _) = await TransferredChildAsync();
        var (_, found) = await Admin.PostAsync(Search, new { idNumber });
        var (_, timeline) = await Admin.GetJsonAsync($"/api/counties/{County}/children/{(string)found!["items"]![0]!["id"]!}");
        Assert.Equal(["410726-2026-spring", AutumnId], timeline!["timeline"]!.AsArray().Select(c => (string)c!["cycleId"]!));
    }

    [Theory]
    [InlineData("{}", "idNumber")]
    [InlineData("""{"idNumber":"410726201001011234","village":"东关村"}""", "village")]
    [InlineData("""{"idNumber":"4107262010"}""", "idNumber")]
    [InlineData("""{"name":"张三"}""", "schoolCode")]
    [InlineData("""{"name":"张三","schoolCode":"41"}""", "schoolCode")]
    [InlineData("""{"schoolCode":"4107260001"}""", "name")]
    [InlineData("""{"status":"gone"}""", "status")]
    [InlineData("""{"village":"  "}""", "village")]
    [InlineData("""{"status":3}""", "status")]
    public async Task Search_BadBody_400NamingTheField(string body, string field)
    {
        var (status, problem) = await Admin.SendJsonAsync(HttpMethod.Post, Search, body);

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task Get_UnknownOrMalformedId_404()
    {
        Assert.Equal(404, (await Admin.GetJsonAsync($"/api/counties/{County}/children/{new string('A', 43)}")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync($"/api/counties/{County}/children/not-an-id")).Status);
    }

    /// <summary>A transferred child's full number, read from the autumn roster at the row its discrepancy names.</summary>
    private async Task<(string IdNumber, JsonNode Row)> TransferredChildAsync()
    {
        var (_, list) = await Admin.GetJsonAsync($"/api/cycles/{AutumnId}/discrepancies?kind=transferred&pageSize=1");
        var row = list!["items"]![0]!;
        await using var file = File.OpenRead(fixture.Generated.AutumnStudentsPath);
        var format = fixture.Generated.AutumnStudentsPath.EndsWith(".xlsx", StringComparison.Ordinal) ? RosterFormat.Xlsx : RosterFormat.Csv;
        var idColumn = RosterSchema.IndexOf(RosterKind.Students, "身份证号");
        await foreach (var line in RosterReader.ReadAsync(file, format, RosterKind.Students, CancellationToken.None))
        {
            if (line.RowNumber == (int)row["studentRow"]!)
            {
                return (EduRelief.Rosters.IdNumbers.Normalize(line[idColumn]), row);
            }
        }

        throw new InvalidOperationException("The transferred child's row is not in the autumn roster.");
    }

    private static async Task<List<JsonNode>> AllAsync(HttpClient admin, object body, int pageSize = 100, HttpClient? client = null)
    {
        var items = new List<JsonNode>();
        string? token = null;
        do
        {
            var url = $"{Search}?pageSize={pageSize}" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var (status, page) = await (client ?? admin).PostAsync(url, body);
            Assert.True(status == 200, $"{status} {page}");
            items.AddRange(page!["items"]!.AsArray().Select(i => i!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);
        return items;
    }
}
