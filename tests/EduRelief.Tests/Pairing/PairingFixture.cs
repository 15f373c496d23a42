using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Pairing;

/// <summary>
/// The sample county's autumn cycle approved on Wednesday 2026-09-30 (contacts and mailboxes in place), and teachers at
/// two schools: 4107260002 (李四, and 赵六 once confirmed) has T1, T2 and T3 (T3 deactivated); 4107260001 (张三) has S1.
/// </summary>
public static class PairingSample
{
    public const string CycleId = "410726-2026-autumn";
    public const string Middle = "4107260002";
    public const string Primary = "4107260001";

    public static string Pairings(string school) => $"/api/cycles/{CycleId}/schools/{school}/pairings";

    public static string Teachers(string school) => $"/api/counties/410726/schools/{school}/teachers";

    public static async Task ApproveAsync(HttpClient admin)
    {
        var id = await SampleCycle.ToReviewAsync(admin);
        Assert.Equal(CycleId, id);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        var (approved, body) = await admin.PostAsync($"/api/cycles/{id}/approve");
        Assert.True(approved == 200, $"{approved} {body}");

        var middle = SampleCounty.Csv(TeacherApiTests.Header, [["王老师", "T1", "13800000001"], ["李老师", "T2", "13800000002"], ["张老师", "T3", "13800000003"]], SampleCounty.Gbk);
        Assert.Equal(200, (await admin.PutFileAsync(Teachers(Middle), middle, "text/csv")).Status);
        Assert.Equal(200, (await admin.PostAsync($"{Teachers(Middle)}/T3/deactivate")).Status);
        Assert.Equal(200, (await admin.PutFileAsync(Teachers(Primary), SampleCounty.Csv(TeacherApiTests.Header, [["陈老师", "S1", "13900000001"]], SampleCounty.Gbk), "text/csv")).Status);
    }

    /// <summary>A client signed in as the school's teacher <paramref name="teacherId"/> (an API key of role teacher).</summary>
    public static async Task<HttpClient> TeacherAsync(AppProcess app, string school, string teacherId)
    {
        var (status, key) = await app.Admin.PostAsync("/api/keys", new { name = $"教师 {teacherId}", role = "teacher", schoolCode = school, teacherId, counties = new[] { "410726" } });
        Assert.True(status == 201, $"{status} {key}");
        return app.CreateClient((string)key!["key"]!);
    }

    public static JsonArray Items(JsonNode? body) => body!["items"]!.AsArray();

    public static string ChildOf(JsonArray items, string name) => (string)items.Single(i => (string?)i!["name"] == name)!["childId"]!;

    public static IReadOnlyList<string> TeachersOf(JsonArray items, string name) =>
        [.. items.Single(i => (string?)i!["name"] == name)!["teachers"]!.AsArray().Select(t => (string)t!["id"]!).Order(StringComparer.Ordinal)];
}

/// <summary>A test class's own app with the sample cycle approved and the teachers in place (<see cref="PairingSample.ApproveAsync"/>).</summary>
public abstract class ApprovedSampleTests : IAsyncLifetime
{
    protected AppProcess App { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        App = await AppProcess.StartAsync();
        await PairingSample.ApproveAsync(App.Admin);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
