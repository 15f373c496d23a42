using EduRelief.Counties;
using EduRelief.Hosting;

namespace EduRelief.Hotline;

/// <summary>What a person does to a case. Deadlines that need the calendar are computed by the caller and passed in.</summary>
public abstract record CaseAction(string Actor, DateTimeOffset At)
{
    /// <summary>The history row's event name.</summary>
    public abstract string Name { get; }
}

public sealed record AssignCase(string Actor, DateTimeOffset At, string Assignee, string? Note) : CaseAction(Actor, At)
{
    public override string Name => "assigned";
}

public sealed record RecordProgress(string Actor, DateTimeOffset At, string Note) : CaseAction(Actor, At)
{
    public override string Name => "progress";
}

public sealed record RequestExtension(string Actor, DateTimeOffset At, string Reason, int WorkingDays) : CaseAction(Actor, At)
{
    public override string Name => "extension_requested";
}

/// <summary><paramref name="NewDeadline"/> is the deadline the extension gives, when approved.</summary>
public sealed record DecideExtension(string Actor, DateTimeOffset At, bool Approve, string? Reason, DateTimeOffset? NewDeadline, bool CalendarMissing) : CaseAction(Actor, At)
{
    public override string Name => Approve ? "extension_approved" : "extension_refused";
}

public sealed record DecideObjection(string Actor, DateTimeOffset At, string Decision, string Reason) : CaseAction(Actor, At)
{
    public override string Name => $"objection_{Decision}";
}

public sealed record ReplyToCaller(string Actor, DateTimeOffset At, string Reply) : CaseAction(Actor, At)
{
    public override string Name => "replied";
}

/// <summary><paramref name="ReopenDeadline"/> is the new deadline should an unsatisfied caller reopen the case.</summary>
public sealed record RecordSatisfaction(string Actor, DateTimeOffset At, string Level, DateTimeOffset ReopenDeadline, bool CalendarMissing) : CaseAction(Actor, At)
{
    public override string Name => "satisfaction";
}

/// <summary>A case's one extension: requested with a reason, then approved or refused by the bureau.</summary>
public sealed record CaseExtension(string Reason, int WorkingDays, string RequestedBy, DateTimeOffset RequestedAt, string Status, string? DecidedBy = null, DateTimeOffset? DecidedAt = null, string? DecisionReason = null)
{
    public const string Requested = "requested";
    public const string Approved = "approved";
    public const string Refused = "refused";
}

/// <summary>One line of a case's history.</summary>
public sealed record CaseHistoryEntry(int Sequence, DateTimeOffset At, string Actor, string Event, string? From, string To, string? Note);

/// <summary>
/// The outcome of an action: the case after it and its history line, or why it was refused: <see cref="Field"/> for bad
/// input (400), else <see cref="Blocker"/> names what blocks it (409's <c>errors</c>: <c>status</c>, <c>extension</c>,
/// <c>objection</c>, <c>category</c>).
/// </summary>
public sealed record CaseChange(HotlineCase? Case, CaseHistoryEntry? Entry, Text? Refusal, string? Field = null, string Blocker = "status")
{
    public static CaseChange Refuse(Text reason, string? field = null) => new(null, null, reason, field);

    public static CaseChange Blocked(string blocker, Text reason) => new(null, null, reason, null, blocker);
}

/// <summary>
/// The case lifecycle as a pure function: <c>new → assigned → in_progress → replied → closed</c>; an unsatisfied caller
/// reopens a case once (<c>reopened</c>, handled like <c>assigned</c>), a second unsatisfied verdict closes it for good.
/// One extension per case. An objection must be decided (upheld or dismissed) before the caller gets a reply.
/// </summary>
public static class CaseLifecycle
{
    public const int MaxExtensionDays = 30;

    public static CaseChange Apply(HotlineCase c, CaseAction action) => action switch
    {
        AssignCase a => Assign(c, a),
        RecordProgress p => Progress(c, p),
        RequestExtension r => Request(c, r),
        DecideExtension d => Extension(c, d),
        DecideObjection o => Objection(c, o),
        ReplyToCaller r => Reply(c, r),
        RecordSatisfaction s => Verdict(c, s),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown case action."),
    };

    private static CaseChange Assign(HotlineCase c, AssignCase a)
    {
        if (!HotlineStatuses.Open.Contains(c.Status))
        {
            return NotOpen(c, "指派", "assigned");
        }

        if (!Assignees.TryParse(a.Assignee, out _, out _))
        {
            return CaseChange.Refuse(new Text("assignee 为 school:{10 位学校标识码} 或 section:{股室名称}。", "assignee is school:{10-digit school code} or section:{section name}."), "assignee");
        }

        // A reopened case keeps its status when it is handed on, so the reopening stays visible.
        var status = c.Status == HotlineStatuses.Reopened ? HotlineStatuses.Reopened : HotlineStatuses.Assigned;
        return Changed(c, c with { Status = status, Assignee = a.Assignee }, a, $"{a.Assignee}{Suffix(a.Note)}");
    }

    private static CaseChange Progress(HotlineCase c, RecordProgress p) =>
        c.Status is HotlineStatuses.Assigned or HotlineStatuses.InProgress or HotlineStatuses.Reopened
            ? Changed(c, c with { Status = HotlineStatuses.InProgress }, p, p.Note)
            : CaseChange.Refuse(c.Status == HotlineStatuses.New
                ? new Text("请先分派工单，再记录办理进展。", "Assign the case before recording progress.")
                : new Text($"工单当前为“{HotlineStatuses.Chinese(c.Status)}”，不能再记录办理进展。", $"A case that is {c.Status} takes no more progress notes."));

    private static CaseChange Request(HotlineCase c, RequestExtension r)
    {
        if (!HotlineStatuses.Open.Contains(c.Status))
        {
            return NotOpen(c, "延期", "extended");
        }

        if (c.Category == HotlineCategories.Objection)
        {
            return CaseChange.Blocked("category", new Text("公示异议须在公示期结束前处理，不能延期。", "An objection is decided before its notice ends; it cannot be extended."));
        }

        if (c.Extension is not null)
        {
            return CaseChange.Blocked("extension", new Text($"本工单已申请过一次延期（{ExtensionChinese(c.Extension.Status)}），每件工单只能延期一次。", $"This case already had its one extension ({c.Extension.Status})."));
        }

        if (r.WorkingDays is < 1 or > MaxExtensionDays)
        {
            return CaseChange.Refuse(new Text($"workingDays 为 1 至 {MaxExtensionDays} 个工作日。", $"workingDays is 1 to {MaxExtensionDays}."), "workingDays");
        }

        var extension = new CaseExtension(r.Reason, r.WorkingDays, r.Actor, r.At, CaseExtension.Requested);
        return Changed(c, c with { Extension = extension }, r, $"延期 {r.WorkingDays} 个工作日：{r.Reason}");
    }

    private static CaseChange Extension(HotlineCase c, DecideExtension d)
    {
        if (c.Extension is not { Status: CaseExtension.Requested } requested)
        {
            return CaseChange.Blocked("extension", new Text("没有待审批的延期申请。", "There is no extension request waiting for a decision."));
        }

        if (!HotlineStatuses.Open.Contains(c.Status))
        {
            return NotOpen(c, "延期", "extended");
        }

        var decided = requested with
        {
            Status = d.Approve ? CaseExtension.Approved : CaseExtension.Refused,
            DecidedBy = d.Actor,
            DecidedAt = d.At,
            DecisionReason = d.Reason,
        };
        var next = d.Approve
            ? c with { Extension = decided, Deadline = d.NewDeadline, DeadlineCalendarMissing = d.CalendarMissing }
            : c with { Extension = decided };
        return Changed(c, next, d, d.Approve ? $"新的办理时限：{ChinaTime.Format(d.NewDeadline!.Value)}" : d.Reason);
    }

    private static CaseChange Objection(HotlineCase c, DecideObjection o)
    {
        if (c.Category != HotlineCategories.Objection)
        {
            return CaseChange.Blocked("category", new Text("只有公示异议工单才作“异议成立”或“异议不成立”的决定。", "Only an objection to a notice is upheld or dismissed."));
        }

        if (c.ObjectionDecision is not null)
        {
            return CaseChange.Blocked("objection", new Text($"此异议已作出决定（{(c.ObjectionDecision == ObjectionDecisions.Upheld ? "异议成立" : "异议不成立")}）。", $"This objection was {c.ObjectionDecision} already."));
        }

        if (!HotlineStatuses.Open.Contains(c.Status))
        {
            return NotOpen(c, "作出异议决定", "decided");
        }

        return Changed(c, c with { ObjectionDecision = o.Decision, ObjectionReason = o.Reason, ObjectionDecidedBy = o.Actor, ObjectionDecidedAt = o.At }, o, o.Reason);
    }

    private static CaseChange Reply(HotlineCase c, ReplyToCaller r)
    {
        if (!HotlineStatuses.Open.Contains(c.Status) || c.Status == HotlineStatuses.New)
        {
            return c.Status == HotlineStatuses.New ? CaseChange.Refuse(new Text("请先分派工单，再答复来电人。", "Assign the case before replying.")) : NotOpen(c, "答复", "replied to");
        }

        if (c.Category == HotlineCategories.Objection && c.ObjectionDecision is null)
        {
            return CaseChange.Blocked("objection", new Text("请先对异议作出决定（异议成立或不成立），再答复来电人。", "Decide the objection (upheld or dismissed) before replying to the caller."));
        }

        return Changed(c, c with { Status = HotlineStatuses.Replied, Reply = r.Reply, RepliedAt = r.At }, r, null);
    }

    private static CaseChange Verdict(HotlineCase c, RecordSatisfaction s)
    {
        if (c.Status != HotlineStatuses.Replied)
        {
            return CaseChange.Refuse(new Text("须在答复来电人之后记录其评价。", "The caller's satisfaction is recorded after the reply."));
        }

        if (s.Level == Satisfaction.Unsatisfied && c.Reopened == 0)
        {
            var reopened = c with
            {
                Status = HotlineStatuses.Reopened,
                Satisfaction = s.Level,
                Reopened = 1,
                Deadline = s.ReopenDeadline,
                DeadlineCalendarMissing = s.CalendarMissing,
            };
            return Changed(c, reopened, s, $"{Satisfaction.Chinese(s.Level)}：重新办理，时限至 {ChinaTime.Format(s.ReopenDeadline)}");
        }

        return Changed(c, c with { Status = HotlineStatuses.Closed, Satisfaction = s.Level, ClosedAt = s.At }, s, Satisfaction.Chinese(s.Level));
    }

    private static CaseChange NotOpen(HotlineCase c, string zh, string en) =>
        CaseChange.Refuse(new Text($"工单当前为“{HotlineStatuses.Chinese(c.Status)}”，不能{zh}。", $"A case that is {c.Status} cannot be {en}."));

    private static string ExtensionChinese(string status) => status switch
    {
        CaseExtension.Requested => "待审批",
        CaseExtension.Approved => "已批准",
        _ => "未批准",
    };

    private static string Suffix(string? note) => string.IsNullOrWhiteSpace(note) ? "" : $"：{note}";

    private static CaseChange Changed(HotlineCase before, HotlineCase after, CaseAction action, string? note)
    {
        var sequence = before.HistoryCount + 1;
        var entry = new CaseHistoryEntry(sequence, action.At, action.Actor, action.Name, before.Status, after.Status, note);
        return new CaseChange(after with { HistoryCount = sequence }, entry, null);
    }
}
