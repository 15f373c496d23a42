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

/// <summary>Sets a case's deadline.</summary>
public interface ICaseDeadlines
{
    /// <summary>The deadline, or null when the rule depends on something the case does not know yet (an objection's notice).</summary>
    Task<DateTimeOffset?> DeadlineForAsync(string category, DateTimeOffset receivedAt, CancellationToken cancellationToken);
}

/// <summary>
/// Working days of the State Council calendar (holidays off, make-up days on), counted after the day of receipt; the
/// deadline is 23:59:59 China time of the N-th. A year with no published calendar counts weekends only.
/// </summary>
public sealed class CalendarCaseDeadlines(EduRelief.Calendar.WorkingCalendar calendar) : ICaseDeadlines
{
    public async Task<DateTimeOffset?> DeadlineForAsync(string category, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        DeadlineRule.For(category).WorkingDays is { } days
            ? (await calendar.AfterReceiptAsync(receivedAt, days, cancellationToken)).DueAt
            : null;
}
