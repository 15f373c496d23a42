using EduRelief.Calendar;

namespace EduRelief.Hotline;

/// <summary>Where an open case stands against its deadline, as people read it in the console.</summary>
public static class CountdownStates
{
    public const string OnTrack = "on_track";
    public const string DueSoon = "due_soon";
    public const string Overdue = "overdue";
}

/// <summary>
/// An open case's deadline in words: <see cref="State"/> <c>on_track</c>, <c>due_soon</c> (due by the end of the next
/// working day, as the 09:00 reminders count it) or <c>overdue</c>; <see cref="WorkingDaysLeft"/> the working days after
/// today up to the deadline's day (0: due today); <see cref="CalendarDaysLeft"/> the calendar days to it (1: tomorrow);
/// <see cref="DaysOverdue"/> the days since it passed (at least 1 once overdue).
/// </summary>
public sealed record CaseCountdown(string State, int WorkingDaysLeft, int CalendarDaysLeft, int DaysOverdue)
{
    /// <summary>Null when the case no longer runs against a deadline (replied, closed) or has none.</summary>
    public static CaseCountdown? Of(HotlineCase c, DateTimeOffset now, Func<int, YearCalendar?> calendars)
    {
        if (!HotlineStatuses.Open.Contains(c.Status) || c.Deadline is not { } deadline)
        {
            return null;
        }

        var today = WorkingDays.ChinaDate(now);
        var dueDay = WorkingDays.ChinaDate(deadline);
        if (deadline <= now)
        {
            return new CaseCountdown(CountdownStates.Overdue, 0, 0, Math.Max(1, today.DayNumber - dueDay.DayNumber));
        }

        var working = 0;
        for (var day = today.AddDays(1); day <= dueDay; day = day.AddDays(1))
        {
            if (WorkingDays.IsWorkingDay(calendars, day, out _))
            {
                working++;
            }
        }

        var state = WorkingDays.DueWithin(calendars, now, deadline, 1) ? CountdownStates.DueSoon : CountdownStates.OnTrack;
        return new CaseCountdown(state, working, dueDay.DayNumber - today.DayNumber, 0);
    }

    /// <summary>The calendars a countdown from <paramref name="now"/> reads: this year's and next year's.</summary>
    public static Task<Func<int, YearCalendar?>> CalendarsAsync(WorkingCalendar calendar, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var year = WorkingDays.ChinaDate(now).Year;
        return calendar.CalendarsAsync(year, year + 1, cancellationToken);
    }
}
