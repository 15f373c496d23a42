using EduRelief.Tests.Hosting;
using Xunit;
using static EduRelief.Tests.Pairing.PairingSample;

namespace EduRelief.Tests.Pairing;

/// <summary>Pairings over HTTP: the proposal, balanced and idempotent; edits 1:1, 1:n, n:1 and flags; who sees what.</summary>
public sealed class PairingApiTests : ApprovedSampleTests
{
    [Fact]
    public async Task Propose_PairsEachEligibleChildWithAnActiveTeacher_BalancedByCount_AndTwiceChangesNothing()
    {
        var admin = App.Admin;
        var (status, first) = await admin.PostAsync($"{Pairings(Middle)}/propose");
        var (again, second) = await admin.PostAsync($"{Pairings(Middle)}/propose");

        Assert.True(status == 200, $"{status} {first}");
        var items = Items(first);
        Assert.Equal(["李四", "赵六"], items.Select(i => (string)i!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal((2, 0), ((int)first!["proposed"]!, (int)first["unpaired"]!));
        // T3 is deactivated: the two children go one to T1, one to T2.
        Assert.Equal(["T1", "T2"], items.SelectMany(i => i!["teachers"]!.AsArray().Select(t => (string)t!["id"]!)).Order(StringComparer.Ordinal));
        Assert.All(items, i => Assert.Matches(@"^\d{6}\*{8}[\dX]{4}$", (string)i!["idNumber"]!));
        Assert.All(items, i => Assert.Equal("第一初级中学", (string?)i!["schoolName"]));
        Assert.Equal("西关村", (string?)items.Single(i => (string?)i!["name"] == "李四")!["village"]);
        Assert.Equal(375m, (decimal)items.Single(i => (string?)i!["name"] == "李四")!["aid"]![0]!["amount"]!);
        Assert.Equal(200, again);
        Assert.Equal(0, (int)second!["proposed"]!);
        Assert.Equal(items.ToJsonString(), Items(second).ToJsonString());
    }

    [Fact]
    public async Task Edit_OneChildToTwoTeachers_TwoChildrenToOne_Flags_AndBadEditsNamed()
    {
        var admin = App.Admin;
        var items = Items((await admin.PostAsync($"{Pairings(Middle)}/propose")).Body);
        var li = ChildOf(items, "李四");
        var zhao = ChildOf(items, "赵六");

        var (edited, after) = await admin.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new
        {
            items = new object[] { new { childId = li, teacherIds = new[] { "T1", "t2" }, groups = new[] { "留守" } }, new { childId = zhao, teacherIds = new[] { "T1" }, groups = new[] { "残疾", "学困" } } },
        });
        var (bad, problem) = await admin.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new
        {
            items = new object[] { new { childId = li, teacherIds = new[] { "T3" }, groups = new[] { "孤儿" } }, new { childId = "not-a-child", teacherIds = new[] { "T1" } } },
        });
        var (_, listed) = await admin.GetJsonAsync(Pairings(Middle));

        Assert.True(edited == 200, $"{edited} {after}");
        Assert.Equal(["T1", "T2"], TeachersOf(Items(after), "李四"));
        Assert.Equal(["T1"], TeachersOf(Items(listed), "赵六"));
        Assert.Equal(["残疾", "学困"], Items(listed).Single(i => (string?)i!["name"] == "赵六")!["groups"]!.AsArray().Select(g => (string)g!));
        Assert.Equal(400, bad);
        Assert.Equal(["items[0].groups", "items[0].teacherIds", "items[1].childId"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(0, (int)(await admin.PostAsync($"{Pairings(Middle)}/propose")).Body!["proposed"]!);
    }

    [Fact]
    public async Task Roles_TeacherSeesOnlyTheirChildren_OfficerOnlyTheirSchool()
    {
        var admin = App.Admin;
        var items = Items((await admin.PostAsync($"{Pairings(Middle)}/propose")).Body);
        var t1Child = (string)items.Single(i => i!["teachers"]!.AsArray().Any(t => (string?)t!["id"] == "T1"))!["name"]!;
        using var t1 = await TeacherAsync(App, Middle, "T1");
        using var s1 = await TeacherAsync(App, Primary, "S1");
        using var officer = await App.ClientForRoleAsync("school_officer", Middle);
        using var otherOfficer = await App.ClientForRoleAsync("school_officer", Primary);

        var (seen, own) = await t1.GetJsonAsync(Pairings(Middle));
        Assert.Equal(200, seen);
        Assert.Equal([t1Child], Items(own).Select(i => (string)i!["name"]!));
        Assert.Empty(Items((await s1.GetJsonAsync(Pairings(Primary))).Body));
        Assert.Equal(403, (await t1.GetJsonAsync(Pairings(Primary))).Status);
        Assert.Equal(403, (await t1.PostAsync($"{Pairings(Middle)}/propose")).Status);
        Assert.Equal(403, (await t1.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new { items = Array.Empty<object>() })).Status);
        Assert.Equal(403, (await t1.GetJsonAsync($"/api/cycles/{CycleId}")).Status);
        Assert.Equal(403, (await t1.GetJsonAsync($"/api/cycles/{CycleId}/ledger")).Status);
        Assert.Equal(403, (await t1.PostAsync("/api/counties/410726/children/search", new { name = "李四" })).Status);

        Assert.Equal(2, Items((await officer.GetJsonAsync(Pairings(Middle))).Body).Count);
        Assert.Equal(200, (await officer.PostAsync($"{Pairings(Middle)}/propose")).Status);
        Assert.Equal(403, (await otherOfficer.GetJsonAsync(Pairings(Middle))).Status);
        Assert.Equal(403, (await otherOfficer.PostAsync($"{Pairings(Middle)}/propose")).Status);
    }
}
