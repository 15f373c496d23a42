using System.Text.Json.Nodes;
using EduRelief.Rosters;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>What a school officer's view of a cycle keeps before the features add the school's own figures.</summary>
public sealed class SchoolCycleViewTests
{
    private const string Own = "4107260001";

    private static readonly DateTimeOffset At = new(2026, 9, 28, 9, 0, 0, TimeSpan.FromHours(8));

    private static Cycle CountyCycle() => new(
        "410726-2026-autumn", "410726", "延津县", "2026-autumn", 2026, 5, Stages.Disbursement, 3, At, At,
        [PausedStep.Of(new DeadLetter("d1", "fanout", "notice-documents", "notice.render", "4107260002", "render failed for 李四", 5, At))],
        JsonNode.Parse("""{"students":{"kind":"students","sha256":"abc123","fileName":"学籍.csv","rows":120,"uploadedBy":"张科长","uploadedAt":"2026-09-28T09:00:00+08:00"}}"""),
        JsonNode.Parse("""{"status":"completed","runId":"r3","startedAt":"2026-09-28T09:00:00+08:00","students":120,"eligible":40,"totalAmount":25000.00,"error":"row 7","schools":["4107260001","4107260002"]}"""),
        JsonNode.Parse("""{"publishedAt":"2026-09-30T10:00:00+08:00","endsAt":"2026-10-12T23:59:59+08:00","workingDays":5,"calendarMissing":false,"objectionsOpen":3,"documents":{"schools":2,"rows":40,"completedAt":"2026-09-30T10:01:00+08:00"}}"""))
    {
        Hotline = new JsonObject { ["cases"] = 9 },
        Rectification = new JsonObject { ["items"] = 7 },
        Disbursement = JsonNode.Parse("""{"cutAt":"2026-10-13T00:00:02+08:00","batches":[{"id":"b1","program":"living_subsidy","count":40,"total":25000.00}],"programs":[]}"""),
    };

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString());

    [Fact]
    public void Of_CountyCycle_KeepsStageDatesAndPeriodOnly()
    {
        var view = SchoolCycleView.Of(CountyCycle(), Own);

        Assert.Equal((Stages.Disbursement, At, 5), (view.Stage, view.UpdatedAt, view.NoticeDays));
        Assert.Empty(view.DeadLetters);
        AssertJson("""{"students":{"uploadedAt":"2026-09-28T09:00:00+08:00"}}""", view.Rosters);
        AssertJson("""{"status":"completed","runId":"r3","startedAt":"2026-09-28T09:00:00+08:00","schools":["4107260001"]}""", view.Verification);
        AssertJson("""{"publishedAt":"2026-09-30T10:00:00+08:00","endsAt":"2026-10-12T23:59:59+08:00","workingDays":5,"calendarMissing":false,"documents":{"completedAt":"2026-09-30T10:01:00+08:00"}}""", view.Notice);
        AssertJson("""{"cutAt":"2026-10-13T00:00:02+08:00"}""", view.Disbursement);
        Assert.Null(view.Hotline);
        Assert.Null(view.Rectification);
    }

    [Fact]
    public void Shows_EntriesWithinAStage_LeftOut()
    {
        Assert.True(SchoolCycleView.Shows(new HistoryEntry(1, At, "system", "start", null, Stages.AwaitingRosters, "semester kick-off")));
        Assert.True(SchoolCycleView.Shows(new HistoryEntry(2, At, "a", "approve", Stages.Review, Stages.Notice, null)));
        Assert.False(SchoolCycleView.Shows(new HistoryEntry(3, At, "a", "review.decided", Stages.Review, Stages.Review, "nameMismatch-0000001: confirm (同一人)")));
    }

    [Fact]
    public void AddSchool_LedgerAndDiscrepancies_CountsTheSchoolsOwn()
    {
        var verification = new JsonObject { ["status"] = "completed" };
        LedgerRow Row(string program, decimal amount) => new("x", Own, "第一小学", "张三", Disbursement.LedgerWorld.Id(1), "小学", 3, true, program, new Yuan(amount), "verification");
        DiscrepancyRow Mismatch(string? decision) => new("nameMismatch-1", DiscrepancyKinds.NameMismatch, "students", "", 1, 1, "赵六", "赵陆", Own, "第一小学", null, null, null, null, null, decision, null, null, null, null, default);

        VerificationSummary.AddSchool(verification, [Row("living_subsidy", 625m), Row("living_subsidy", 312.5m), Row("preschool_aid", 500m)], [Mismatch(null), Mismatch("reject"), Mismatch("confirm")]);

        Assert.Equal(1, (int)verification["pendingReview"]!);
        Assert.Equal(1, (int)verification["rejected"]!);
        Assert.Equal(3, (int)verification["discrepancies"]!["nameMismatch"]!);
        Assert.Equal(0, (int)verification["discrepancies"]!["invalidId"]!);
        Assert.Equal(2, (int)verification["programs"]!["living_subsidy"]!["recipients"]!);
        Assert.Equal(937.50m, (decimal)verification["programs"]!["living_subsidy"]!["amount"]!);
        Assert.Equal(1437.50m, (decimal)verification["totalAmount"]!);
    }
}
