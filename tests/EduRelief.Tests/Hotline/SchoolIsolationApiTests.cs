using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>
/// A school officer's answers about the cycle count their own school only: no other school's cases, objections or
/// mailboxes, no county-wide verification or money, no roster files or uploaders, no reasons in the history, no batches.
/// The sample's living subsidies: 张三 625 (school 0001), 李四 375 and 赵六 750 (school 0002, 赵六 confirmed in review).
/// </summary>
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

    [Fact]
    public async Task CycleAndHistory_SchoolOfficerInReview_OwnSchoolFiguresNoFilesPeopleOrReasons()
    {
        var id = await SampleCycle.ToReviewAsync(_app.Admin);
        var officer = await _app.ClientForRoleAsync("school_officer", Own);
        var inspector = await _app.ClientForRoleAsync("inspector");

        var (_, county) = await _app.Admin.GetJsonAsync($"/api/cycles/{id}");
        var (_, inspected) = await inspector.GetJsonAsync($"/api/cycles/{id}");
        var (status, school) = await officer.GetJsonAsync($"/api/cycles/{id}");
        var (_, countyHistory) = await _app.Admin.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000");
        var (_, inspectedHistory) = await inspector.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000");
        var (historyStatus, schoolHistory) = await officer.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000");
        var (_, ownDiscrepancies) = await officer.GetJsonAsync($"/api/cycles/{id}/discrepancies?pageSize=1000");
        var (_, countyList) = await _app.Admin.GetJsonAsync("/api/cycles");
        var (_, schoolList) = await officer.GetJsonAsync("/api/cycles");

        // The bureau and the inspector read the county's cycle and history as before.
        var verification = county!["verification"]!;
        // Only what each may do differs: the inspector reads, the bureau acts.
        Assert.Empty(inspected!["allowedActions"]!.AsArray());
        Assert.Contains("rerunVerification", county["allowedActions"]!.AsArray().Select(a => (string?)a));
        county.AsObject().Remove("allowedActions");
        inspected.AsObject().Remove("allowedActions");
        Assert.Equal(county.ToJsonString(), inspected.ToJsonString());
        Assert.Equal(countyHistory!.ToJsonString(), inspectedHistory!.ToJsonString());
        Assert.True((decimal)verification["totalAmount"]! > 625m, "the county pays other schools' students too");
        Assert.NotNull(verification["eligible"]);
        var studentsRoster = county["rosters"]!["students"]!;
        var sha256 = (string)studentsRoster["sha256"]!;
        var uploader = (string)studentsRoster["uploadedBy"]!;
        Assert.Contains(countyHistory!["items"]!.AsArray(), h => (string?)h!["reason"] is { } r && r.Contains("同一人", StringComparison.Ordinal));

        // The officer: the same stage and dates, the school's own money and discrepancies, nothing county-wide.
        Assert.Equal(200, status);
        Assert.Equal((string?)county["stage"], (string?)school!["stage"]);
        Assert.Equal(county["updatedAt"]!.ToJsonString(), school["updatedAt"]!.ToJsonString());
        var own = school["verification"]!.AsObject();
        Assert.Equal("completed", (string?)own["status"]);
        Assert.Equal([Own], own["schools"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal(625m, (decimal)own["totalAmount"]!);
        Assert.Equal(1, (int)own["programs"]!["living_subsidy"]!["recipients"]!);
        Assert.Equal(625m, (decimal)own["programs"]!["living_subsidy"]!["amount"]!);
        Assert.Equal(0, (int)own["pendingReview"]!);
        var ownRows = ownDiscrepancies!["items"]!.AsArray();
        Assert.Equal(ownRows.Count, own["discrepancies"]!.AsObject().Sum(k => (int)k.Value!));
        Assert.True(verification["discrepancies"]!.AsObject().Sum(k => (int)k.Value!) > ownRows.Count, "The county has discrepancies of other schools and of the poverty registry.");
        foreach (var countyWide in new[] { "students", "povertyPersons", "matched", "eligible" })
        {
            Assert.False(own.ContainsKey(countyWide), $"verification.{countyWide} is a county figure");
        }

        // Which rosters are in and when, not their files or who uploaded them; no dead letters; no reasons or actors.
        Assert.Equal(studentsRoster["uploadedAt"]!.ToJsonString(), school["rosters"]!["students"]!["uploadedAt"]!.ToJsonString());
        Assert.Equal(["uploadedAt"], school["rosters"]!["students"]!.AsObject().Select(p => p.Key).ToArray());
        var schoolJson = school.ToJsonString();
        Assert.DoesNotContain(sha256, schoolJson, StringComparison.Ordinal);
        Assert.DoesNotContain(uploader, schoolJson, StringComparison.Ordinal);
        Assert.Empty(school["deadLetters"]!.AsArray());
        var listed = schoolList!["items"]!.AsArray().Single(c => (string?)c!["id"] == id)!;
        Assert.Equal("review", (string?)listed["stage"]);
        Assert.Null(listed["verification"]!["totalAmount"]);
        Assert.DoesNotContain(sha256, schoolList.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(sha256, countyList!.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(200, historyStatus);
        var entries = schoolHistory!["items"]!.AsArray();
        var transitions = countyHistory["items"]!.AsArray().Where(h => (string?)h!["from"] != (string?)h["to"]).ToList();
        Assert.Equal(transitions.Select(h => (string?)h!["to"]), entries.Select(h => (string?)h!["to"]));
        Assert.Equal(transitions.Select(h => h!["at"]!.ToJsonString()), entries.Select(h => h!["at"]!.ToJsonString()));
        Assert.Equal(["awaiting_rosters", "verifying", "review"], entries.Select(h => (string)h!["to"]!).ToArray());
        Assert.All(entries, h => Assert.Null(h!["reason"]));
        Assert.All(entries, h => Assert.Null(h!["actor"]));
        var historyJson = schoolHistory.ToJsonString();
        Assert.DoesNotContain("同一人", historyJson, StringComparison.Ordinal);
        Assert.DoesNotContain(sha256, historyJson, StringComparison.Ordinal);
        Assert.DoesNotContain(uploader, historyJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Money_SchoolOfficerInDisbursement_OwnSchoolsFiguresAndNoBatches()
    {
        var admin = _app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "the notice documents");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var (_, county) = await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/cycles/{id}"),
            r => (string?)r.Body!["stage"] == "disbursement" && r.Body["disbursement"]?["batches"] is JsonArray { Count: > 0 },
            TimeSpan.FromSeconds(60),
            "the batches cut at the notice's end");
        var batchId = (string)county!["disbursement"]!["batches"]![0]!["id"]!;
        var officer = await _app.ClientForRoleAsync("school_officer", Own);
        var inspector = await _app.ClientForRoleAsync("inspector");

        // The bureau and the inspector: the county's money and every batch.
        var (_, countyMoney) = await admin.GetJsonAsync($"/api/cycles/{id}/disbursement");
        var (_, inspectedMoney) = await inspector.GetJsonAsync($"/api/cycles/{id}/disbursement");
        var (inspectedBatchesStatus, inspectedBatches) = await inspector.GetJsonAsync($"/api/cycles/{id}/batches");
        Assert.Equal(countyMoney!.ToJsonString(), inspectedMoney!.ToJsonString());
        Assert.Equal(200, inspectedBatchesStatus);
        Assert.NotEmpty(inspectedBatches!["items"]!.AsArray());
        Assert.Equal(200, (await inspector.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Status);
        var countyLiving = countyMoney["programs"]!.AsArray().Single(p => (string?)p!["program"] == "living_subsidy")!;
        Assert.Equal(3, (int)countyLiving["owed"]!["count"]!);
        Assert.Equal(1750m, (decimal)countyLiving["owed"]!["amount"]!);
        Assert.True((int)county["notice"]!["documents"]!["schools"]! > 1, "the county's notice has several schools");

        // The officer: their school's money, in the cycle and on its own; batches are refused.
        var (moneyStatus, ownMoney) = await officer.GetJsonAsync($"/api/cycles/{id}/disbursement");
        Assert.Equal(200, moneyStatus);
        var ownLiving = ownMoney!["programs"]!.AsArray().Single(p => (string?)p!["program"] == "living_subsidy")!;
        Assert.Equal(1, (int)ownLiving["owed"]!["count"]!);
        Assert.Equal(625m, (decimal)ownLiving["owed"]!["amount"]!);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/batches")).Status);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Status);

        var (_, school) = await officer.GetJsonAsync($"/api/cycles/{id}");
        var disbursement = school!["disbursement"]!.AsObject();
        Assert.False(disbursement.ContainsKey("batches"), "the batches are the county's");
        Assert.Equal(ownMoney["programs"]!.ToJsonString(), disbursement["programs"]!.ToJsonString());
        Assert.DoesNotContain(batchId, school.ToJsonString(), StringComparison.Ordinal);
        var documents = school["notice"]!["documents"]!;
        Assert.Equal(1, (int)documents["schools"]!);
        Assert.InRange((int)documents["rows"]!, 1, (int)county["notice"]!["documents"]!["rows"]! - 1);
        Assert.Equal(county["notice"]!["endsAt"]!.ToJsonString(), school["notice"]!["endsAt"]!.ToJsonString());
    }
}
