using EduRelief.Children;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>The 控辍保学 case's pure rules: China calendar weeks, the weekly check, the outcomes and the status moves.</summary>
public sealed class DropoutCaseRulesTests
{
    private static readonly DateOnly Today = new(2026, 9, 16);

    private static DateTimeOffset China(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData("2026-09-07", "2026-09-07")] // Monday
    [InlineData("2026-09-13", "2026-09-07")] // Sunday ends the week
    [InlineData("2026-09-14", "2026-09-14")]
    [InlineData("2027-01-01", "2026-12-28")] // a week across the new year
    public void WeekOf_AnyDay_IsItsMonday(string day, string monday) =>
        Assert.Equal(DateOnly.Parse(monday, System.Globalization.CultureInfo.InvariantCulture), DropoutWeeks.WeekOf(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void WeekOf_AnInstant_IsTheChinaWeek_NotTheUtcOne()
    {
        // Monday 00:30 in China is still Sunday in UTC.
        var mondayMorning = China(9, 14, 0, 30);

        Assert.Equal(DayOfWeek.Sunday, mondayMorning.UtcDateTime.DayOfWeek);
        Assert.Equal(new DateOnly(2026, 9, 14), DropoutWeeks.WeekOf(mondayMorning));
        Assert.Equal(China(9, 20, 23, 59).AddSeconds(59), DropoutWeeks.EndOf(new DateOnly(2026, 9, 14)));
    }

    [Fact]
    public void Missing_TheOpeningWeekIsExcused_EveryFullWeekAfterNeedsANote()
    {
        var opened = China(9, 1, 9, 30); // Tuesday of the week of 31 August
        var noted = new HashSet<DateOnly> { new(2026, 9, 14) };

        var missing = DropoutWeeks.Missing(opened, null, noted, China(9, 29, 9));

        // Weeks of 7, 14 (noted) and 21 September have ended; the week of 28 September is still running.
        Assert.Equal([new DateOnly(2026, 9, 7), new DateOnly(2026, 9, 21)], missing);
        Assert.Empty(DropoutWeeks.Missing(opened, China(9, 5, 12), noted, China(9, 29, 9)));
    }

    [Fact]
    public void MissedLastWeek_OnlyTheWeekBefore_AndOnlyWhenTheCaseOwedIt()
    {
        var opened = China(9, 1, 9, 30);
        var monday = China(9, 14, 9);

        Assert.Equal(new DateOnly(2026, 9, 7), DropoutWeeks.MissedLastWeek(opened, new HashSet<DateOnly>(), monday));
        Assert.Null(DropoutWeeks.MissedLastWeek(opened, new HashSet<DateOnly> { new(2026, 9, 7) }, monday));
        // Opened in the middle of last week: that week is excused.
        Assert.Null(DropoutWeeks.MissedLastWeek(China(9, 9, 10), new HashSet<DateOnly>(), monday));
        Assert.True(DropoutWeeks.OwesThisWeek(opened, new HashSet<DateOnly>(), monday));
        Assert.False(DropoutWeeks.OwesThisWeek(China(9, 14, 8), new HashSet<DateOnly>(), monday));
    }

    [Fact]
    public void StoredWeeks_RoundTrip_Sorted_WithoutRepeats()
    {
        var stored = DropoutWeeks.Store([new DateOnly(2026, 9, 14), new DateOnly(2026, 9, 7), new DateOnly(2026, 9, 14)]);

        Assert.Equal("2026-09-07,2026-09-14", stored);
        Assert.Equal(new HashSet<DateOnly> { new(2026, 9, 7), new(2026, 9, 14) }, DropoutWeeks.Parse(stored));
        Assert.Empty(DropoutWeeks.Parse(""));
    }

    [Theory]
    [InlineData("not_in_school", null, "persuading")]
    [InlineData("not_in_school", true, "persuading")]
    [InlineData("not_in_school", false, "not_in_school")]
    [InlineData("persuading", false, "persuading")]
    [InlineData("returned", null, null)]
    [InlineData("deceased", true, null)]
    public void AfterNote_FirstNoteStartsPersuading_AClosedCaseTakesNone(string status, bool? persuading, string? next) =>
        Assert.Equal(next, DropoutCaseRules.AfterNote(status, persuading));

    [Fact]
    public void ValidateNote_BlankTooLongOrWithAnIdNumber_IsRefused()
    {
        Assert.Equal("上门劝返一次", DropoutCaseRules.ValidateNote("  上门劝返一次 ").Note);
        Assert.Contains("note", DropoutCaseRules.ValidateNote("  ").Errors.Keys);
        Assert.Contains("note", DropoutCaseRules.ValidateNote(new string('访', 501)).Errors.Keys);
        Assert.Contains("note", DropoutCaseRules.ValidateNote($"身份证 {SampleCounty.I}").Errors.Keys);
    }

    private static readonly HashSet<string> Uploaded = [new string('a', 64)];

    public static TheoryData<DropoutOutcomeRequest, string[]> Refused => new()
    {
        { new DropoutOutcomeRequest("graduated", "2026-09-01"), ["outcome"] },
        { new DropoutOutcomeRequest("returned", "2026-09-17", SchoolCode: "4107260001"), ["date"] },
        { new DropoutOutcomeRequest("returned", "2026/09/01", SchoolName: "城关镇第一小学"), ["date", "schoolCode"] },
        { new DropoutOutcomeRequest("home_schooling", "2026-09-01", Teacher: " "), ["teacher", "visitPlan"] },
        { new DropoutOutcomeRequest("deferred", "2026-09-01"), ["evidence"] },
        { new DropoutOutcomeRequest("moved_out", "2026-09-01", Evidence: [new string('b', 64)]), ["evidence"] },
        { new DropoutOutcomeRequest("deceased", "2026-09-01", Evidence: []), ["evidence"] },
        { new DropoutOutcomeRequest("outside_county", "2026-09-01"), ["schoolName"] },
        { new DropoutOutcomeRequest("outside_county", "2026-09-01", SchoolName: "杭州市文三街小学", Note: $"身份证 {SampleCounty.I}"), ["note"] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_EachOutcomesMissingOrWrongField_IsNamed(DropoutOutcomeRequest request, string[] fields) =>
        Assert.Equal(fields, DropoutCaseRules.Validate(request, Today, Uploaded).Errors.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Validate_EachOutcomeWithWhatItNeeds_KeepsOnlyItsOwnFields()
    {
        var (returned, e1) = DropoutCaseRules.Validate(new DropoutOutcomeRequest("returned", "2026-09-16", SchoolCode: "4107260002", Teacher: "李老师"), Today, Uploaded);
        var (home, e2) = DropoutCaseRules.Validate(new DropoutOutcomeRequest("home_schooling", "2026-09-10", Teacher: "王老师", VisitPlan: "每周二、周五上门"), Today, Uploaded);
        var (deferred, e3) = DropoutCaseRules.Validate(new DropoutOutcomeRequest("deferred", "2026-09-10", Evidence: [new string('A', 64)], Note: "医院证明"), Today, Uploaded);
        var (outside, e4) = DropoutCaseRules.Validate(new DropoutOutcomeRequest("outside_county", "2026-09-10", SchoolName: " 杭州市文三街小学 ", SchoolCode: "4107260002"), Today, Uploaded);

        Assert.Empty(e1.Concat(e2).Concat(e3).Concat(e4));
        Assert.Equal(("returned", "4107260002", (string?)null), (returned!.Outcome, returned.SchoolCode, returned.Teacher));
        Assert.Equal(("王老师", "每周二、周五上门"), (home!.Teacher, home.VisitPlan));
        Assert.Equal([new string('a', 64)], deferred!.Evidence);
        Assert.Equal(("杭州市文三街小学", (string?)null), (outside!.SchoolName, outside.SchoolCode));
    }

    [Fact]
    public void Statuses_TwoOpen_SixOutcomes_EachWithAChineseLabel()
    {
        Assert.All(DropoutCaseStatuses.Open, s => Assert.True(DropoutCaseStatuses.IsOpen(s)));
        Assert.All(DropoutCaseStatuses.Outcomes, s => Assert.False(DropoutCaseStatuses.IsOpen(s)));
        Assert.Equal(8, DropoutCaseStatuses.Open.Concat(DropoutCaseStatuses.Outcomes).Select(DropoutCaseRules.Label).Distinct().Count());
        Assert.True(DropoutCaseRules.AwaitsConfirmation("returned", null));
        Assert.False(DropoutCaseRules.AwaitsConfirmation("returned", "roster:410726-2027-spring"));
        Assert.False(DropoutCaseRules.AwaitsConfirmation("deferred", null));
    }
}
