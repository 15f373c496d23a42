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
    public const string VerifyCompleted = VerificationSteps.Verify + StepEvents.CompletedSuffix;
    public const string VerificationRerun = "verification.rerun";
    public const string ReviewDecided = "review.decided";
    public const string Approve = "approve";
    public const string NoticeEnded = "notice.ended";
    public const string Reconciled = "disbursement.reconciled";

    /// <summary>A bank result was stored for a batch (payload <c>batchId</c>, <c>actor</c>): the cycle reconciles it as a step.</summary>
    public const string ResultTaken = "disbursement.result";
    public const string RectificationCompleted = "rectification.completed";

    /// <summary>
    /// A bank result was applied to its batch outside the reconcile step (in the request, for a cycle on a version
    /// without that step), or the same result was sent again (payload <c>batchId</c>): the result's follow-up runs.
    /// </summary>
    public const string ResultApplied = "disbursement.applied";

    /// <summary>An objection about a child of the cycle was decided (its hold is written): the payable rows follow it.</summary>
    public const string ObjectionDecided = "objection.decided";

    /// <summary>Something that kept the cycle open was done (an item accepted, an in-doubt row resolved): it closes if it can.</summary>
    public const string CloseRequested = "close.requested";

    /// <summary>The closer fences the cycle before its last check (see <see cref="CycleCloser"/>); new items meet the fence.</summary>
    public const string CloseFenced = "close.fenced";

    /// <summary>The last check found something blocking (often a newcomer that met the fence): the fence comes down.</summary>
    public const string CloseWithdrawn = "close.withdrawn";
    public const string Cancel = "cancel";

    /// <summary>Every school's notice documents are rendered (the fan-in of <see cref="NoticeSteps.Documents"/>).</summary>
    public const string DocumentsRendered = NoticeSteps.Documents + StepEvents.CompletedSuffix;

    /// <summary>The rendered documents are counted (<see cref="NoticeSteps.Summary"/>).</summary>
    public const string DocumentsSummarized = NoticeSteps.Summary + StepEvents.CompletedSuffix;
}

/// <summary>The step that verifies both rosters, and the activity kind that runs it (Eligibility/).</summary>
public static class VerificationSteps
{
    public const string Verify = "verify";
    public const string VerifyKind = VerifyActivity.KindName;
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

    public const string FindingsOpened = Findings + StepEvents.CompletedSuffix;
    public const string Reconciled = Reconcile + StepEvents.CompletedSuffix;
    public const string PaymentsCut = Payments + StepEvents.CompletedSuffix;
}

/// <summary>
/// Names of the steps that move a cycle on once something it waits for has changed, in every version, and the activity
/// kinds that run them: a bank result's follow-up, the payable rows after an objection's decision, and the settling
/// itself (to rectification once every batch is reconciled, closed once nothing blocks: <see cref="CycleCloser"/>).
/// </summary>
public static class ClosingSteps
{
    /// <summary>A bank result was applied: what it leaves for people becomes rectification items (Disbursement/).</summary>
    public const string ResultFollowUp = "result-follow-up";
    public const string ResultFollowUpKind = "disbursement.follow-up";

    /// <summary>An objection was decided while money moves: the payable rows follow its hold (Disbursement/).</summary>
    public const string Payables = "payables";
    public const string PayablesKind = "disbursement.payables";

    /// <summary>The cycle moves on if it can (Cycles/SettleCycleActivity).</summary>
    public const string Settle = "settle";
    public const string SettleKind = "cycle.settle";

    public const string ResultFollowedUp = ResultFollowUp + StepEvents.CompletedSuffix;
    public const string PayablesFollowed = Payables + StepEvents.CompletedSuffix;
    public const string Settled = Settle + StepEvents.CompletedSuffix;

    /// <summary>The stages in which money moves or follow-up runs: the only ones a settling step changes anything in.</summary>
    public static readonly IReadOnlyList<string> During = [Stages.Disbursement, Stages.Rectification];
}

/// <summary>Names of the notice steps, and the activity kinds that run them (Notices/).</summary>
public static class NoticeSteps
{
    public const string Documents = "notice-documents";
    public const string Summary = "notice-summary";
    public const string RenderKind = "notice.render";
    public const string SummarizeKind = "notice.summarize";

    /// <summary>
    /// Schools one render shard takes: the shard's fixed costs (its queue message and fan-in row, the cycle and heading
    /// it reads, its ledger scan, its batch of notice rows) are shared by this many schools.
    /// </summary>
    public const int SchoolsPerShard = 16;

    /// <summary>Joins a shard's school codes: a line break is in no school code (codes are 10 digits).</summary>
    private const char Separator = '\n';

    /// <summary>
    /// The render fan-out's shards: the schools in the order of their ledger partitions (so a shard's schools are
    /// adjacent and read in one range scan), <see cref="SchoolsPerShard"/> to a shard, each shard's codes joined.
    /// </summary>
    public static IReadOnlyList<string> SchoolShards(IEnumerable<string> schools) =>
        schools.Distinct(StringComparer.Ordinal)
            .OrderBy(Keys.Safe, StringComparer.Ordinal)
            .Chunk(SchoolsPerShard)
            .Select(group => string.Join(Separator, group))
            .ToList();

    /// <summary>The school codes of a render shard; a shard of a fan-out started before the grouping is one school.</summary>
    public static IReadOnlyList<string> SchoolsOf(string shardKey) => shardKey.Split(Separator);
}


/// <summary>
/// The aid cycle's effects, shared by every version; each version lists its own transition table, built from the rows
/// every version shares and the rows that are its own. Cycles already running keep the version they started on (see
/// <see cref="WorkflowRegistry"/>). The effects read and write the instance data only as <see cref="CycleState"/>.
/// </summary>
public abstract class AidCycleDefinition : WorkflowDefinition
{
    public const string WorkflowName = "aid-cycle";

    /// <summary>Every version this build registers: a cycle started on any of them may still be running.</summary>
    public static IReadOnlyList<AidCycleDefinition> Live { get; } = [new AidCycleDefinitionV1(), new AidCycleDefinitionV2(), new AidCycleDefinitionV3()];

    public override string Name => WorkflowName;

    public override string InitialStage => Stages.AwaitingRosters;

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { Stages.Closed, Stages.Cancelled };

    protected static CycleState State(TransitionContext ctx) => CycleStateJson.Read(ctx.Data);

    protected static void Save(TransitionContext ctx, CycleState state) => CycleStateJson.Write(state, ctx.Data);

    /// <summary>The run the cycle verified last (the one being approved, cut or reviewed).</summary>
    private static JsonObject CurrentRun(TransitionContext ctx) => new() { ["runId"] = State(ctx).Verification?.RunId };

    /// <summary>Records the uploaded file on the cycle; once both rosters are in, (re)starts verification.</summary>
    protected static IEnumerable<Effect> RecordRoster(TransitionContext ctx)
    {
        var upload = CycleStateJson.FromNode<RosterUpload>(ctx.Event.Payload)!;
        var kind = upload.Kind!;
        var state = State(ctx);
        var rosters = new Dictionary<string, RosterUpload>(state.Rosters ?? new Dictionary<string, RosterUpload>());
        ctx.Reason = rosters.TryGetValue(kind, out var previous)
            ? $"{kind} roster {upload.Sha256} replaces {previous.Sha256}"
            : $"{kind} roster {upload.Sha256} uploaded";
        rosters[kind] = upload;
        state = state with { Rosters = rosters };
        Save(ctx, state);
        return state.HasBothRosters ? StartVerification(ctx) : [];
    }

    protected static bool BothRostersIn(TransitionContext ctx) => State(ctx).HasBothRosters;

    /// <summary>A new verification run; results of an older run that is still going are ignored when they arrive.</summary>
    protected static IEnumerable<Effect> StartVerification(TransitionContext ctx)
    {
        var runId = $"r{ctx.Sequence}";
        Save(ctx, State(ctx) with { Verification = new VerificationRun { Status = VerificationRun.Running, RunId = runId, StartedAt = ctx.Now } });
        return [new RunActivity(VerificationSteps.Verify, VerificationSteps.VerifyKind, new JsonObject { ["runId"] = runId })];
    }

    protected static IEnumerable<Effect> RecordVerification(TransitionContext ctx)
    {
        var result = CycleStateJson.FromNode<VerificationRun>(ctx.Event.Payload)!;
        var state = State(ctx);
        if (result.RunId != state.Verification?.RunId)
        {
            ctx.Reason = $"results of superseded run {result.RunId} ignored";
            return [];
        }

        var summary = result with { CompletedAt = ctx.Now };
        Save(ctx, state with { Verification = summary });
        ctx.Reason = summary.IsCompleted ? "verification completed" : $"verification failed: {summary.Error}";
        return [];
    }

    protected static bool VerificationCompleted(TransitionContext ctx) =>
        State(ctx).Verification is { IsCompleted: true } run && run.RunId == (string?)ctx.Event.Payload?["runId"];

    /// <summary>A person's decision on a name mismatch moves that student out of pending review.</summary>
    protected static IEnumerable<Effect> RecordDecision(TransitionContext ctx)
    {
        var decision = ctx.Event.Payload!;
        var state = State(ctx);
        var verification = state.Verification ?? throw new InvalidOperationException("A decision needs a verification run.");
        Save(ctx, state with { Verification = VerificationSummary.ApplyDecision(verification, decision) });
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
        Save(ctx, State(ctx) with
        {
            Notice = new CycleNotice
            {
                PublishedAt = ctx.Now,
                EndsAt = endsAt,
                WorkingDays = (int)period["workingDays"]!,
                CalendarMissing = (bool)period["calendarMissing"]!,
                ObjectionsOpen = 0,
            },
        });
        // The reason the approval was sent with stays in history beside the period it gave.
        ctx.Reason = ctx.Event.Reason is { Length: > 0 } sent
            ? $"{sent}; notice published until {Hosting.ChinaTime.Format(endsAt)}"
            : $"notice published until {Hosting.ChinaTime.Format(endsAt)}";
        return [new StartTimer("notice-end", endsAt, CycleEvents.NoticeEnded)];
    }

    protected static IEnumerable<Effect> TakeDownNotice(TransitionContext ctx)
    {
        var state = State(ctx);
        if (state.Notice is { } notice)
        {
            Save(ctx, state with { Notice = notice with { TakenDownAt = ctx.Now } });
        }

        ctx.Reason = "notice period ended";
        return [];
    }

    /// <summary>
    /// As <see cref="PublishNotice"/>, and each school on the list gets its notice documents: every school code recorded
    /// by the verification run (eligible and pending-review students), over the run being approved, in shards of
    /// <see cref="NoticeSteps.SchoolsPerShard"/> schools.
    /// </summary>
    protected static IEnumerable<Effect> PublishNoticeWithDocuments(TransitionContext ctx)
    {
        var effects = PublishNotice(ctx).ToList();
        var shards = NoticeSteps.SchoolShards(State(ctx).Verification?.Schools ?? []);
        effects.Add(new FanOut(NoticeSteps.Documents, NoticeSteps.RenderKind, shards, CurrentRun(ctx)));
        return effects;
    }

    /// <summary>The fan-in carries no shard results; one activity counts what the shards stored.</summary>
    protected static IEnumerable<Effect> SummarizeDocuments(TransitionContext ctx)
    {
        ctx.Reason = $"notice documents rendered ({(int?)ctx.Event.Payload?["total"] ?? 0} school shards)";
        return [new RunActivity(NoticeSteps.Summary, NoticeSteps.SummarizeKind, CurrentRun(ctx))];
    }

    protected static IEnumerable<Effect> RecordDocuments(TransitionContext ctx)
    {
        var summary = ctx.Event.Payload!;
        var schools = (int?)summary["schools"] ?? 0;
        var rows = (int?)summary["rows"] ?? 0;
        var state = State(ctx);
        if (state.Notice is { } notice)
        {
            Save(ctx, state with { Notice = notice with { Documents = new CycleNoticeDocuments(schools, rows, ctx.Now) } });
        }

        ctx.Reason = $"notice documents published for {schools} schools, {rows} rows";
        return [];
    }

    /// <summary>Version 3: the notice as in version 2, and the cycle's own findings opened as rectification items.</summary>
    protected static IEnumerable<Effect> PublishNoticeAndFindings(TransitionContext ctx) =>
        [
            .. PublishNoticeWithDocuments(ctx),
            new RunActivity(SettlementSteps.Findings, SettlementSteps.FindingsKind, CurrentRun(ctx)),
        ];

    protected static IEnumerable<Effect> RecordFindings(TransitionContext ctx)
    {
        var items = (int?)ctx.Event.Payload?["items"] ?? 0;
        Save(ctx, State(ctx) with { Findings = new CycleFindings(items, ctx.Now) });
        ctx.Reason = $"{items} rectification items opened from the verification's findings";
        return [];
    }

    /// <summary>Version 3: the notice comes down and payment starts: entitlements, then a batch per program.</summary>
    protected static IEnumerable<Effect> TakeDownNoticeAndPay(TransitionContext ctx) =>
        [
            .. TakeDownNotice(ctx),
            new RunActivity(SettlementSteps.Payments, SettlementSteps.PaymentsKind, CurrentRun(ctx)),
        ];

    protected static IEnumerable<Effect> RecordBatches(TransitionContext ctx)
    {
        var batches = ctx.Event.Payload?["batches"] is JsonArray list ? CycleStateJson.FromNode<List<CutBatch>>(list)! : [];
        Save(ctx, State(ctx) with { Disbursement = new CycleDisbursement(batches, ctx.Now) });
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
        return [FollowUpResult((string?)p?["batchId"], (string?)p?["actor"] ?? ctx.Event.Actor)];
    }

    private static RunActivity FollowUpResult(string? batchId, string actor) =>
        new(ClosingSteps.ResultFollowUp, ClosingSteps.ResultFollowUpKind, new JsonObject { ["batchId"] = batchId, ["actor"] = actor });

    /// <summary>A result applied outside the reconcile step, or sent again: its follow-up runs (again: it opens nothing twice).</summary>
    protected static IEnumerable<Effect> FollowUpAppliedResult(TransitionContext ctx)
    {
        var batchId = (string?)ctx.Event.Payload?["batchId"];
        ctx.Reason = $"bank result for batch {batchId} applied";
        return [FollowUpResult(batchId, ctx.Event.Actor)];
    }

    /// <summary>After a bank result's follow-up: the last reconciled batch moves the cycle on, and a settled cycle closes.</summary>
    protected static IEnumerable<Effect> SettleAfterResult(TransitionContext ctx)
    {
        ctx.Reason = $"follow-up of batch {(string?)ctx.Event.Payload?["batchId"]} done: {(int?)ctx.Event.Payload?["items"] ?? 0} items opened or kept";
        return [Settle((string?)ctx.Event.Payload?["actor"] ?? ctx.Event.Actor, afterResult: true)];
    }

    /// <summary>An objection was decided: the payable rows of the run being paid follow the holds.</summary>
    protected static IEnumerable<Effect> FollowHolds(TransitionContext ctx)
    {
        ctx.Reason = $"objection {(string?)ctx.Event.Payload?["caseNumber"]} decided: {(string?)ctx.Event.Payload?["decision"]}";
        return [new RunActivity(ClosingSteps.Payables, ClosingSteps.PayablesKind, new JsonObject { ["runId"] = State(ctx).Verification?.RunId, ["actor"] = ctx.Event.Actor })];
    }

    /// <summary>Something that kept the cycle open changed: it closes if nothing else blocks it.</summary>
    protected static IEnumerable<Effect> SettleNow(TransitionContext ctx)
    {
        ctx.Reason ??= ctx.Event.Reason ?? $"{ctx.Event.Name}: the cycle closes if nothing blocks it";
        return [Settle((string?)ctx.Event.Payload?["actor"] ?? ctx.Event.Actor, afterResult: false)];
    }

    private static RunActivity Settle(string actor, bool afterResult) =>
        new(ClosingSteps.Settle, ClosingSteps.SettleKind, new JsonObject { ["actor"] = actor, ["afterResult"] = afterResult });

    protected static IEnumerable<Effect> RecordSettled(TransitionContext ctx)
    {
        ctx.Reason = (bool?)ctx.Event.Payload?["closed"] == true ? "settled: the cycle closed" : "settled: something still keeps the cycle open";
        return [];
    }

    /// <summary>A cycle with nothing to pay has nothing to reconcile: it moves straight on to rectification.</summary>
    protected static bool NothingToPay(TransitionContext ctx) => State(ctx).Disbursement?.Batches is { Count: 0 };

    protected static IEnumerable<Effect> RecordClosing(TransitionContext ctx)
    {
        Save(ctx, State(ctx) with { Closing = null });
        ctx.Reason = "every rectification item accepted, every hotline case closed, every objection decided and the ledger balanced";
        return [];
    }

    /// <summary>The id of the fence a close in progress put up, or null.</summary>
    public static string? FenceOf(JsonObject data) => CycleStateJson.Read(data).Closing?.Id;

    protected static IEnumerable<Effect> PutUpFence(TransitionContext ctx)
    {
        var fenceId = (string?)ctx.Event.Payload?["fenceId"] ?? throw new InvalidOperationException("A fence carries its id.");
        Save(ctx, State(ctx) with { Closing = new ClosingFence(fenceId, ctx.Now) });
        ctx.Reason = $"closing: fence {fenceId} up for the last check";
        return [];
    }

    /// <summary>Takes down the fence the event names; a newer fence (another close attempt) stays.</summary>
    protected static IEnumerable<Effect> TakeDownFence(TransitionContext ctx)
    {
        var fenceId = (string?)ctx.Event.Payload?["fenceId"];
        var state = State(ctx);
        if (fenceId is not null && state.Closing?.Id == fenceId)
        {
            Save(ctx, state with { Closing = null });
        }

        ctx.Reason = $"closing withdrawn (fence {fenceId}): {ctx.Event.Reason}";
        return [];
    }

    /// <summary>The close commits only under the fence its check ran under: a newcomer that took the fence down wins.</summary>
    protected static string? UnderItsFence(TransitionContext ctx) =>
        State(ctx).Closing?.Id is { } fence && fence == (string?)ctx.Event.Payload?["fenceId"]
            ? null
            : "关闭周期期间又有新情况到达；请重新检查哪些事项妨碍关闭。";

    protected static string? DecisionOnCurrentRun(TransitionContext ctx) =>
        (string?)ctx.Event.Payload?["runId"] == State(ctx).Verification?.RunId
            ? null
            : "列出此差异后名册已重新核验；请按当前差异清单处理。";

    protected static string? NothingPending(TransitionContext ctx) =>
        State(ctx).Verification?.PendingReview is > 0 and var n
            ? $"{n} name mismatches are pending review; decide each before approving."
            : null;

    /// <summary>Rosters in, verification, and the review of its name mismatches: the same in every version.</summary>
    protected static IEnumerable<Transition> RostersAndReview =>
    [
        // stage                    event                              next stage            what happens
        new(Stages.AwaitingRosters, CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster, Choose: BothRostersIn),
        new(Stages.Verifying,       CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster),
        new(Stages.Review,          CycleEvents.RosterUploaded,        Stages.Verifying,     RecordRoster),
        new(Stages.Verifying,       CycleEvents.VerifyCompleted,       Stages.Review,        RecordVerification, Choose: VerificationCompleted),
        new(Stages.Verifying,       CycleEvents.VerificationRerun,     Stages.Verifying,     StartVerification),
        new(Stages.Review,          CycleEvents.VerificationRerun,     Stages.Verifying,     StartVerification),
        new(Stages.Review,          CycleEvents.ReviewDecided,         null,                 RecordDecision, Guard: DecisionOnCurrentRun),
    ];

    /// <summary>Version 2 on: the schools' notice documents are rendered, then counted, while the notice runs.</summary>
    protected static IEnumerable<Transition> DocumentRendering =>
    [
        new(Stages.Notice,          CycleEvents.DocumentsRendered,     null,                 SummarizeDocuments),
        new(Stages.Notice,          CycleEvents.DocumentsSummarized,   null,                 RecordDocuments),
    ];

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

    /// <summary>
    /// Settling, in every version: what a bank result, an objection's decision, an accepted item or a resolved row changes
    /// for the cycle runs as steps here, never in the request that changed it. A bank result's follow-up opens its items,
    /// an objection's decision moves the payable rows, and then the cycle moves on if it can (<see cref="CycleCloser"/>:
    /// to rectification after the last reconciled batch, closed when nothing blocks). Only the bureau's own close
    /// (<c>POST /api/cycles/{id}/close</c>) decides within its request, because its answer is the decision.
    /// </summary>
    protected static IEnumerable<Transition> Settling =>
    [
        .. Transition.FromEach(ClosingSteps.During, CycleEvents.ResultApplied,     null,  FollowUpAppliedResult),
        .. Transition.FromEach(ClosingSteps.During, ClosingSteps.ResultFollowedUp, null,  SettleAfterResult),
        .. Transition.FromEach(ClosingSteps.During, CycleEvents.ObjectionDecided,  null,  FollowHolds),
        .. Transition.FromEach(ClosingSteps.During, ClosingSteps.PayablesFollowed, null,  SettleNow),
        .. Transition.FromEach(ClosingSteps.During, CycleEvents.CloseRequested,    null,  SettleNow),
        .. Transition.FromEach(ClosingSteps.During, ClosingSteps.Settled,          null,  RecordSettled),
    ];

    /// <summary>Cancelling, in every version: from any stage that is not finished.</summary>
    protected static IEnumerable<Transition> Cancelling => Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled);
}

/// <summary>Version 1: approval publishes the notice period and starts its timer; nothing renders the notice.</summary>
public sealed class AidCycleDefinitionV1 : AidCycleDefinition
{
    public override int Version => 1;

    public override IReadOnlyList<Transition> Transitions { get; } =
    [
        // stage                    event                              next stage            what happens
        .. RostersAndReview,
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNotice, Guard: NothingPending),
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNotice),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        .. Settling,
        .. Closing,
        .. Cancelling,
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
        .. RostersAndReview,
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNoticeWithDocuments, Guard: NothingPending),
        .. DocumentRendering,
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNotice),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        .. Settling,
        .. Closing,
        .. Cancelling,
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
        .. RostersAndReview,
        new(Stages.Review,          CycleEvents.Approve,               Stages.Notice,        PublishNoticeAndFindings, Guard: NothingPending),
        .. DocumentRendering,
        .. Transition.FromEach([Stages.Notice, Stages.Disbursement, Stages.Rectification], SettlementSteps.FindingsOpened, null, RecordFindings),
        new(Stages.Notice,          CycleEvents.NoticeEnded,           Stages.Disbursement,  TakeDownNoticeAndPay),
        new(Stages.Disbursement,    SettlementSteps.PaymentsCut,       Stages.Rectification, RecordBatches, Choose: NothingToPay),
        new(Stages.Disbursement,    CycleEvents.Reconciled,            Stages.Rectification),
        .. Transition.FromEach([Stages.Disbursement, Stages.Rectification], CycleEvents.ResultTaken, null, ReconcileBatch),
        .. Transition.FromEach([Stages.Disbursement, Stages.Rectification], SettlementSteps.Reconciled, null, RecordReconciliation),
        .. Settling,
        .. Closing,
        .. Cancelling,
    ];
}
