using EduRelief.Calendar;
using EduRelief.Rectification;
using EduRelief.Reminders;
using Xunit;

namespace EduRelief.Tests.Reminders;

/// <summary>Which reminders a rectification item is due for: its 3-working-day window on the State Council calendar, and returns.</summary>
public sealed class RectificationReminderRulesTests
{
    private static readonly IReadOnlyDictionary<int, CalendarDocument> Shipped = CalendarRules.LoadShipped(WorkingCalendar.ShippedPath);

    private static readonly Func<int, YearCalendar?> Calendars = year => Shipped.GetValueOrDefault(year)?.ToYearCalendar();

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int month, int day, int hour = 9) => new(2026, month, day, hour, 0, 0, China);

    private static DateTimeOffset EndOf(int month, int day) => new(2026, month, day, 23, 59, 59, China);

    private static RectificationItem Item(DateTimeOffset dueAt, string status = RectificationStatuses.Open, DateTimeOffset? returnedAt = null) => new(
        "R-000001", "410726-2026-autumn", RectificationSources.Inspection, "insp-1|0", "资助政策宣传不到位", "督导组现场检查发现：公示栏无资助政策", "school:2141007261",
        "2141007261", null, "李明", status, 15, dueAt, false, At(9, 1), "inspector", 0, null, null, null, null, null, null, null, At(9, 1), 1,
        ReturnedAt: returnedAt);

    private static string[] Kinds(DateTimeOffset now, RectificationItem item) =>
        ReminderDigest.Select(Calendars, now, RectificationReminderSource.ToDueItem("410726", item)).Select(k => k.Kind).ToArray();

    [Theory]
    [InlineData(10, 20, "dueSoon")]   // Tuesday: Fri 16, Mon 19, Tue 20 are the next 3 working days
    [InlineData(10, 21, null)]        // Wednesday: the 4th working day, not yet
    [InlineData(10, 14, "overdue")]   // Wednesday's end has passed
    public void Select_ThursdayBeforeAWeekend_ThreeWorkingDaysReachTuesday(int month, int day, string? expected)
    {
        Assert.Equal(expected is null ? [] : [expected], Kinds(At(10, 15), Item(EndOf(month, day))));
    }

    [Theory]
    [InlineData(10, 9, "dueSoon")]    // 09-30, 10-08, 10-09: National Day's holiday does not count
    [InlineData(10, 5, "dueSoon")]    // a deadline inside the holiday falls before the window ends
    [InlineData(10, 10, null)]        // the make-up Saturday is the 4th working day
    public void Select_BeforeNationalDay_ThreeWorkingDaysSkipTheHoliday(int month, int day, string? expected)
    {
        Assert.Equal(expected is null ? [] : [expected], Kinds(At(9, 29), Item(EndOf(month, day))));
    }

    [Fact]
    public void Select_HotlineItemWithTheSameDeadline_KeepsItsOneDayWindow()
    {
        var hotline = new DueItem("410726-2026-000001", "410726", EndOf(10, 20), null, "热线工单", "410726-2026-000001", "complaint", null, null);

        Assert.Empty(ReminderDigest.Select(Calendars, At(10, 15), hotline));
        Assert.Equal("dueSoon", ReminderDigest.Classify(Calendars, At(10, 15), EndOf(10, 16)));
    }

    [Fact]
    public void Select_ReturnedItem_RemindedOfTheReturnKeyedByItsTime()
    {
        var returnedAt = At(10, 14, 15);
        var due = RectificationReminderSource.ToDueItem("410726", Item(EndOf(11, 30), RectificationStatuses.Returned, returnedAt));

        var kinds = ReminderDigest.Select(Calendars, At(10, 15), due);

        Assert.Equal([(ReminderKinds.Returned, returnedAt)], kinds);
        Assert.Equal("410726-2026-autumn/R-000001", due.Key);
    }

    [Fact]
    public void Select_ReturnedItemPastItsDeadline_RemindedOfTheReturnAndEscalated()
    {
        var due = RectificationReminderSource.ToDueItem("410726", Item(EndOf(10, 14), RectificationStatuses.Returned, At(10, 13)));

        Assert.Equal([ReminderKinds.Returned, ReminderKinds.Overdue], ReminderDigest.Select(Calendars, At(10, 15), due).Select(k => k.Kind).ToArray());
    }

    [Fact]
    public void ToDueItem_ReturnedBeforeReturnTimesWereRecorded_KeyedByTheSubmissionNotByLaterEvidence()
    {
        var submittedAt = At(10, 9, 16);
        var legacy = Item(EndOf(11, 30), RectificationStatuses.Returned) with { SubmittedAt = submittedAt, UpdatedAt = At(10, 14, 11) };

        Assert.Equal(submittedAt, RectificationReminderSource.ToDueItem("410726", legacy).ReturnedAt);
        Assert.Equal(submittedAt, RectificationReminderSource.ToDueItem("410726", legacy with { UpdatedAt = At(10, 15, 8), EvidenceCount = 2 }).ReturnedAt);
    }

    [Fact]
    public void Select_OpenItem_IsNoReturn()
    {
        var due = RectificationReminderSource.ToDueItem("410726", Item(EndOf(11, 30), RectificationStatuses.Open, At(10, 13)));

        Assert.Null(due.ReturnedAt);
        Assert.Empty(ReminderDigest.Select(Calendars, At(10, 15), due));
    }

    [Fact]
    public void ToDueItem_Item_CarriesTitleLabelSchoolAndStudentButNoDescription()
    {
        var due = RectificationReminderSource.ToDueItem("410726", Item(EndOf(10, 20)), "城关镇第一小学");
        var body = ReminderDigest.Body(ReminderKinds.DueSoon, "测试县教育局", [due], due.DueSoonWorkingDays);

        Assert.Contains("整改事项 R-000001 资助政策宣传不到位 | 类别 督导检查 | 期限 2026-10-20 23:59:59 (+08:00) | 学校 城关镇第一小学 | 学生 李明", body);
        Assert.DoesNotContain("2141007261", body);
        Assert.Contains("3 个工作日内到期", body);
        Assert.DoesNotContain("公示栏", body);
        Assert.Contains("3 个工作日内", ReminderDigest.Subject(ReminderKinds.DueSoon, "测试县教育局", 1, 3));
        Assert.Contains("下一个工作日", ReminderDigest.Subject(ReminderKinds.DueSoon, "测试县教育局", 1));
        Assert.Contains("退回", ReminderDigest.Subject(ReminderKinds.Returned, "测试县教育局", 1));
    }
}
