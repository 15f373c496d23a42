using EduRelief.Calendar;
using Xunit;

namespace EduRelief.Tests.Calendar;

/// <summary>Working-day arithmetic over the shipped State Council calendar (Data/calendar.json), without storage.</summary>
public sealed class WorkingDaysTests
{
    private static readonly IReadOnlyDictionary<int, CalendarDocument> Shipped = CalendarRules.LoadShipped(WorkingCalendar.ShippedPath);

    private static readonly Func<int, YearCalendar?> Calendars = year => Shipped.GetValueOrDefault(year)?.ToYearCalendar();

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static TheoryData<string, string> Holidays2025And2026() => Days(d => d.Holidays);

    public static TheoryData<string, string> MakeUpWorkdays2025And2026() => Days(d => d.Workdays);

    private static TheoryData<string, string> Days(Func<CalendarDocument, IReadOnlyList<CalendarDay>> pick)
    {
        var data = new TheoryData<string, string>();
        foreach (var day in new[] { 2025, 2026 }.SelectMany(y => pick(Shipped[y])))
        {
            data.Add(day.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.Name);
        }

        return data;
    }

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset At(string iso, int hour = 10) => new(D(iso).ToDateTime(new TimeOnly(hour, 0)), China);

    private static DateTimeOffset EndOf(string iso) => new(D(iso).ToDateTime(new TimeOnly(23, 59, 59)), China);

    [Theory]
    [MemberData(nameof(Holidays2025And2026))]
    public void IsWorkingDay_PublicHoliday_IsNotAWorkingDay(string date, string name)
    {
        Assert.False(WorkingDays.IsWorkingDay(Calendars, D(date), out var missing), $"{date} {name}");
        Assert.False(missing);
    }

    [Theory]
    [MemberData(nameof(MakeUpWorkdays2025And2026))]
    public void IsWorkingDay_MakeUpWorkingDay_IsAWorkingDay(string date, string name)
    {
        Assert.True(D(date).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, $"{date} {name} is a weekend day");
        Assert.True(WorkingDays.IsWorkingDay(Calendars, D(date), out var missing), $"{date} {name}");
        Assert.False(missing);
    }

    [Fact]
    public void LoadShipped_DataFile_Holds2004To2026WithThe2026Counts()
    {
        Assert.Equal(Enumerable.Range(2004, 23), Shipped.Keys.Order());
        Assert.Equal(33, Shipped[2026].Holidays.Count);
        Assert.Equal(6, Shipped[2026].Workdays.Count);
        Assert.Equal("国庆节", Shipped[2026].Workdays.Single(d => d.Date == new DateOnly(2026, 10, 10)).Name);
    }

    [Theory]
    [InlineData("2026-10-08", true)]  // Thursday after National Day
    [InlineData("2026-10-10", true)]  // Saturday, make-up
    [InlineData("2026-10-11", false)] // Sunday
    [InlineData("2026-10-12", true)]  // Monday
    [InlineData("2026-10-03", false)] // Saturday, holiday
    public void IsWorkingDay_OrdinaryDaysAround2026NationalDay_FollowTheWeekAndTheCalendar(string date, bool working)
    {
        Assert.Equal(working, WorkingDays.IsWorkingDay(Calendars, D(date), out var missing));
        Assert.False(missing);
    }

    [Theory]
    [InlineData("2026-09-29", "2026-10-10")]
    [InlineData("2026-09-30", "2026-10-12")]
    [InlineData("2026-10-03", "2026-10-13")]
    public void NoticeEnd_DomainExamples2026_EndAtTheFifthWorkingDay(string published, string ends)
    {
        var period = WorkingDays.NoticeEnd(Calendars, At(published), 5);

        Assert.Equal(EndOf(ends), period.EndsAt);
        Assert.Equal(China, period.EndsAt.Offset);
        Assert.False(period.CalendarMissing);
    }

    [Fact]
    public void NoticeEnd_PublishedLateEveningUtcOfTheDayBefore_CountsTheChinaDate()
    {
        // 2026-09-28T16:30Z is 09-29 00:30 in China: the notice starts 09-29, not 09-28.
        var period = WorkingDays.NoticeEnd(Calendars, new DateTimeOffset(2026, 9, 28, 16, 30, 0, TimeSpan.Zero), 5);

        Assert.Equal(EndOf("2026-10-10"), period.EndsAt);
    }

    [Fact]
    public void NoticeEnd_PublishedOnOrdinarySaturday_StartsTheNextMonday()
    {
        // Saturday 2026-11-14: counts 11-16 .. 11-20.
        Assert.Equal(EndOf("2026-11-20"), WorkingDays.NoticeEnd(Calendars, At("2026-11-14"), 5).EndsAt);
        // Sunday 2026-11-15, late evening China time, likewise.
        Assert.Equal(EndOf("2026-11-20"), WorkingDays.NoticeEnd(Calendars, At("2026-11-15", 23), 5).EndsAt);
    }

    [Fact]
    public void NoticeEnd_AcrossSpringFestival2026_SkipsTheHolidayAndCountsMakeUpDays()
    {
        // Published Friday 02-13: 02-13, 02-14 (Saturday make-up), holidays 02-15..23, then 02-24, 02-25, 02-26.
        Assert.Equal(EndOf("2026-02-26"), WorkingDays.NoticeEnd(Calendars, At("2026-02-13"), 5).EndsAt);
    }

    [Fact]
    public void AfterReceipt_DomainComplaintExample_IsDueThursday1015()
    {
        var deadline = WorkingDays.AfterReceipt(Calendars, At("2026-10-09", 16), 5);

        Assert.Equal(EndOf("2026-10-15"), deadline.DueAt);
        Assert.False(deadline.CalendarMissing);
    }

    [Fact]
    public void AfterReceipt_AcrossNationalDay2026_SkipsTheGoldenWeek()
    {
        // Received Wednesday 09-30; inquiry 2 working days: 10-08, 10-09.
        Assert.Equal(EndOf("2026-10-09"), WorkingDays.AfterReceipt(Calendars, At("2026-09-30"), 2).DueAt);
        // Received on the holiday 10-02; complaint 5: 10-08, 10-09, 10-10, 10-12, 10-13.
        Assert.Equal(EndOf("2026-10-13"), WorkingDays.AfterReceipt(Calendars, At("2026-10-02"), 5).DueAt);
    }

    [Fact]
    public void AfterReceipt_AcrossSpringFestival2026_TipOffOf15WorkingDays()
    {
        // Received Tuesday 02-10: 02-11, 02-12, 02-13, 02-14 (make-up), then 02-24 .. 02-27, 02-28 (make-up), 03-02 .. 03-06, 03-09.
        var deadline = WorkingDays.AfterReceipt(Calendars, At("2026-02-10"), 15);

        Assert.Equal(EndOf("2026-03-09"), deadline.DueAt);
    }

    [Fact]
    public void AfterReceipt_2027WithoutCalendar_CountsWeekendsOnlyAndSaysSo()
    {
        // 2027-01-01 is a Friday and (in reality) a holiday; without a 2027 calendar it counts as a working day.
        var deadline = WorkingDays.AfterReceipt(Calendars, At("2026-12-30"), 5);

        Assert.Equal(EndOf("2027-01-06"), deadline.DueAt);
        Assert.True(deadline.CalendarMissing);
        Assert.True(WorkingDays.IsWorkingDay(Calendars, new DateOnly(2027, 1, 1), out var missing));
        Assert.True(missing);
        Assert.False(WorkingDays.IsWorkingDay(Calendars, new DateOnly(2027, 1, 2), out _));
    }

    [Fact]
    public void AfterReceipt_WithinDecember2026Only_DoesNotReportMissing()
    {
        var deadline = WorkingDays.AfterReceipt(Calendars, At("2026-12-01"), 5);

        Assert.Equal(EndOf("2026-12-08"), deadline.DueAt);
        Assert.False(deadline.CalendarMissing);
    }

    [Fact]
    public void AfterReceipt_2027WithOverride_UsesTheOverridesHolidaysAndMakeUpDays()
    {
        var override2027 = new YearCalendar(
            2027,
            new HashSet<DateOnly> { new(2027, 1, 1), new(2027, 1, 2), new(2027, 1, 3) },
            new HashSet<DateOnly> { new(2027, 1, 9) });
        Func<int, YearCalendar?> calendars = year => year == 2027 ? override2027 : Calendars(year);

        // Received 2026-12-30: 12-31, (01-01..03 off), 01-04, 01-05, 01-06, 01-07.
        var deadline = WorkingDays.AfterReceipt(calendars, At("2026-12-30"), 5);
        Assert.Equal(EndOf("2027-01-07"), deadline.DueAt);
        Assert.False(deadline.CalendarMissing);

        // Received Thursday 2027-01-07: 01-08, 01-09 (Saturday make-up), 01-11.
        Assert.Equal(EndOf("2027-01-11"), WorkingDays.AfterReceipt(calendars, At("2027-01-07"), 3).DueAt);
        Assert.Equal(EndOf("2027-01-09"), WorkingDays.NoticeEnd(calendars, At("2027-01-08"), 2).EndsAt);
    }

    [Fact]
    public void NoticeEnd_ZeroWorkingDays_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkingDays.NoticeEnd(Calendars, At("2026-10-09"), 0));
    }

    [Fact]
    public void DueWithin_DeadlineOnTheNextWorkingDay_IsTrue()
    {
        // Friday 10-09 noon; the next working day is Saturday 10-10 (make-up).
        var now = At("2026-10-09", 12);

        Assert.True(WorkingDays.DueWithin(Calendars, now, EndOf("2026-10-10"), 1));
        Assert.True(WorkingDays.DueWithin(Calendars, now, EndOf("2026-10-09"), 1));
        Assert.False(WorkingDays.DueWithin(Calendars, now, EndOf("2026-10-12"), 1));
        Assert.True(WorkingDays.DueWithin(Calendars, now, EndOf("2026-10-12"), 2));
    }

    [Fact]
    public void DueWithin_AlreadyOverdue_IsFalse()
    {
        Assert.False(WorkingDays.DueWithin(Calendars, At("2026-10-16", 9), EndOf("2026-10-15"), 1));
    }

    [Fact]
    public void DueWithin_OverTheGoldenWeek_CountsWorkingDaysNotCalendarDays()
    {
        // From 09-30, 1 working day reaches 10-08: a deadline of 10-08 is within it although 8 calendar days away.
        Assert.True(WorkingDays.DueWithin(Calendars, At("2026-09-30"), EndOf("2026-10-08"), 1));
    }
}
