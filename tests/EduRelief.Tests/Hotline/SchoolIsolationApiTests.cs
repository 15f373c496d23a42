using System.Text.Json.Nodes;
using EduRelief.Tests.Infrastructure;
using EduRelief.Tests.Verification;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>A school officer's answers about the cycle count their own school only: no other school's cases, objections or mailboxes.</summary>
public sealed class SchoolIsolationApiTests : IAsyncLifetime
{
    private const string Own = "4107260001";
    private const string Other = "4107260002";

    private AppProcess _app = null!;

    public async Task InitializeAsync() => _app = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> CaseAsync(string externalId, string category, object subject)
    {
        var (status, body) = await HotlineWebhook.PostAsync(_app, HotlineWebhook.Case(externalId, category, subject, receivedAt: "2026-09-28T09:00:00+08:00"));
        Assert.Equal(201, status);
        return (string)body!["caseNumber"]!;
    }

    [Fact]
    public async Task CycleAndContacts_SchoolOfficer_SeeTheirOwnSchoolsFiguresOnly()
    {
        var id = await SampleCycle.ToReviewAsync(_app.Admin);
        Assert.Equal(200, (await _app.Admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        var ownCase = await CaseAsync("iso-own", "complaint", new { cycleId = id, schoolCode = Own, studentName = "张三" });
        var otherCase = await CaseAsync("iso-other", "complaint", new { cycleId = id, schoolCode = Other, studentName = "李四" });
        await CaseAsync("iso-objection", "objection", new { cycleId = id, schoolCode = Other, studentName = "李四" });
        Assert.Equal(200, (await _app.Admin.PostAsync($"/api/hotline/cases/{ownCase}/assign", new { assignee = $"school:{Own}" })).Status);
        Assert.Equal(200, (await _app.Admin.PostAsync($"/api/hotline/cases/{otherCase}/assign", new { assignee = $"school:{Other}" })).Status);
        var officer = await _app.ClientForRoleAsync("school_officer", Own);

        var (_, county) = await _app.Admin.GetJsonAsync($"/api/cycles/{id}");
        var (ownStatus, school) = await officer.GetJsonAsync($"/api/cycles/{id}");
        var (_, ownItems) = await officer.GetJsonAsync($"/api/cycles/{id}/rectification");
        var (_, ownSummary) = await officer.GetJsonAsync($"/api/cycles/{id}/rectification/summary");
        var (_, countySummary) = await _app.Admin.GetJsonAsync($"/api/cycles/{id}/rectification/summary");
        var (_, countyContacts) = await _app.Admin.GetJsonAsync("/api/counties/410726/contacts");
        var (_, schoolContacts) = await officer.GetJsonAsync("/api/counties/410726/contacts");

        Assert.Equal(3, (int)county!["hotline"]!["cases"]!);
        Assert.Equal(1, (int)county["notice"]!["objectionsOpen"]!);
        Assert.Equal(5, county["verification"]!["schools"]!.AsArray().Count);
        Assert.Equal(200, ownStatus);
        Assert.Equal(1, (int)school!["hotline"]!["cases"]!);
        Assert.Equal(1, (int)school["hotline"]!["byStatus"]!["assigned"]!);
        Assert.Equal(0, (int)school["notice"]!["objectionsOpen"]!);
        Assert.Equal(0, (int)school["notice"]!["held"]!);
        Assert.Equal([Own], school["verification"]!["schools"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal(county["stage"]!.ToJsonString(), school["stage"]!.ToJsonString());
        // The verification's follow-up items belong to other owners: the officer's figures count only what their list shows.
        var ownCount = ownItems!["items"]!.AsArray().Count;
        Assert.True((int)countySummary!["items"]! > ownCount, "The county has items the officer does not own.");
        Assert.Equal((int)countySummary["items"]!, (int)county["rectification"]!["items"]!);
        Assert.Equal(ownCount, (int)ownSummary!["items"]!);
        Assert.Equal(ownCount, (int)school["rectification"]!["items"]!);
        Assert.Equal(2, countyContacts!["schools"]!.AsObject().Count);
        Assert.Equal([Own], schoolContacts!["schools"]!.AsObject().Select(s => s.Key).ToArray());
        Assert.Equal((string?)countyContacts["hotlinePhone"], (string?)schoolContacts["hotlinePhone"]);
    }
}
