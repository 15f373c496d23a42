using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;
using static EduRelief.Tests.Pairing.PairingSample;

namespace EduRelief.Tests.Pairing;

/// <summary>
/// Pairings belong to the school, not to a cycle: the autumn's pairings carry over to the spring while the child stays at
/// the school; 赵六, who moved to 4107260001 in spring, is unpaired there until proposed, and their old teacher no longer
/// reaches them in the spring (the autumn's records stay theirs).
/// </summary>
public sealed class PairingCarryOverTests : ApprovedSampleTests
{
    private const string Spring = "410726-2027-spring";

    [Fact]
    public async Task NextCycle_ChildStaysAtTheSchool_KeepsTheTeacher_AMovedChildIsPairedAnewAtTheNewSchool()
    {
        var admin = App.Admin;
        var autumn = Items((await admin.PostAsync($"{Pairings(Middle)}/propose")).Body);
        Assert.Equal(200, (await admin.PostAsync($"{Pairings(Primary)}/propose")).Status);
        var (li, zhao) = (ChildOf(autumn, "李四"), ChildOf(autumn, "赵六"));
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new
        {
            items = new object[] { new { childId = li, teacherIds = new[] { "T1" } }, new { childId = zhao, teacherIds = new[] { "T2" } } },
        })).Status);
        using var t2 = await TeacherAsync(App, Middle, "T2");
        using var s1 = await TeacherAsync(App, Primary, "S1");
        Assert.Equal(201, (await t2.PostAsync($"/api/cycles/{CycleId}/pairings/records", new { childId = zhao, kind = "help", date = "2026-09-30" })).Status);

        await ApproveSpringAsync(admin);
        var middle = Items((await admin.GetJsonAsync($"/api/cycles/{Spring}/schools/{Middle}/pairings")).Body);
        var primary = Items((await admin.GetJsonAsync($"/api/cycles/{Spring}/schools/{Primary}/pairings")).Body);

        Assert.Equal(["李四"], middle.Select(i => (string)i!["name"]!));
        Assert.Equal(["T1"], TeachersOf(middle, "李四"));
        Assert.Equal(["S1"], TeachersOf(primary, "张三"));
        Assert.Empty(TeachersOf(primary, "赵六"));
        var (_, proposed) = await admin.PostAsync($"/api/cycles/{Spring}/schools/{Primary}/pairings/propose");
        Assert.Equal(1, (int)proposed!["proposed"]!);
        Assert.Equal(["S1"], TeachersOf(Items(proposed), "赵六"));

        Assert.Equal(201, (await s1.PostAsync($"/api/cycles/{Spring}/pairings/records", new { childId = zhao, kind = "home_visit", date = "2027-03-01" })).Status);
        Assert.Equal(403, (await t2.PostAsync($"/api/cycles/{Spring}/pairings/records", new { childId = zhao, kind = "help", date = "2027-03-01" })).Status);
        var (old, records) = await t2.GetJsonAsync($"/api/cycles/{CycleId}/pairings/records?childId={zhao}");
        Assert.Equal(200, old);
        Assert.Equal("help", (string?)Assert.Single(Items(records))!["kind"]);
    }

    /// <summary>The spring cycle with the same rosters, but 赵六 at 4107260001 now; approved on Monday 2027-03-01.</summary>
    private static async Task ApproveSpringAsync(HttpClient admin)
    {
        await admin.PostAsync("/api/dev/clock", new { setTo = "2027-03-01T09:00:00+08:00" });
        var (created, cycle) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2027-spring", noticeDays = 5 });
        Assert.True(created == 201, $"{created} {cycle}");
        var students = SampleCounty.Students().Select(r => r[1] == SampleCounty.D ? [r[0], r[1], Primary, "城关镇第一小学", .. r[4..]] : r).ToArray();
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, Spring, "students", SampleCounty.Csv(SampleCounty.StudentHeader, students, SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, Spring, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{Spring}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "spring verification");
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{Spring}/discrepancies?kind=nameMismatch");
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{Spring}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" })).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2027-03-01T10:00:00+08:00" });
        var (approved, body) = await admin.PostAsync($"/api/cycles/{Spring}/approve");
        Assert.True(approved == 200, $"{approved} {body}");
    }
}
