using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>Handling a case over HTTP: who may do what, the deadlines on the working-day calendar, and the history.</summary>
public sealed class CaseLifecycleApiTests(HotlineFixture fixture) : IClassFixture<HotlineFixture>
{
    private const string Url = "/api/hotline/cases";
    private const string School = "4107260001";

    private AppProcess App => fixture.App;

    private async Task<string> NewCaseAsync(string externalId, string category = "complaint")
    {
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
        var (status, body) = await HotlineWebhook.PostAsync(App, HotlineWebhook.Case(externalId, category));
        Assert.Equal(201, status);
        return (string)body!["caseNumber"]!;
    }

    private static IEnumerable<string> Errors(JsonNode? problem) => problem!["errors"]!.AsObject().Select(e => e.Key);

    [Fact]
    public async Task Lifecycle_AssignExtendReplyReopenClose_RecordsEachStepWithActorAndDeadlines()
    {
        var number = await NewCaseAsync("life-1");
        var officer = await App.ClientForRoleAsync("school_officer", School);

        var (assigned, afterAssign) = await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = $"school:{School}", note = "请学校核实" });
        var (progressed, _) = await officer.PostAsync($"{Url}/{number}/progress", new { note = "已电话联系家长" });
        var (requested, afterRequest) = await officer.PostAsync($"{Url}/{number}/extension", new { reason = "需入户核实", workingDays = 5 });
        var (approved, afterApproval) = await App.Admin.PostAsync($"{Url}/{number}/extension/decision", new { decision = "approved" });
        var (replied, _) = await officer.PostAsync($"{Url}/{number}/reply", new { reply = "经核实，补助已于10月8日发放到一卡通。" });
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-16T10:00:00+08:00" });
        var (verdict, reopened) = await App.Admin.PostAsync($"{Url}/{number}/satisfaction", new { satisfaction = "unsatisfied" });

        Assert.Equal([200, 200, 200, 200, 200, 200], new[] { assigned, progressed, requested, approved, replied, verdict });
        Assert.Equal("assigned", (string?)afterAssign!["status"]);
        Assert.Equal($"school:{School}", (string?)afterAssign["assignee"]);
        Assert.Equal("requested", (string?)afterRequest!["extension"]!["status"]);
        Assert.Equal("2026-10-15T23:59:59+08:00", (string?)afterRequest["deadline"]);
        // Five more working days after Thursday 10-15: 10-16, 10-19, 10-20, 10-21, 10-22.
        Assert.Equal("2026-10-22T23:59:59+08:00", (string?)afterApproval!["deadline"]);
        Assert.Equal("reopened", (string?)reopened!["status"]);
        Assert.True((bool)reopened["reopened"]!);
        // Reopened on Friday 10-16 as a complaint again: 10-19 … 10-23.
        Assert.Equal("2026-10-23T23:59:59+08:00", (string?)reopened["deadline"]);

        var (_, detail) = await officer.GetJsonAsync($"{Url}/{number}");
        var history = detail!["history"]!.AsArray();
        Assert.Equal(
            new[] { "registered", "assigned", "progress", "extension_requested", "extension_approved", "replied", "satisfaction" },
            history.Select(h => (string)h!["event"]!).ToArray());
        Assert.Equal("hotline", (string?)history[0]!["actor"]);
        Assert.All(history.Skip(1), h => Assert.False(string.IsNullOrEmpty((string?)h!["actor"])));
        Assert.Equal("in_progress", (string?)history[5]!["from"]);
        Assert.Equal("replied", (string?)history[5]!["to"]);
        Assert.Equal("138****5678", (string?)detail["callerPhone"]);

        // Reopened once: the second unsatisfied verdict closes the case.
        await officer.PostAsync($"{Url}/{number}/reply", new { reply = "已再次核实并说明政策。" });
        var (_, closed) = await App.Admin.PostAsync($"{Url}/{number}/satisfaction", new { satisfaction = "unsatisfied" });
        Assert.Equal("closed", (string?)closed!["status"]);
        Assert.Equal("unsatisfied", (string?)closed["satisfaction"]);
    }

    [Fact]
    public async Task Countdown_ListCaseAndAction_SayWhereTheDeadlineStandsOnTheCalendar()
    {
        var number = await NewCaseAsync("life-countdown");
        var (_, fresh) = await App.Admin.GetJsonAsync($"{Url}/{number}");
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-14T10:00:00+08:00" });
        var (_, list) = await App.Admin.GetJsonAsync($"{Url}?status=new");
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-16T10:00:00+08:00" });
        var (_, assigned) = await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = $"school:{School}" });

        // Received Friday 10-09, due Thursday 10-15: five working days left, the make-up Saturday 10-10 among them.
        Assert.Equal("on_track", (string?)fresh!["countdown"]!["state"]);
        Assert.Equal(5, (int)fresh["countdown"]!["workingDaysLeft"]!);
        var listed = list!["items"]!.AsArray().Single(c => (string?)c!["caseNumber"] == number)!;
        Assert.Equal("due_soon", (string?)listed["countdown"]!["state"]);
        Assert.Equal(1, (int)listed["countdown"]!["calendarDaysLeft"]!);
        Assert.Equal("overdue", (string?)assigned!["countdown"]!["state"]);
        Assert.Equal(1, (int)assigned["countdown"]!["daysOverdue"]!);
    }

    [Fact]
    public async Task Lifecycle_ObjectionActions_AnswerWithTheHoldAndCountdownAsGetDoes()
    {
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
        var (created, registered) = await HotlineWebhook.PostAsync(App, HotlineWebhook.Case("life-hold-1", "objection", new { cycleId = "410726-2031-autumn", schoolCode = School, studentName = "王小明" }));
        Assert.Equal(201, created);
        var number = (string)registered!["caseNumber"]!;

        var (assigned, afterAssign) = await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = "section:资助股" });
        var (_, detail) = await App.Admin.GetJsonAsync($"{Url}/{number}");

        Assert.Equal(200, assigned);
        Assert.Equal("open", (string?)afterAssign!["hold"]!["status"]);
        Assert.Equal(detail!["hold"]!.ToJsonString(), afterAssign["hold"]!.ToJsonString());
        Assert.Equal(detail["countdown"]!.ToJsonString(), afterAssign["countdown"]!.ToJsonString());
        Assert.Equal("open", (string?)registered["hold"]!["status"]);
    }

    [Fact]
    public async Task Lifecycle_RefusedActions_Are409sWhoseErrorsNameWhatBlocks()
    {
        var number = await NewCaseAsync("life-409-1");
        await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = "section:资助股" });
        Assert.Equal(200, (await App.Admin.PostAsync($"{Url}/{number}/extension", new { reason = "需入户核实", workingDays = 5 })).Status);

        var (again, extension) = await App.Admin.PostAsync($"{Url}/{number}/extension", new { reason = "再延一次", workingDays = 5 });
        var (decided, objection) = await App.Admin.PostAsync($"{Url}/{number}/objection/decision", new { decision = "upheld", reason = "不是异议" });

        Assert.Equal(409, again);
        Assert.Equal(["extension"], Errors(extension));
        Assert.Equal(409, decided);
        Assert.Equal(["category"], Errors(objection));
    }

    [Fact]
    public async Task Lifecycle_OtherSchoolsOfficer_CannotSeeOrActAndOnlyTheBureauAssigns()
    {
        var number = await NewCaseAsync("life-2");
        await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = $"school:{School}" });
        var other = await App.ClientForRoleAsync("school_officer", "4107260002");
        var own = await App.ClientForRoleAsync("school_officer", School);

        Assert.Equal(404, (await other.GetJsonAsync($"{Url}/{number}")).Status);
        Assert.Equal(404, (await other.PostAsync($"{Url}/{number}/progress", new { note = "x" })).Status);
        Assert.Equal(403, (await own.PostAsync($"{Url}/{number}/assign", new { assignee = "school:4107260002" })).Status);
        Assert.Equal(403, (await own.PostAsync($"{Url}/{number}/extension/decision", new { decision = "approved" })).Status);
        var inspector = await App.ClientForRoleAsync("inspector");
        Assert.Equal(200, (await inspector.GetJsonAsync($"{Url}/{number}")).Status);
        Assert.Equal(403, (await inspector.PostAsync($"{Url}/{number}/progress", new { note = "督导组记录" })).Status);
        Assert.Equal(403, (await inspector.PostAsync($"{Url}/{number}/reply", new { reply = "x" })).Status);
        var (_, ownList) = await own.GetJsonAsync(Url);
        Assert.Contains(ownList!["items"]!.AsArray(), c => (string?)c!["caseNumber"] == number);
        var (_, otherList) = await other.GetJsonAsync(Url);
        Assert.DoesNotContain(otherList!["items"]!.AsArray(), c => (string?)c!["caseNumber"] == number);
    }

    [Fact]
    public async Task Lifecycle_BadBodies_AreBadRequestsNamingTheFieldAndChangeNothing()
    {
        var number = await NewCaseAsync("life-3");

        var (badAssignee, p1) = await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = "school:123" });
        var (noNote, p2) = await App.Admin.PostAsync($"{Url}/{number}/progress", new { note = " " });
        var (badDays, p3) = await App.Admin.PostAsync($"{Url}/{number}/extension", new { reason = "x", workingDays = 99 });
        var (noDays, p4) = await App.Admin.PostAsync($"{Url}/{number}/extension", new { reason = "x" });
        var (badLevel, p5) = await App.Admin.PostAsync($"{Url}/{number}/satisfaction", new { satisfaction = "happy" });
        var (notObjection, _) = await App.Admin.PostAsync($"{Url}/{number}/objection/decision", new { decision = "upheld", reason = "x" });
        var (early, _) = await App.Admin.PostAsync($"{Url}/{number}/reply", new { reply = "x" });
        var (unknown, _) = await App.Admin.PostAsync($"{Url}/410726-2026-999999/assign", new { assignee = $"school:{School}" });

        Assert.Equal(400, badAssignee);
        Assert.Contains("assignee", Errors(p1));
        Assert.Equal(400, noNote);
        Assert.Contains("note", Errors(p2));
        Assert.Equal(400, badDays);
        Assert.Contains("workingDays", Errors(p3));
        Assert.Equal(400, noDays);
        Assert.Contains("workingDays", Errors(p4));
        Assert.Equal(400, badLevel);
        Assert.Contains("satisfaction", Errors(p5));
        Assert.Equal(409, notObjection);
        Assert.Equal(409, early);
        Assert.Equal(404, unknown);
        var (_, detail) = await App.Admin.GetJsonAsync($"{Url}/{number}");
        Assert.Equal("new", (string?)detail!["status"]);
        Assert.Single(detail["history"]!.AsArray());
    }

    [Theory]
    [InlineData("410727-2026-autumn", "李明", "subject.cycleId")]
    [InlineData("410726-2026-autumn", "李明 410726201001011234", "subject.studentName")]
    public async Task Webhook_ObjectionNamingAnotherCountyOrANumber_IsRefusedNamingTheField(string cycleId, string studentName, string field)
    {
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });

        var (status, problem) = await HotlineWebhook.PostAsync(App, HotlineWebhook.Case($"refused-{field}", "objection", new { cycleId, schoolCode = School, studentName }));

        Assert.Equal(400, status);
        Assert.Contains(field, Errors(problem));
    }

    [Fact]
    public async Task List_OverdueTrue_ShowsOpenCasesPastTheirDeadlineOnly()
    {
        var late = await NewCaseAsync("overdue-1", "inquiry");
        var answered = await NewCaseAsync("overdue-2", "inquiry");
        var onTime = await NewCaseAsync("overdue-3", "tipoff");
        await App.Admin.PostAsync($"{Url}/{answered}/assign", new { assignee = "section:资助股" });
        await App.Admin.PostAsync($"{Url}/{answered}/reply", new { reply = "已答复" });

        // An inquiry received Friday 10-09 is due at the end of Monday 10-12 (Saturday 10-10 is a make-up working day: 10-10, 10-12).
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T08:00:00+08:00" });
        var (status, page) = await App.Admin.GetJsonAsync($"{Url}?overdue=true&pageSize=1000");

        Assert.Equal(200, status);
        var numbers = page!["items"]!.AsArray().Select(c => (string?)c!["caseNumber"]).ToList();
        Assert.Contains(late, numbers);
        Assert.DoesNotContain(answered, numbers);
        Assert.DoesNotContain(onTime, numbers);
        Assert.All(page["items"]!.AsArray(), c => Assert.True((bool)c!["overdue"]!));
    }
}
