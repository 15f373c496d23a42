using EduRelief.Hosting;

namespace EduRelief.Calendar;

/// <summary>One year of the State Council's calendar: public holidays (off) and make-up working days (调休, on).</summary>
public sealed record YearCalendar(int Year, IReadOnlySet<DateOnly> Holidays, IReadOnlySet<DateOnly> MakeUpWorkdays);

/// <summary>A public notice's period: it ends at <see cref="EndsAt"/>; <see cref="CalendarMissing"/> when a year counted had no calendar.</summary>
public sealed record NoticePeriod(DateTimeOffset EndsAt, bool CalendarMissing);

/// <summary>A case or rectification deadline; <see cref="CalendarMissing"/> when a year counted had no calendar.</summary>
public sealed record Deadline(DateTimeOffset DueAt, bool CalendarMissing);

/// <summary>
/// Working-day arithmetic over a calendar lookup (year → calendar, or null when that year has none). Pure: no storage,
/// no clock. Every period ends at 23:59:59 China time (+08:00) of its last working day.
/// </summary>
public static class WorkingDays
{
    private static readonly TimeSpan EndOfDay = new(23, 59, 59);

    /// <summary>
    /// Make-up working days are working days, public holidays are not, otherwise Monday to Friday. For a year without a
    /// calendar only weekends are off and <paramref name="calendarMissing"/> is true.
    /// </summary>
    public static bool IsWorkingDay(Func<int, YearCalendar?> calendars, DateOnly day, out bool calendarMissing)
    {
        var weekday = day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        if (calendars(day.Year) is not { } calendar)
        {
            calendarMissing = true;
            return weekday;
        }

        calendarMissing = false;
        if (calendar.MakeUpWorkdays.Contains(day))
        {
            return true;
        }

        return !calendar.Holidays.Contains(day) && weekday;
    }

    /// <summary>
    /// A notice of <paramref name="workingDays"/> working days counted inclusively from the day of publication (China
    /// date) when that is a working day, otherwise from the next working day (公示时间：10月9日至10月13日（5个工作日）).
    /// </summary>
    public static NoticePeriod NoticeEnd(Func<int, YearCalendar?> calendars, DateTimeOffset publishedAt, int workingDays)
    {
        var (end, missing) = NthWorkingDay(calendars, ChinaDate(publishedAt), workingDays);
        return new NoticePeriod(EndOf(end), missing);
    }

    /// <summary>
    /// A deadline of <paramref name="workingDays"/> working days counted from the day after the day of receipt (China
    /// date): a complaint received Friday 2026-10-09 with 5 working days is due at the end of Thursday 2026-10-15.
    /// </summary>
    public static Deadline AfterReceipt(Func<int, YearCalendar?> calendars, DateTimeOffset receivedAt, int workingDays)
    {
        var (end, missing) = NthWorkingDay(calendars, ChinaDate(receivedAt).AddDays(1), workingDays);
        return new Deadline(EndOf(end), missing);
    }

    /// <summary>
    /// True when <paramref name="dueAt"/> is still ahead of <paramref name="now"/> and no later than the end of the
    /// <paramref name="workingDays"/>-th working day after today (China date): "due within 1 working day" reminders.
    /// False once overdue; overdue is escalation, not a reminder.
    /// </summary>
    public static bool DueWithin(Func<int, YearCalendar?> calendars, DateTimeOffset now, DateTimeOffset dueAt, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        if (dueAt <= now)
        {
            return false;
        }

        var horizon = workingDays == 0 ? EndOf(ChinaDate(now)) : AfterReceipt(calendars, now, workingDays).DueAt;
        return dueAt <= horizon;
    }

    /// <summary>The China calendar date of an instant.</summary>
    public static DateOnly ChinaDate(DateTimeOffset value) => ChinaTime.DateOf(value);

    /// <summary>23:59:59 China time of the day.</summary>
    public static DateTimeOffset EndOf(DateOnly day) =>
        new(day.ToDateTime(TimeOnly.MinValue) + EndOfDay, ChinaTime.Zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue)));

    private static (DateOnly Day, bool CalendarMissing) NthWorkingDay(Func<int, YearCalendar?> calendars, DateOnly from, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workingDays, 1);
        var missing = false;
        var counted = 0;
        for (var day = from; ; day = day.AddDays(1))
        {
            var working = IsWorkingDay(calendars, day, out var dayMissing);
            missing |= dayMissing;
            if (working && ++counted == workingDays)
            {
                return (day, missing);
            }
        }
    }
}
