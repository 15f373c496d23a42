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

    /// <summary>A stage as the console names it (待上传名册, 核验中 …): what a problem says to a person.</summary>
    public static string Chinese(string stage) => stage switch
    {
        AwaitingRosters => "待上传名册",
        Verifying => "核验中",
        Review => "待审核",
        Notice => "公示中",
        Disbursement => "发放中",
        Rectification => "整改中",
        Closed => "已结束",
        Cancelled => "已撤销",
        _ => stage,
    };

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

    /// <summary>A bank result was stored for a batch (payload <c>batchId</c>, <c>actor</c>): the cycle reconciles it as a step.</summary>
    public const string ResultTaken = "disbursement.result";
    public const string RectificationCompleted = "rectification.completed";

    /// <summary>The closer fences the cycle before its last check (see <see cref="CycleCloser"/>); new items meet the fence.</summary>
    public const string CloseFenced = "close.fenced";

    /// <summary>The last check found something blocking (often a newcomer that met the fence): the fence comes down.</summary>
    public const string CloseWithdrawn = "close.withdrawn";
    public const string Cancel = "cancel";

    /// <summary>Every school's notice documents are rendered (the fan-in of <see cref="NoticeSteps.Documents"/>).</summary>
    public const string DocumentsRendered = NoticeSteps.Documents + ".completed";

    /// <summary>The rendered documents are counted (<see cref="NoticeSteps.Summary"/>).</summary>
    public const string DocumentsSummarized = NoticeSteps.Summary + ".completed";
}

/// <summary>Names of the steps that pay and follow up (version 3), and the activity kinds that run them.</summary>
public static class SettlementSteps
{
    /// <summary>When the list is approved: the cycle's own findings become rectification items (Rectification/).</summary>
    public const string Findings = "findings";
    public const string FindingsKind = "rectification.findings";

    /// <summary>When the notice ends: the payable entitlements and one batch per program (Disbursement/).</summary>
    public const string Payments = "payments";
    public const string PaymentsKind = "disbursement.cut";

    /// <summary>A bank result taken for a batch is applied (Disbursement/ReconcileResultActivity).</summary>
    public const string Reconcile = "reconcile";
    public const string ReconcileKind = "disbursement.reconcile";

    public const string FindingsOpened = Findings + ".completed";
    public const string Reconciled = Reconcile + ".completed";
    public const string PaymentsCut = Payments + ".completed";
}

/// <summary>Names of the notice steps, and the activity kinds that run them (Notices/).</summary>
public static class NoticeSteps
{
    public const string Documents = "notice-documents";
    public const string Summary = "notice-summary";
    public const string RenderKind = "notice.render";
    public const string SummarizeKind = "notice.summarize";
}

/// <summary>
/// The aid cycle's effects, shared by every version; each version lists its own transition table. Cycles already
/// running keep the version they started on (see <see cref="WorkflowRegistry"/>).
/// </summary>
public abstract class AidCycleDefinition : WorkflowDefinition
{
    public const string WorkflowName = "aid-cycle";

    public override string Name => WorkflowName;

    public override string InitialStage => Stages.AwaitingRosters;

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { Stages.Closed, Stages.Cancelled };

    protected static JsonObject Rosters(TransitionContext ctx) => ctx.Data["rosters"] as JsonObject ?? (JsonObject)(ctx.Data["rosters"] = new JsonObject());

    /// <summary>Records the uploaded file on the cycle; once both rosters are in, (re)starts verification.</summary>
    protected static IEnumerable<Effect> RecordRoster(TransitionContext ctx)
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

    protected static bool BothRostersIn(TransitionContext ctx) =>
        Rosters(ctx)[RosterFiles.Students] is not null && Rosters(ctx)[RosterFiles.Poverty] is not null;

    /// <summary>A new verification run; results of an older run that is still going are ignored when they arrive.</summary>
    protected static IEnumerable<Effect> StartVerification(TransitionContext ctx)
    {
        var runId = $"r{ctx.Sequence}";
        ctx.Data["verification"] = new JsonObject { ["status"] = "running", ["runId"] = runId, ["startedAt"] = Hosting.ChinaTime.Format(ctx.Now) };
        return [new RunActivity("verify", VerifyActivity.KindName, new JsonObject { ["runId"] = runId })];
    }

    protected static IEnumerable<Effect> RecordVerification(TransitionContext ctx)
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
        ctx.Reason = (string?)summary["status"] == "completed" ? "verification completed" : $"verification failed: {(string?)summary["errorEn"] ?? (string?)summary["error"]}";
        return [];
    }

    protected static bool VerificationCompleted(TransitionContext ctx) =>
        (string?)ctx.Data["verification"]?["status"] == "completed" && (string?)ctx.Data["verification"]?["runId"] == (string?)ctx.Event.Payload?["runId"];

    /// <summary>A person's decision on a name mismatch moves that student out of pending review.</summary>
    protected static IEnumerable<Effect> RecordDecision(TransitionContext ctx)
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
    protected static IEnumerable<Effect> PublishNotice(TransitionContext ctx)
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
        // The reason the approval was sent with stays in history beside the period it gave.
        ctx.Reason = ctx.Event.Reason is { Length: > 0 } sent
            ? $"{sent}; notice published until {Hosting.ChinaTime.Format(endsAt)}"
            : $"notice published until {Hosting.ChinaTime.Format(endsAt)}";
        return [new StartTimer("notice-end", endsAt, CycleEvents.NoticeEnded)];
    }

    protected static IEnumerable<Effect> TakeDownNotice(TransitionContext ctx)
    {
        if (ctx.Data["notice"] is JsonObject notice)
        {
            notice["takenDownAt"] = Hosting.ChinaTime.Format(ctx.Now);
        }

        ctx.Reason = "notice period ended";
        return [];
    }

    /// <summary>
    /// As <see cref="PublishNotice"/>, and each school on the list gets its notice documents: one shard per school code
    /// recorded by the verification run (eligible and pending-review students), over the run being approved.
    /// </summary>
    protected static IEnumerable<Effect> PublishNoticeWithDocuments(TransitionContext ctx)
    {
        var effects = PublishNotice(ctx).ToList();
        var schools = (ctx.Data["verification"]?["schools"] as JsonArray)?.Select(s => (string)s!).ToList() ?? [];
        var runId = (string?)ctx.Data["verification"]?["runId"];
        effects.Add(new FanOut(NoticeSteps.Documents, NoticeSteps.RenderKind, schools, new JsonObject { ["runId"] = runId }));
        return effects;
    }

    /// <summary>The fan-in carries no shard results; one activity counts what the shards stored.</summary>
    protected static IEnumerable<Effect> SummarizeDocuments(TransitionContext ctx)
    {
        ctx.Reason = $"notice documents rendered ({(int?)ctx.Event.Payload?["total"] ?? 0} school shards)";
        return [new RunActivity(NoticeSteps.Summary, NoticeSteps.SummarizeKind, new JsonObject { ["runId"] = (string?)ctx.Data["verification"]?["runId"] })];
    }

    protected static IEnumerable<Effect> RecordDocuments(TransitionContext ctx)
    {
        var summary = ctx.Event.Payload!;
        if (ctx.Data["notice"] is JsonObject notice)
        {
            notice["documents"] = new JsonObject
            {
                ["schools"] = (int?)summary["schools"] ?? 0,
                ["rows"] = (int?)summary["rows"] ?? 0,
                ["completedAt"] = Hosting.ChinaTime.Format(ctx.Now),
            };
        }

        ctx.Reason = $"notice documents published for {(int?)summary["schools"] ?? 0} schools, {(int?)summary["rows"] ?? 0} rows";
        return [];
    }

    /// <summary>Version 3: the notice as in version 2, and the cycle's own findings opened as rectification items.</summary>
    protected static IEnumerable<Effect> PublishNoticeAndFindings(TransitionContext ctx) =>
        [
            .. PublishNoticeWithDocuments(ctx),
            new RunActivity(SettlementSteps.Findings, SettlementSteps.FindingsKind, new JsonObject { ["runId"] = (string?)ctx.Data["verification"]?["runId"] }),
        ];

    protected static IEnumerable<Effect> RecordFindings(TransitionContext ctx)
    {
        var items = (int?)ctx.Event.Payload?["items"] ?? 0;
        ctx.Data["findings"] = new JsonObject { ["items"] = items, ["openedAt"] = Hosting.ChinaTime.Format(ctx.Now) };
        ctx.Reason = $"{items} rectification items opened from the verification's findings";
        return [];
    }

    /// <summary>Version 3: the notice comes down and payment starts: entitlements, then a batch per program.</summary>
    protected static IEnumerable<Effect> TakeDownNoticeAndPay(TransitionContext ctx) =>
        [
            .. TakeDownNotice(ctx),
            new RunActivity(SettlementSteps.Payments, SettlementSteps.PaymentsKind, new JsonObject { ["runId"] = (string?)ctx.Data["verification"]?["runId"] }),
        ];

    protected static IEnumerable<Effect> RecordBatches(TransitionContext ctx)
    {
        var batches = ctx.Event.Payload?["batches"]?.DeepClone() as JsonArray ?? [];
        ctx.Data["disbursement"] = new JsonObject { ["batches"] = batches, ["cutAt"] = Hosting.ChinaTime.Format(ctx.Now) };
        ctx.Reason = batches.Count == 0 ? "nothing to pay: no batch cut" : $"{batches.Count} payment batches cut";
        return [];
    }

    /// <summary>Version 3: a bank result was taken; the step reconciles its batch.</summary>
    protected static IEnumerable<Effect> ReconcileBatch(TransitionContext ctx)
    {
        var batchId = (string?)ctx.Event.Payload?["batchId"];
        ctx.Reason = $"bank result for batch {batchId} taken";
        return [new RunActivity(SettlementSteps.Reconcile, SettlementSteps.ReconcileKind, new JsonObject { ["batchId"] = batchId, ["actor"] = ctx.Event.Actor })];
    }

    protected static IEnumerable<Effect> RecordReconciliation(TransitionContext ctx)
    {
        var p = ctx.Event.Payload;
        ctx.Reason = $"batch {(string?)p?["batchId"]} reconciled: {(int?)p?["paid"] ?? 0} paid, {(int?)p?["failed"] ?? 0} failed, {(int?)p?["inDoubt"] ?? 0} in doubt, {(int?)p?["exceptions"] ?? 0} exceptions";
        return [];
    }

    /// <summary>A cycle with nothing to pay has nothing to reconcile: it moves straight on to rectification.</summary>
    protected static bool NothingToPay(TransitionContext ctx) => ctx.Data["disbursement"]?["batches"] is JsonArray { Count: 0 };

    protected static IEnumerable<Effect> RecordClosing(TransitionContext ctx)
    {
        ctx.Data.Remove(ClosingFence);
        ctx.Reason = "every rectification item accepted, every hotline case closed, every objection decided and the ledger balanced";
        return [];
    }

    /// <summary>Where the fence of a close in progress sits in the instance data: <c>{"id","at"}</c>.</summary>
    public const string ClosingFence = "closing";

    /// <summary>The id of the fence a close in progress put up, or null.</summary>
    public static string? FenceOf(JsonObject data) => (string?)data[ClosingFence]?["id"];

    protected static IEnumerable<Effect> PutUpFence(TransitionContext ctx)
    {
        var fenceId = (string?)ctx.Event.Payload?["fenceId"] ?? throw new InvalidOperationException("A fence carries its id.");
        ctx.Data[ClosingFence] = new JsonObject { ["id"] = fenceId, ["at"] = Hosting.ChinaTime.Format(ctx.Now) };
        ctx.Reason = $"closing: fence {fenceId} up for the last check";
        return [];
    }

    /// <summary>Takes down the fence the event names; a newer fence (another close attempt) stays.</summary>
    protected static IEnumerable<Effect> TakeDownFence(TransitionContext ctx)
    {
        var fenceId = (string?)ctx.Event.Payload?["fenceId"];
        if (fenceId is not null && FenceOf(ctx.Data) == fenceId)
        {
            ctx.Data.Remove(ClosingFence);
        }

        ctx.Reason = $"closing withdrawn (fence {fenceId}): {ctx.Event.Reason}";
        return [];
    }

    /// <summary>The close commits only under the fence its check ran under: a newcomer that took the fence down wins.</summary>
    protected static string? UnderItsFence(TransitionContext ctx) =>
        FenceOf(ctx.Data) is { } fence && fence == (string?)ctx.Event.Payload?["fenceId"]
            ? null
            : "关闭周期期间又有新情况到达；请重新检查哪些事项妨碍关闭。";

    /// <summary>
    /// Closing, in every version: fence, last check, then close under that fence or take it down. The engine writes
    /// each under the state row's ETag, so a close and a newcomer taking its fence down cannot both succeed.
    /// </summary>
    protected static IEnumerable<Transition> Closing =>
    [
        new(Stages.Rectification,   CycleEvents.CloseFenced,            null,                 PutUpFence),
        new(Stages.Rectification,   CycleEvents.CloseWithdrawn,         null,                 TakeDownFence),
        new(Stages.Rectification,   CycleEvents.RectificationCompleted, Stages.Closed,        RecordClosing, Guard: UnderItsFence),
    ];

    protected static string? DecisionOnCurrentRun(TransitionContext ctx) =>
        (string?)ctx.Event.Payload?["runId"] == (string?)ctx.Data["verification"]?["runId"]
            ? null
            : "列出此差异后名册已重新核验；请按当前差异清单处理。";

    protected static string? NothingPending(TransitionContext ctx) =>
        (int?)ctx.Data["verification"]?["pendingReview"] is > 0 and var n
            ? $"{n} name mismatches are pending review; decide each before approving."
            : null;
}

/// <summary>Version 1: approval publishes the notice period and starts its timer; nothing renders the notice.</summary>
public sealed class AidCycleDefinitionV1 : AidCycleDefinition
{
    public override int Version => 1;

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
        .. Closing,
        .. Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled),
    ];
}

/// <summary>
/// Version 2: approval also renders each school's notice documents (one shard per school that has eligible or
/// pending-review students), and the cycle records how many were published once they all are.
/// </summary>
public sealed class AidCycleDefinitionV2 : AidCycleDefinition
{
    public override int Version => 2;

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
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNoticeWithDocuments, Guard: NothingPending),
        new(Stages.Notice,          CycleEvents.DocumentsRendered,     null,                 SummarizeDocuments),
        new(Stages.Notice,          CycleEvents.DocumentsSummarized,   null,                 RecordDocuments),
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNotice),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        .. Closing,
        .. Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled),
    ];
}

/// <summary>
/// Version 3: the approved list's findings become rectification items; when the notice ends the cycle cuts a payment
/// batch per program by itself; the last reconciled batch moves it to rectification, and it closes once every item is
/// accepted and the ledger balances.
/// </summary>
public sealed class AidCycleDefinitionV3 : AidCycleDefinition
{
    public override int Version => 3;

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
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNoticeAndFindings, Guard: NothingPending),
        new(Stages.Notice,          CycleEvents.DocumentsRendered,     null,                 SummarizeDocuments),
        new(Stages.Notice,          CycleEvents.DocumentsSummarized,   null,                 RecordDocuments),
        .. Transition.FromEach([Stages.Notice, Stages.Disbursement, Stages.Rectification], SettlementSteps.FindingsOpened, null, RecordFindings),
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNoticeAndPay),
        new(Stages.Disbursement,    SettlementSteps.PaymentsCut,       Stages.Rectification, RecordBatches, Choose: NothingToPay),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        .. Transition.FromEach([Stages.Disbursement, Stages.Rectification], CycleEvents.ResultTaken, null, ReconcileBatch),
        .. Transition.FromEach([Stages.Disbursement, Stages.Rectification], SettlementSteps.Reconciled, null, RecordReconciliation),
        .. Closing,
        .. Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled),
    ];
}

