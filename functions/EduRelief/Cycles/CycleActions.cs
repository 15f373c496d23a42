using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EduRelief.Auth;
using EduRelief.Rectification;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// What the caller may do with a cycle now (<c>allowedActions</c> in <c>GET /api/cycles/{id}</c>), named as the
/// console's buttons are: from the cycle's transition table (an action is offered where its event has a row from the
/// current stage) and the caller's role. An action whose refusal needs other tables is still offered and may answer
/// 409 (close: what <c>GET …/closing</c> lists; approve: the county's contacts).
/// </summary>
public static class CycleActions
{
    public const string UploadRosters = "uploadRosters";
    public const string RerunVerification = "rerunVerification";
    public const string DecideNameMismatch = "decideNameMismatch";
    public const string Approve = "approve";
    public const string CutBatch = "cutBatch";
    public const string Close = "close";
    public const string Cancel = "cancel";

    /// <summary>Stages in which the bureau cuts a batch by hand (not an event of the table: a cut is the disbursement's own).</summary>
    public static readonly IReadOnlySet<string> CuttingStages = new HashSet<string> { Stages.Disbursement, Stages.Rectification };

    private static readonly string[] Bureau = [Roles.BureauAdmin];

    /// <summary>Each action, who may take it, and when the cycle is open to it; in the order the console lays them out.</summary>
    private static readonly Rule[] Rules =
    [
        OnEvent(UploadRosters, CycleEvents.RosterUploaded, Bureau),
        OnEvent(RerunVerification, CycleEvents.VerificationRerun, Bureau),
        OnEvent(DecideNameMismatch, CycleEvents.ReviewDecided, [Roles.BureauAdmin, Roles.SchoolOfficer]),

        // The approval's guard the cycle's own state answers: every name mismatch decided.
        new(Approve, Bureau, (cycle, table) => HasRow(cycle, table, CycleEvents.Approve) && cycle.State.Verification?.PendingReview is not > 0),
        new(CutBatch, Bureau, (cycle, _) => CuttingStages.Contains(cycle.Stage)),
        OnEvent(Close, CycleEvents.RectificationCompleted, Bureau),
        OnEvent(Cancel, CycleEvents.Cancel, Bureau),
    ];

    public static IReadOnlyList<string> For(Cycle cycle, ClaimsPrincipal user)
    {
        var table = AidCycleDefinition.Live.FirstOrDefault(d => d.Version == cycle.DefinitionVersion)?.Transitions ?? [];
        return [.. Rules.Where(r => r.Roles.Any(user.IsInRole) && r.IsOpen(cycle, table)).Select(r => r.Action)];
    }

    private static Rule OnEvent(string action, string @event, string[] roles) => new(action, roles, (cycle, table) => HasRow(cycle, table, @event));

    /// <summary>The cycle's table has a row for the event from the cycle's stage.</summary>
    private static bool HasRow(Cycle cycle, IReadOnlyList<Transition> table, string @event) => table.Any(t => t.From == cycle.Stage && t.On == @event);

    private sealed record Rule(string Action, string[] Roles, Func<Cycle, IReadOnlyList<Transition>, bool> IsOpen);
}

/// <summary>
/// One thing the cycle waits on now (<c>waitingOn</c> in <c>GET /api/cycles/{id}</c>): <see cref="Kind"/> says what,
/// the other fields (absent when not set) say how much or until when.
/// </summary>
public sealed record CycleWait(string Kind)
{
    public const string Rosters = "rosters";
    public const string Verification = "verification";
    public const string VerificationFailed = "verificationFailed";
    public const string NameMismatches = "nameMismatches";
    public const string Approval = "approval";
    public const string NoticeDocuments = "noticeDocuments";
    public const string NoticePeriod = "noticePeriod";
    public const string BatchCutting = "batchCutting";
    public const string BankResults = "bankResults";
    public const string RectificationItems = "rectificationItems";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Missing { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Since { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Until { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Count { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Overdue { get; init; }

    /// <summary>What the cycle, as the caller sees it (its figures added), waits on in its stage; nothing once it ended.</summary>
    public static IReadOnlyList<CycleWait> Of(Cycle cycle) => cycle.Stage switch
    {
        Stages.AwaitingRosters => [new(Rosters) { Missing = [.. new[] { EduRelief.Rosters.RosterFiles.Students, EduRelief.Rosters.RosterFiles.Poverty }.Where(k => cycle.State.Rosters?.GetValueOrDefault(k) is null)] }],
        Stages.Verifying => cycle.State.Verification?.Status == VerificationRun.Failed
            ? [new(VerificationFailed)]
            : [new(Verification) { Since = cycle.State.Verification?.StartedAt }],
        // The figures as the caller sees them: a school officer's are their school's (never the county's).
        Stages.Review => (int?)cycle.Verification?["pendingReview"] is > 0 and var pending ? [new(NameMismatches) { Count = pending }] : [new(Approval)],
        Stages.Notice => [
            .. cycle.State.Notice?.Documents is null ? [new CycleWait(NoticeDocuments)] : Array.Empty<CycleWait>(),
            new(NoticePeriod) { Until = cycle.State.Notice?.EndsAt, Count = (int?)cycle.Notice?["objectionsOpen"] ?? 0 }],
        Stages.Disbursement => Paying(cycle.Disbursement),
        Stages.Rectification => [Rectifying(cycle.Rectification)],
        _ => [],
    };

    /// <summary>Batches still being cut (or none cut yet), and batches waiting for the bank's result.</summary>
    private static IReadOnlyList<CycleWait> Paying(JsonNode? disbursement)
    {
        var statuses = (disbursement?["batches"] as JsonArray ?? []).Select(b => (string?)b?["status"]).ToList();
        var waiting = statuses.Count(s => s is Disbursement.BatchStatuses.Sealed or Disbursement.BatchStatuses.Reconciling);
        return [
            .. disbursement is null || statuses.Contains(Disbursement.BatchStatuses.Cutting) ? [new CycleWait(BatchCutting)] : Array.Empty<CycleWait>(),
            .. waiting > 0 ? [new CycleWait(BankResults) { Count = waiting }] : Array.Empty<CycleWait>()];
    }

    /// <summary>Items not yet accepted (open, submitted or returned), and how many of them are overdue.</summary>
    private static CycleWait Rectifying(JsonNode? rectification) => new(RectificationItems)
    {
        Count = RectificationStatuses.All.Where(s => s != RectificationStatuses.Accepted).Sum(s => (int?)rectification?[s] ?? 0),
        Overdue = (int?)rectification?["overdue"] ?? 0,
    };
}
