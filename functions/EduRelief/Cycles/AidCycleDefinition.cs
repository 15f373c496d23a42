using System.Text.Json.Nodes;
using EduRelief.Eligibility;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>The stages of a county's semester cycle (DOMAIN.md, "A cycle").</summary>
public static class Stages
{
    public const string AwaitingRosters = "awaiting_rosters";
    public const string Verifying = "verifying";
    public const string Review = "review";
    public const string Notice = "notice";
    public const string Disbursement = "disbursement";
    public const string Rectification = "rectification";
    public const string Closed = "closed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> Active = [AwaitingRosters, Verifying, Review, Notice, Disbursement, Rectification];

    public static readonly IReadOnlySet<string> All = new HashSet<string>(Active) { Closed, Cancelled };

    /// <summary>Stages in which a roster may be uploaded or replaced.</summary>
    public static readonly IReadOnlyList<string> AcceptingRosters = [AwaitingRosters, Verifying, Review];
}

/// <summary>Event names the cycle reacts to.</summary>
public static class CycleEvents
{
    public const string RosterUploaded = "roster.uploaded";
    public const string VerifyCompleted = "verify.completed";
    public const string VerificationRerun = "verification.rerun";
    public const string ReviewDecided = "review.decided";
    public const string Approve = "approve";
    public const string NoticeEnded = "notice.ended";
    public const string Reconciled = "disbursement.reconciled";
    public const string RectificationCompleted = "rectification.completed";
    public const string Cancel = "cancel";
}

/// <summary>
/// Version 1 of the aid cycle. Later features add their effects in a new version (copy this class, bump
/// <see cref="Version"/>); cycles already running keep the version they started on.
/// </summary>
public sealed class AidCycleDefinitionV1 : WorkflowDefinition
{
    public const string WorkflowName = "aid-cycle";

    public override string Name => WorkflowName;

    public override int Version => 1;

    public override string InitialStage => Stages.AwaitingRosters;

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { Stages.Closed, Stages.Cancelled };

    public override IReadOnlyList<Transition> Transitions { get; } =
    [
        // stage                    event                              next stage            what happens
        new(Stages.AwaitingRosters, CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster, Choose: BothRostersIn),
        new(Stages.Verifying,       CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster),
        new(Stages.Review,          CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster),
        new(Stages.Verifying,       CycleEvents.VerifyCompleted,       Stages.Review,        RecordVerification, Choose: VerificationCompleted),
        new(Stages.Verifying,       CycleEvents.VerificationRerun,     Stages.Verifying,     StartVerification),
        new(Stages.Review,          CycleEvents.VerificationRerun,     Stages.Verifying,     StartVerification),
        new(Stages.Review,          CycleEvents.ReviewDecided,         null,                 RecordDecision, Guard: DecisionOnCurrentRun),
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNotice, Guard: NothingPending),
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNotice),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        new(Stages.Rectification,   CycleEvents.RectificationCompleted, Stages.Closed),
        .. Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled),
    ];

    private static JsonObject Rosters(TransitionContext ctx) => ctx.Data["rosters"] as JsonObject ?? (JsonObject)(ctx.Data["rosters"] = new JsonObject());

    /// <summary>Records the uploaded file on the cycle; once both rosters are in, (re)starts verification.</summary>
    private static IEnumerable<Effect> RecordRoster(TransitionContext ctx)
    {
        var upload = ctx.Event.Payload!;
        var kind = (string)upload["kind"]!;
        var rosters = Rosters(ctx);
        if (rosters[kind] is JsonObject previous)
        {
            ctx.Reason = $"{kind} roster {(string?)upload["sha256"]} replaces {(string?)previous["sha256"]}";
        }
        else
        {
            ctx.Reason = $"{kind} roster {(string?)upload["sha256"]} uploaded";
        }

        rosters[kind] = upload.DeepClone();
        return BothRostersIn(ctx) ? StartVerification(ctx) : [];
    }

    private static bool BothRostersIn(TransitionContext ctx) =>
        Rosters(ctx)[RosterFiles.Students] is not null && Rosters(ctx)[RosterFiles.Poverty] is not null;

    /// <summary>A new verification run; results of an older run that is still going are ignored when they arrive.</summary>
    private static IEnumerable<Effect> StartVerification(TransitionContext ctx)
    {
        var runId = $"r{ctx.Sequence}";
        ctx.Data["verification"] = new JsonObject { ["status"] = "running", ["runId"] = runId, ["startedAt"] = Hosting.ChinaTime.Format(ctx.Now) };
        return [new RunActivity("verify", VerifyActivity.KindName, new JsonObject { ["runId"] = runId })];
    }

    private static IEnumerable<Effect> RecordVerification(TransitionContext ctx)
    {
        var result = ctx.Event.Payload!;
        if ((string?)result["runId"] != (string?)ctx.Data["verification"]?["runId"])
        {
            ctx.Reason = $"results of superseded run {(string?)result["runId"]} ignored";
            return [];
        }

        var summary = (JsonObject)result.DeepClone();
        summary["completedAt"] = Hosting.ChinaTime.Format(ctx.Now);
        ctx.Data["verification"] = summary;
        ctx.Reason = (string?)summary["status"] == "completed" ? "verification completed" : $"verification failed: {(string?)summary["error"]}";
        return [];
    }

    private static bool VerificationCompleted(TransitionContext ctx) =>
        (string?)ctx.Data["verification"]?["status"] == "completed" && (string?)ctx.Data["verification"]?["runId"] == (string?)ctx.Event.Payload?["runId"];

    /// <summary>A person's decision on a name mismatch moves that student out of pending review.</summary>
    private static IEnumerable<Effect> RecordDecision(TransitionContext ctx)
    {
        var decision = ctx.Event.Payload!;
        var verification = (JsonObject)ctx.Data["verification"]!;
        VerificationSummary.ApplyDecision(verification, decision);
        ctx.Reason = $"{(string?)decision["discrepancyId"]}: {(string?)decision["decision"]} ({(string?)decision["reason"]})";
        return [];
    }

    /// <summary>
    /// The approved list goes on public notice; its period (computed on the working-day calendar by the caller, since a
    /// transition does no I/O) ends on a durable timer, which moves the cycle on by itself.
    /// </summary>
    private static IEnumerable<Effect> PublishNotice(TransitionContext ctx)
    {
        var period = ctx.Event.Payload ?? throw new InvalidOperationException("An approval carries its notice period.");
        var endsAt = DateTimeOffset.Parse((string)period["endsAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        ctx.Data["notice"] = new JsonObject
        {
            ["publishedAt"] = Hosting.ChinaTime.Format(ctx.Now),
            ["endsAt"] = Hosting.ChinaTime.Format(endsAt),
            ["workingDays"] = (int)period["workingDays"]!,
            ["calendarMissing"] = (bool)period["calendarMissing"]!,
            ["objectionsOpen"] = 0,
        };
        ctx.Reason = $"notice published until {Hosting.ChinaTime.Format(endsAt)}";
        return [new StartTimer("notice-end", endsAt, CycleEvents.NoticeEnded)];
    }

    private static IEnumerable<Effect> TakeDownNotice(TransitionContext ctx)
    {
        if (ctx.Data["notice"] is JsonObject notice)
        {
            notice["takenDownAt"] = Hosting.ChinaTime.Format(ctx.Now);
        }

        ctx.Reason = "notice period ended";
        return [];
    }

    private static string? DecisionOnCurrentRun(TransitionContext ctx) =>
        (string?)ctx.Event.Payload?["runId"] == (string?)ctx.Data["verification"]?["runId"]
            ? null
            : "The rosters were verified again since this discrepancy was listed; decide on the current list.";

    private static string? NothingPending(TransitionContext ctx) =>
        (int?)ctx.Data["verification"]?["pendingReview"] is > 0 and var n
            ? $"{n} name mismatches are pending review; decide each before approving."
            : null;
}
