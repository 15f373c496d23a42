using EduRelief.Hosting;

namespace EduRelief.Hotline;

/// <summary>How a case's deadline is set: a number of working days after the day of receipt, or the end of a notice.</summary>
public sealed record DeadlineRule(string Name, int? WorkingDays)
{
    public const string WorkingDaysRule = "working_days";
    public const string NoticeEndRule = "notice_end";

    /// <summary>Per DOMAIN: inquiry 2, complaint 5, help 5, tip-off 15 working days; an objection is due before its notice ends.</summary>
    public static DeadlineRule For(string category) => category switch
    {
        HotlineCategories.Inquiry => new(WorkingDaysRule, 2),
        HotlineCategories.Complaint => new(WorkingDaysRule, 5),
        HotlineCategories.Help => new(WorkingDaysRule, 5),
        HotlineCategories.TipOff => new(WorkingDaysRule, 15),
        HotlineCategories.Objection => new(NoticeEndRule, null),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown hotline category."),
    };
}

/// <summary>A new case's deadline: when it is due (null: never), by which rule, and whether a calendar was missing.</summary>
public sealed record CaseDeadline(DateTimeOffset? DueAt, string Rule, bool CalendarMissing, string? Note = null);

/// <summary>Sets a case's deadline.</summary>
public interface ICaseDeadlines
{
    Task<CaseDeadline> ForNewCaseAsync(HotlineCaseInput input, CancellationToken cancellationToken);

    /// <summary>The end of the N-th working day after the day of <paramref name="from"/> (extensions, reopening).</summary>
    Task<EduRelief.Calendar.Deadline> AfterAsync(DateTimeOffset from, int workingDays, CancellationToken cancellationToken);
}

/// <summary>
/// Working days of the State Council calendar (holidays off, make-up days on), counted after the day of receipt; the
/// deadline is 23:59:59 China time of the N-th. A year with no published calendar counts weekends only. An objection
/// is due when its notice ends; one that names no notice still open is handled like a complaint, so it is never left
/// without a deadline.
/// </summary>
public sealed class CalendarCaseDeadlines(EduRelief.Calendar.WorkingCalendar calendar, Workflow.WorkflowEngine engine) : ICaseDeadlines
{
    public async Task<CaseDeadline> ForNewCaseAsync(HotlineCaseInput input, CancellationToken cancellationToken)
    {
        var rule = DeadlineRule.For(input.Category);
        if (rule.WorkingDays is { } days)
        {
            var due = await calendar.AfterReceiptAsync(input.ReceivedAt, days, cancellationToken);
            return new CaseDeadline(due.DueAt, rule.Name, due.CalendarMissing);
        }

        if (input.Subject?.CycleId is { } cycleId
            && await engine.GetAsync(cycleId, cancellationToken) is { Stage: Cycles.Stages.Notice } cycle
            && Cycles.CycleState.Of(cycle).Notice is { EndsAt: { } endsAt } notice
            && endsAt > input.ReceivedAt)
        {
            return new CaseDeadline(endsAt, rule.Name, notice.CalendarMissing ?? false);
        }

        var fallback = DeadlineRule.For(HotlineCategories.Complaint);
        var late = await calendar.AfterReceiptAsync(input.ReceivedAt, fallback.WorkingDays!.Value, cancellationToken);
        return new CaseDeadline(late.DueAt, fallback.Name, late.CalendarMissing, "所涉公示当前不在公示期内，按投诉的办理时限计算。");
    }

    public Task<EduRelief.Calendar.Deadline> AfterAsync(DateTimeOffset from, int workingDays, CancellationToken cancellationToken) =>
        calendar.AfterReceiptAsync(from, workingDays, cancellationToken);
}
