using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// The aid cycle's transition tables, every version this build registers: cycles started on an older version are still
/// running, so each table must stay whole.
/// </summary>
public sealed class CycleTransitionTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));

    public static TheoryData<int> LiveVersions => [.. AidCycleDefinition.Live.Select(d => d.Version)];

    private static AidCycleDefinition Version(int version) => AidCycleDefinition.Live.Single(d => d.Version == version);

    [Theory]
    [MemberData(nameof(LiveVersions))]
    public void Table_EveryLiveVersion_FollowsTheStageChainAndCancelsFromEveryActiveStage(int version)
    {
        var d = Version(version);
        var chain = new[]
        {
            (Stages.AwaitingRosters, CycleEvents.RosterUploaded, Stages.Verifying),
            (Stages.Verifying, CycleEvents.VerifyCompleted, Stages.Review),
            (Stages.Review, CycleEvents.RosterUploaded, Stages.Verifying),
            (Stages.Review, CycleEvents.Approve, Stages.Notice),
            (Stages.Notice, CycleEvents.NoticeEnded, Stages.Disbursement),
            (Stages.Disbursement, CycleEvents.Reconciled, Stages.Rectification),
            (Stages.Rectification, CycleEvents.RectificationCompleted, Stages.Closed),
        };
        foreach (var (from, on, to) in chain)
        {
            Assert.Equal(to, d.Find(from, on)?.To);
        }

        foreach (var stage in Stages.Active)
        {
            Assert.Equal(Stages.Cancelled, d.Find(stage, CycleEvents.Cancel)?.To);
        }

        Assert.Null(d.Find(Stages.AwaitingRosters, CycleEvents.Approve));
        Assert.Null(d.Find(Stages.Closed, CycleEvents.Cancel));
    }

    [Fact]
    public void LiveVersions_AreTheOnesTheRegistryResolves()
    {
        var registry = new WorkflowRegistry(AidCycleDefinition.Live);

        Assert.Equal([1, 2, 3], AidCycleDefinition.Live.Select(d => d.Version));
        Assert.Equal(3, registry.Latest(AidCycleDefinition.WorkflowName)!.Version);
    }

    /// <summary>What each version's effects complete with; a new version must say what its effects are.</summary>
    private static readonly Dictionary<int, string[]> Completions = new()
    {
        [1] = [CycleEvents.VerifyCompleted, CycleEvents.NoticeEnded, .. SettlingCompletions],
        [2] = [CycleEvents.VerifyCompleted, CycleEvents.NoticeEnded, CycleEvents.DocumentsRendered, CycleEvents.DocumentsSummarized, .. SettlingCompletions],
        [3] =
        [
            CycleEvents.VerifyCompleted, CycleEvents.NoticeEnded, CycleEvents.DocumentsRendered, CycleEvents.DocumentsSummarized,
            SettlementSteps.FindingsOpened, SettlementSteps.PaymentsCut, SettlementSteps.Reconciled, .. SettlingCompletions,
        ],
    };

    /// <summary>The settling steps every version runs: a bank result's follow-up, the payable rows after an objection, the settling itself.</summary>
    private static string[] SettlingCompletions => [ClosingSteps.ResultFollowedUp, ClosingSteps.PayablesFollowed, ClosingSteps.Settled];

    /// <summary>
    /// Every row that has effects runs them over a cycle that has everything (so each effect is asked for), and each
    /// effect's completion (an activity's or fan-out's <c>{name}.completed</c>, a timer's event) must have a row from
    /// the stage the cycle is in once the effect has started; otherwise the completion would be dropped as not applicable
    /// and the cycle would wait for ever. The engine raises no failure event: a failed step is dead-lettered.
    /// </summary>
    [Theory]
    [MemberData(nameof(LiveVersions))]
    public void EveryEffect_EveryLiveVersion_CompletesOnARowOfTheStageItStartedIn(int version)
    {
        var d = Version(version);
        var seen = new HashSet<string>();
        foreach (var row in d.Transitions.Where(t => t.Effects is not null))
        {
            var context = new TransitionContext("410726-2026-autumn", row.From, 20, CycleWithEverything(), new WorkflowEvent("e1", row.On, Payload(row.On), "admin"), Now);
            var effects = row.Effects!(context).ToList();
            var next = row.Next(context);
            foreach (var effect in effects)
            {
                seen.Add(effect.CompletionEvent);
                Assert.True(
                    d.Find(next, effect.CompletionEvent) is not null,
                    $"v{version}: {row.From} --{row.On}--> {next} starts {effect}, but no row takes '{effect.CompletionEvent}' in {next}.");
            }
        }

        Assert.Equal(Completions[version].Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CompletionEvents_AreTheStepNamesWithTheEnginesSuffix()
    {
        Assert.Equal(CycleEvents.VerifyCompleted, StepEvents.Completed(VerificationSteps.Verify));
        Assert.Equal(CycleEvents.DocumentsRendered, StepEvents.Completed(NoticeSteps.Documents));
        Assert.Equal(CycleEvents.DocumentsSummarized, StepEvents.Completed(NoticeSteps.Summary));
        Assert.Equal(SettlementSteps.FindingsOpened, StepEvents.Completed(SettlementSteps.Findings));
        Assert.Equal(SettlementSteps.PaymentsCut, StepEvents.Completed(SettlementSteps.Payments));
        Assert.Equal(SettlementSteps.Reconciled, StepEvents.Completed(SettlementSteps.Reconcile));
        Assert.Equal(ClosingSteps.ResultFollowedUp, StepEvents.Completed(ClosingSteps.ResultFollowUp));
        Assert.Equal(ClosingSteps.PayablesFollowed, StepEvents.Completed(ClosingSteps.Payables));
        Assert.Equal(ClosingSteps.Settled, StepEvents.Completed(ClosingSteps.Settle));
        Assert.Equal("verify.completed", CycleEvents.VerifyCompleted);
    }

    /// <summary>Rosters in, a completed run with schools, the notice published, batches cut, a fence up.</summary>
    private static JsonObject CycleWithEverything()
    {
        var data = new JsonObject();
        var upload = new RosterUpload { Kind = RosterFiles.Poverty, Sha256 = "bb22", UploadedAt = Now };
        CycleStateJson.Write(
            new CycleState
            {
                CountyCode = "410726",
                SchoolYear = 2026,
                NoticeDays = 5,
                Rosters = new Dictionary<string, RosterUpload> { [RosterFiles.Students] = upload with { Kind = RosterFiles.Students, Sha256 = "aa11" }, [RosterFiles.Poverty] = upload },
                Verification = new VerificationRun { Status = VerificationRun.Completed, RunId = "r7", PendingReview = 0, Schools = ["4107260001", "4107260002"] },
                Notice = new CycleNotice { PublishedAt = Now, EndsAt = Now.AddDays(7), WorkingDays = 5, CalendarMissing = false, ObjectionsOpen = 0 },
                Disbursement = new CycleDisbursement([new CutBatch { Id = "living-001", Program = "living", Count = 3, Total = new Yuan(1750m) }], Now),
                Closing = new ClosingFence("f1", Now),
            },
            data);
        return data;
    }

    private static JsonObject? Payload(string eventName) => eventName switch
    {
        CycleEvents.RosterUploaded => new JsonObject { ["kind"] = RosterFiles.Students, ["sha256"] = "cc33", ["fileName"] = null },
        CycleEvents.VerifyCompleted => new JsonObject { ["status"] = "completed", ["runId"] = "r7" },
        CycleEvents.ReviewDecided => new JsonObject { ["runId"] = "r7", ["discrepancyId"] = "d1", ["decision"] = "reject", ["reason"] = "not the same child" },
        CycleEvents.Approve => new JsonObject { ["endsAt"] = "2026-10-12T23:59:59+08:00", ["workingDays"] = 5, ["calendarMissing"] = false },
        CycleEvents.DocumentsRendered => new JsonObject { ["total"] = 2 },
        CycleEvents.DocumentsSummarized => new JsonObject { ["schools"] = 2, ["rows"] = 40 },
        SettlementSteps.FindingsOpened => new JsonObject { ["items"] = 3 },
        SettlementSteps.PaymentsCut => new JsonObject { ["batches"] = new JsonArray(new JsonObject { ["id"] = "living-001", ["program"] = "living", ["count"] = 3, ["total"] = 1750m }) },
        CycleEvents.ResultTaken or SettlementSteps.Reconciled or CycleEvents.ResultApplied => new JsonObject { ["batchId"] = "living-001", ["actor"] = "admin" },
        ClosingSteps.ResultFollowedUp => new JsonObject { ["batchId"] = "living-001", ["actor"] = "admin", ["items"] = 1 },
        CycleEvents.ObjectionDecided => new JsonObject { ["caseNumber"] = "410726-2026-000001", ["decision"] = "dismissed" },
        CycleEvents.CloseFenced or CycleEvents.CloseWithdrawn or CycleEvents.RectificationCompleted => new JsonObject { ["fenceId"] = "f1" },
        _ => null,
    };
}
