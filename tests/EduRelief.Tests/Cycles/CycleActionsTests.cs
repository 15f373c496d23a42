using System.Security.Claims;
using System.Text.Json.Nodes;
using EduRelief.Cycles;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>allowedActions and waitingOn of GET /api/cycles/{id}: from the stage, the transition table, the role and the figures.</summary>
public sealed class CycleActionsTests
{
    private static readonly DateTimeOffset At = new(2026, 9, 28, 9, 0, 0, TimeSpan.FromHours(8));

    private static readonly ClaimsPrincipal Admin = As("bureau_admin");
    private static readonly ClaimsPrincipal Officer = As("school_officer");
    private static readonly ClaimsPrincipal Inspector = As("inspector");

    private static ClaimsPrincipal As(string role) => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test"));

    private static Cycle InStage(string stage, CycleState? state = null, int version = 3) =>
        new("410726-2026-autumn", "410726", "延津县", "2026-autumn", 2026, 5, stage, version, At, At, [], null, null, null) { State = state ?? new CycleState() };

    private static VerificationRun Verified(int pending) => new() { Status = VerificationRun.Completed, RunId = "r1", PendingReview = pending };

    public static TheoryData<string, string[]> AdminActionsByStage => new()
    {
        { Stages.AwaitingRosters, [CycleActions.UploadRosters, CycleActions.Cancel] },
        { Stages.Verifying, [CycleActions.UploadRosters, CycleActions.RerunVerification, CycleActions.Cancel] },
        { Stages.Notice, [CycleActions.Cancel] },
        { Stages.Disbursement, [CycleActions.CutBatch, CycleActions.Cancel] },
        { Stages.Rectification, [CycleActions.CutBatch, CycleActions.Close, CycleActions.Cancel] },
        { Stages.Closed, [] },
        { Stages.Cancelled, [] },
    };

    [Theory]
    [MemberData(nameof(AdminActionsByStage))]
    public void For_BureauAdmin_OffersWhatTheStageAllows(string stage, string[] expected) =>
        Assert.Equal(expected, CycleActions.For(InStage(stage), Admin));

    [Fact]
    public void For_ReviewWithNothingPending_OffersApprove()
    {
        var cycle = InStage(Stages.Review, new CycleState { Verification = Verified(0) });

        Assert.Equal(
            [CycleActions.UploadRosters, CycleActions.RerunVerification, CycleActions.DecideNameMismatch, CycleActions.Approve, CycleActions.Cancel],
            CycleActions.For(cycle, Admin));
    }

    [Fact]
    public void For_ReviewWithMismatchesPending_WithholdsApprove()
    {
        var actions = CycleActions.For(InStage(Stages.Review, new CycleState { Verification = Verified(2) }), Admin);

        Assert.DoesNotContain(CycleActions.Approve, actions);
        Assert.Contains(CycleActions.DecideNameMismatch, actions);
    }

    [Fact]
    public void For_SchoolOfficerInReview_DecidesMismatchesOnly()
    {
        var cycle = InStage(Stages.Review, new CycleState { Verification = Verified(0) });

        Assert.Equal([CycleActions.DecideNameMismatch], CycleActions.For(cycle, Officer));
        Assert.Empty(CycleActions.For(InStage(Stages.Rectification), Officer));
    }

    [Fact]
    public void For_Inspector_NoActions()
    {
        Assert.Empty(CycleActions.For(InStage(Stages.Review, new CycleState { Verification = Verified(0) }), Inspector));
        Assert.Empty(CycleActions.For(InStage(Stages.Rectification), Inspector));
    }

    [Fact]
    public void WaitingOn_AwaitingRosters_NamesTheMissingRoster()
    {
        var state = new CycleState { Rosters = new Dictionary<string, RosterUpload> { ["students"] = new() { Kind = "students" } } };

        var wait = Assert.Single(CycleWait.Of(InStage(Stages.AwaitingRosters, state)));

        Assert.Equal(CycleWait.Rosters, wait.Kind);
        Assert.Equal(["poverty"], wait.Missing!);
    }

    [Fact]
    public void WaitingOn_VerifyingOrFailed_SaysWhich()
    {
        var running = new CycleState { Verification = new VerificationRun { Status = VerificationRun.Running, StartedAt = At } };
        var failed = new CycleState { Verification = new VerificationRun { Status = VerificationRun.Failed, Error = "第 7 行" } };

        Assert.Equal(new CycleWait(CycleWait.Verification) { Since = At }, Assert.Single(CycleWait.Of(InStage(Stages.Verifying, running))));
        Assert.Equal(new CycleWait(CycleWait.VerificationFailed), Assert.Single(CycleWait.Of(InStage(Stages.Verifying, failed))));
    }

    [Fact]
    public void WaitingOn_Review_PendingMismatchesFromTheFiguresShown_ElseApproval()
    {
        var pending = InStage(Stages.Review) with { Verification = new JsonObject { ["pendingReview"] = 2 } };
        var none = InStage(Stages.Review) with { Verification = new JsonObject { ["pendingReview"] = 0 } };

        Assert.Equal(new CycleWait(CycleWait.NameMismatches) { Count = 2 }, Assert.Single(CycleWait.Of(pending)));
        Assert.Equal(new CycleWait(CycleWait.Approval), Assert.Single(CycleWait.Of(none)));
    }

    [Fact]
    public void WaitingOn_Notice_DocumentsThenThePeriodWithOpenObjections()
    {
        var endsAt = At.AddDays(14);
        var rendering = InStage(Stages.Notice, new CycleState { Notice = new CycleNotice { EndsAt = endsAt } }) with { Notice = new JsonObject { ["objectionsOpen"] = 3 } };
        var rendered = InStage(Stages.Notice, new CycleState { Notice = new CycleNotice { EndsAt = endsAt, Documents = new CycleNoticeDocuments(2, 40, At) } });

        Assert.Equal([new CycleWait(CycleWait.NoticeDocuments), new CycleWait(CycleWait.NoticePeriod) { Until = endsAt, Count = 3 }], CycleWait.Of(rendering));
        Assert.Equal([new CycleWait(CycleWait.NoticePeriod) { Until = endsAt, Count = 0 }], CycleWait.Of(rendered));
    }

    [Fact]
    public void WaitingOn_Disbursement_CuttingAndBankResults()
    {
        var notCut = InStage(Stages.Disbursement);
        var paying = InStage(Stages.Disbursement) with
        {
            Disbursement = JsonNode.Parse("""{"batches":[{"id":"b1","status":"sealed"},{"id":"b2","status":"reconciling"},{"id":"b3","status":"reconciled"}]}"""),
        };

        Assert.Equal([new CycleWait(CycleWait.BatchCutting)], CycleWait.Of(notCut));
        Assert.Equal([new CycleWait(CycleWait.BankResults) { Count = 2 }], CycleWait.Of(paying));
    }

    [Fact]
    public void WaitingOn_Rectification_ItemsNotAcceptedAndOverdue()
    {
        var cycle = InStage(Stages.Rectification) with { Rectification = JsonNode.Parse("""{"items":9,"open":2,"submitted":3,"accepted":3,"returned":1,"overdue":1}""") };

        Assert.Equal(new CycleWait(CycleWait.RectificationItems) { Count = 6, Overdue = 1 }, Assert.Single(CycleWait.Of(cycle)));
    }

    [Fact]
    public void WaitingOn_Ended_Nothing()
    {
        Assert.Empty(CycleWait.Of(InStage(Stages.Closed)));
        Assert.Empty(CycleWait.Of(InStage(Stages.Cancelled)));
    }
}
