using System.Text.RegularExpressions;
using EduRelief.Calendar;
using EduRelief.Reminders;
using Xunit;

namespace EduRelief.Tests.Reminders;

/// <summary>Which items are due for which reminder on the State Council calendar, and what a digest says.</summary>
public sealed partial class ReminderDigestTests
{
    private static readonly IReadOnlyDictionary<int, CalendarDocument> Shipped = CalendarRules.LoadShipped(WorkingCalendar.ShippedPath);

    private static readonly Func<int, YearCalendar?> Calendars = year => Shipped.GetValueOrDefault(year)?.ToYearCalendar();

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int month, int day, int hour = 9) => new(2026, month, day, hour, 0, 0, China);

    private static DateTimeOffset EndOf(int month, int day) => new(2026, month, day, 23, 59, 59, China);

    [Fact]
    public void Select_ACaseMissingLastWeeksNote_IsOneMissedWeekReminderKeyedByTheWeek_WhateverItsDeadline()
    {
        var week = new DateOnly(2026, 10, 5);
        var item = new DueItem("410726/abc/township", "410726", EndOf(10, 11), "township:城关镇", "控辍保学案件", "abc", "周盘点", null, "张三", MissedWeek: week);

        var kinds = ReminderDigest.Select(Calendars, At(10, 12), item);

        Assert.Equal([(ReminderKinds.MissedWeek, new DateTimeOffset(2026, 10, 5, 0, 0, 0, China))], kinds);
        var body = ReminderDigest.Body(ReminderKinds.MissedWeek, "延津县教育局", [item]);
        Assert.Contains("缺少 2026-10-05 至 2026-10-11 的周进展", body, StringComparison.Ordinal);
        Assert.Contains("张三", body, StringComparison.Ordinal);
        Assert.DoesNotContain("期限", body, StringComparison.Ordinal);
        Assert.Contains("上周未填写进展", ReminderDigest.Subject(ReminderKinds.MissedWeek, "延津县教育局", 1), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 16, "dueSoon")]   // Friday itself
    [InlineData(10, 19, "dueSoon")]   // Monday, the next working day
    [InlineData(10, 20, null)]        // Tuesday: not yet
    [InlineData(10, 15, "overdue")]   // Thursday: past
    public void Classify_FridayBeforeAWeekend_NextWorkingDayIsMonday(int month, int day, string? expected)
    {
        Assert.Equal(expected, ReminderDigest.Classify(Calendars, At(10, 16), EndOf(month, day)));
    }

    [Theory]
    [InlineData(10, 7, "dueSoon")]    // a holiday deadline falls before the next working day ends
    [InlineData(10, 8, "dueSoon")]    // Thursday 10-08: the first working day after National Day
    [InlineData(10, 9, null)]
    public void Classify_DayBeforeNationalDay_NextWorkingDayIsAfterTheHoliday(int month, int day, string? expected)
    {
        Assert.Equal(expected, ReminderDigest.Classify(Calendars, At(9, 30), EndOf(month, day)));
    }

    [Theory]
    [InlineData(10, 12, "dueSoon")]   // Monday after the make-up Saturday
    [InlineData(10, 13, null)]
    [InlineData(10, 9, "overdue")]
    public void Classify_MakeUpSaturday_IsAWorkingDayWhoseNextIsMonday(int month, int day, string? expected)
    {
        Assert.True(WorkingDays.IsWorkingDay(Calendars, new DateOnly(2026, 10, 10), out _));
        Assert.Equal(expected, ReminderDigest.Classify(Calendars, At(10, 10), EndOf(month, day)));
    }

    [Fact]
    public void Classify_DeadlineThisMorning_IsOverdueNotDueSoon()
    {
        Assert.Equal("overdue", ReminderDigest.Classify(Calendars, At(10, 16), At(10, 16, 8)));
    }

    [Fact]
    public void Body_Items_ListsReferenceCategoryDeadlineSchoolAndStudentOnly()
    {
        var items = new[]
        {
            new DueItem("410726-2026-000002", "410726", EndOf(10, 16), "school:2141007261", "热线工单", "410726-2026-000002", "投诉", "2141007261", "李明", SchoolName: "城关镇第一小学"),
            new DueItem("410726-2026-000001", "410726", EndOf(10, 15), null, "热线工单", "410726-2026-000001", "咨询", null, null),
            new DueItem("410726-2026-000003", "410726", EndOf(10, 16), null, "热线工单", "410726-2026-000003", "求助", "2141007269", null),
        };

        var body = ReminderDigest.Body(ReminderKinds.DueSoon, "测试县教育局", items);

        Assert.Contains("以下 3 件事项", body);
        Assert.True(body.IndexOf("000001", StringComparison.Ordinal) < body.IndexOf("000002", StringComparison.Ordinal), "earliest deadline first");
        Assert.Contains("410726-2026-000002 | 类别 投诉 | 期限 2026-10-16 23:59:59 (+08:00) | 学校 城关镇第一小学 | 学生 李明", body);
        Assert.DoesNotContain("2141007261", body);
        Assert.Contains("410726-2026-000003 | 类别 求助 | 期限 2026-10-16 23:59:59 (+08:00) | 学校标识码 2141007269", body);
        Assert.DoesNotMatch(PhoneOrId(), body);
        Assert.Contains("超期", ReminderDigest.Subject(ReminderKinds.Overdue, "测试县教育局", 2));
    }

    // An 11-digit mobile number or an 18-character ID number anywhere in the text.
    [GeneratedRegex(@"(?<!\d)(1\d{10}|\d{17}[\dXx])(?!\d)")]
    private static partial Regex PhoneOrId();
}
