using EduRelief.Calendar;
using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>A case's deadline in words, counted on the State Council calendar like the 09:00 reminders.</summary>
public sealed class CaseCountdownTests
{
    private static readonly IReadOnlyDictionary<int, CalendarDocument> Shipped = CalendarRules.LoadShipped(WorkingCalendar.ShippedPath);
    private static readonly Func<int, YearCalendar?> Calendars = year => Shipped.GetValueOrDefault(year)?.ToYearCalendar();

    // A complaint received Friday 2026-10-09 is due at the end of Thursday 2026-10-15.
    private static readonly DateTimeOffset Due = new(2026, 10, 15, 23, 59, 59, TimeSpan.FromHours(8));

    private static HotlineCase Case(string status = HotlineStatuses.Assigned, DateTimeOffset? deadline = null) =>
        new("410726-2026-000001", "ext-1", "410726", HotlineCategories.Complaint, status,
            new(2026, 10, 9, 9, 30, 0, TimeSpan.FromHours(8)), new(2026, 10, 9, 9, 30, 0, TimeSpan.FromHours(8)),
            deadline ?? Due, "working_days", "王女士", "13812345678", "内容", null);

    private static DateTimeOffset China(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Of_SaturdayMakeUpDayCounts_OnTrackWithWorkingDaysLeft()
    {
        // Friday 10-09: 10-10 (make-up Saturday), 10-12, 10-13, 10-14, 10-15 are the five working days left.
        var countdown = CaseCountdown.Of(Case(), China(10, 9), Calendars);

        Assert.Equal(new CaseCountdown(CountdownStates.OnTrack, 5, 6, 0), countdown);
    }

    [Fact]
    public void Of_DueByTheNextWorkingDay_DueSoonTomorrow()
    {
        var countdown = CaseCountdown.Of(Case(), China(10, 14), Calendars);

        Assert.Equal(new CaseCountdown(CountdownStates.DueSoon, 1, 1, 0), countdown);
    }

    [Fact]
    public void Of_DueTodayLateInTheDay_DueSoonWithNoDaysLeft()
    {
        var countdown = CaseCountdown.Of(Case(), China(10, 15, 23), Calendars);

        Assert.Equal(new CaseCountdown(CountdownStates.DueSoon, 0, 0, 0), countdown);
    }

    [Fact]
    public void Of_DueAfterAWeekendFromFriday_DueSoonOverTheWeekend()
    {
        // Due Monday 10-19; on Friday 10-16 the next working day is Monday, so it is due soon though three days away.
        var countdown = CaseCountdown.Of(Case(deadline: new(2026, 10, 19, 23, 59, 59, TimeSpan.FromHours(8))), China(10, 16), Calendars);

        Assert.Equal(new CaseCountdown(CountdownStates.DueSoon, 1, 3, 0), countdown);
    }

    [Fact]
    public void Of_PastTheDeadline_OverdueByDays()
    {
        Assert.Equal(new CaseCountdown(CountdownStates.Overdue, 0, 0, 1), CaseCountdown.Of(Case(), China(10, 16), Calendars));
        Assert.Equal(new CaseCountdown(CountdownStates.Overdue, 0, 0, 4), CaseCountdown.Of(Case(), China(10, 19), Calendars));
    }

    [Theory]
    [InlineData(HotlineStatuses.Replied)]
    [InlineData(HotlineStatuses.Closed)]
    public void Of_CaseNoLongerRunning_Null(string status)
    {
        Assert.Null(CaseCountdown.Of(Case(status), China(10, 19), Calendars));
    }
}
