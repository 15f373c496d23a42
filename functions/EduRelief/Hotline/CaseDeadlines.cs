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

/// <summary>
/// Sets a case's deadline. The registered default counts Monday to Friday only; the working-day calendar feature
/// (public holidays and make-up days) replaces this registration with its own implementation.
/// </summary>
public interface ICaseDeadlines
{
    /// <summary>The deadline, or null when the rule depends on something the case does not know yet (an objection's notice).</summary>
    DateTimeOffset? DeadlineFor(string category, DateTimeOffset receivedAt);
}

/// <summary>Working days are Monday to Friday; the deadline is 23:59:59 China time of the N-th working day after the day of receipt.</summary>
public sealed class WeekdayCaseDeadlines : ICaseDeadlines
{
    public DateTimeOffset? DeadlineFor(string category, DateTimeOffset receivedAt)
    {
        var rule = DeadlineRule.For(category);
        if (rule.WorkingDays is not { } days)
        {
            return null;
        }

        var day = DateOnly.FromDateTime(ChinaTime.ToChina(receivedAt).DateTime);
        var counted = 0;
        while (counted < days)
        {
            day = day.AddDays(1);
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                counted++;
            }
        }

        return new DateTimeOffset(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.FromHours(8));
    }
}
