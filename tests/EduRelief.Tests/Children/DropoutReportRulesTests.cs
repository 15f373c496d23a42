using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>The 控辍保学 monthly report's figures (DOMAIN "控辍保学 cases", 月报), from children and cases written here by hand.</summary>
public sealed class DropoutReportRulesTests
{
    private static readonly DateOnly October = new(2026, 10, 1);
    private static readonly Semester Autumn = new(2026, Term.Autumn);
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, China);

    private static DropoutCaseFact Case(string child, string township, string village, params (DateTimeOffset At, string Status)[] history) =>
        new($"case-{child}", child, township, village, null, [.. history.Select(h => new DropoutCaseStatusChange(h.At, h.Status))]);

    private static DropoutReportContent Compute(IEnumerable<ReportChild> children, IEnumerable<DropoutCaseFact> cases, Func<DropoutCaseFact, bool>? ofSchoolAge = null) =>
        DropoutReportFigures.Compute(October, Autumn, children, cases, ofSchoolAge ?? (_ => true));

    [Fact]
    public void Compute_EachKindOfChild_CountedOnceInItsColumnAndTheRateFromTheDomainFormula()
    {
        ReportChild[] children =
        [
            new("k1", "城关镇", "东关村", ReportPlace.Enrolled),
            new("k2", "城关镇", "东关村", ReportPlace.Enrolled),
            new("k3", "城关镇", "东关村", ReportPlace.Outside),
            new("k4", "城关镇", "西关村", ReportPlace.Enrolled),
        ];
        DropoutCaseFact[] cases =
        [
            Case("c1", "城关镇", "东关村", (At(9, 10), DropoutCaseStatuses.NotInSchool)),
            Case("c2", "城关镇", "东关村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(9, 20), DropoutCaseStatuses.Persuading)),
            Case("c3", "城关镇", "西关村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 5), DropoutCaseStatuses.HomeSchooling)),
            Case("c4", "榆林乡", "北岗村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 6), DropoutCaseStatuses.Deferred)),
            Case("c5", "榆林乡", "北岗村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 7), DropoutCaseStatuses.Returned)),
            Case("c6", "榆林乡", "北岗村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 8), DropoutCaseStatuses.OutsideCounty)),
            Case("c7", "榆林乡", "北岗村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 9), DropoutCaseStatuses.MovedOut)),
            Case("c8", "榆林乡", "北岗村", (At(9, 10), DropoutCaseStatuses.NotInSchool), (At(10, 9), DropoutCaseStatuses.Deceased)),
        ];

        var report = Compute(children, cases);

        // 4 listed or outside + 6 cases (moved out and deceased are no longer the county's children).
        Assert.Equal(new DropoutFigures(SchoolAge: 10, Enrolled: 4, Outside: 2, HomeSchooling: 1, Deferred: 1, NotInSchool: 2, Returned: 1), report.County);
        Assert.Equal(80.0m, report.County.ConsolidationRate); // (4 + 2 + 1 + 1) / 10
        Assert.Equal(["城关镇", "榆林乡"], report.Townships.Select(t => t.Township));
        var chengguan = report.Townships[0];
        Assert.Equal(new DropoutFigures(7, 3, 1, 1, 0, 2, 0), chengguan.Figures);
        Assert.Equal([("东关村", new DropoutFigures(5, 2, 1, 0, 0, 2, 0), false), ("西关村", new DropoutFigures(2, 1, 0, 1, 0, 0, 0), true)],
            chengguan.Villages.Select(v => (v.Village, v.Figures, v.Certified)));
        Assert.Equal(new DropoutFigures(3, 1, 1, 0, 1, 0, 1), report.Townships[1].Figures);
        Assert.Equal([("城关镇", "西关村"), ("榆林乡", "北岗村")], report.CertifiedVillages.Select(c => (c.Township, c.Village.Village)));
        Assert.Equal(("2026-10", "2026-autumn"), (report.Month, report.ReferenceSemester));
    }

    [Fact]
    public void Compute_CaseChangedAfterTheMonthEnded_ReadAsItStoodAtTheEndOfTheMonth()
    {
        DropoutCaseFact[] cases =
        [
            // Returned on 1 November, 00:00 China time: still not in school at the end of October.
            Case("c1", "城关镇", "东关村", (At(10, 2), DropoutCaseStatuses.NotInSchool), (new DateTimeOffset(2026, 11, 1, 0, 0, 0, China), DropoutCaseStatuses.Returned)),
            // Returned on 31 October 23:59:59 China time: returned this month.
            Case("c2", "城关镇", "东关村", (At(10, 2), DropoutCaseStatuses.NotInSchool), (new DateTimeOffset(2026, 10, 31, 23, 59, 59, China), DropoutCaseStatuses.Returned)),
            // Opened in November: not in October's report at all.
            Case("c3", "城关镇", "东关村", (new DateTimeOffset(2026, 11, 2, 9, 0, 0, China), DropoutCaseStatuses.NotInSchool)),
            // Returned in September: enrolled, but not returned this month.
            Case("c4", "城关镇", "东关村", (At(9, 2), DropoutCaseStatuses.NotInSchool), (At(9, 25), DropoutCaseStatuses.Returned)),
        ];

        var report = Compute([], cases);

        Assert.Equal(new DropoutFigures(SchoolAge: 3, Enrolled: 2, Outside: 0, HomeSchooling: 0, Deferred: 0, NotInSchool: 1, Returned: 1), report.County);
        Assert.Equal(66.7m, report.County.ConsolidationRate);
        Assert.Empty(report.CertifiedVillages);
    }

    [Fact]
    public void Compute_ChildListedAndWithACase_CountedOnceAsTheRosterSaysAndAReturnThisMonthStillCounted()
    {
        // The next roster lists the child the case was about (the case returned this month by the officer).
        var apiId = ChildIds.ApiId(new string('a', 64));
        var rowKey = ChildIds.RowKeyOf(apiId)!;
        ReportChild[] children = [new(rowKey, "城关镇", "东关村", ReportPlace.Enrolled)];
        DropoutCaseFact[] cases =
        [
            // An old case of the same child closed long ago, and a later one: the later speaks, whichever id form it uses.
            Case(rowKey, "城关镇", "东关村", (At(3, 2), DropoutCaseStatuses.NotInSchool), (At(4, 1), DropoutCaseStatuses.Returned)),
            Case(apiId, "城关镇", "东关村", (At(9, 2), DropoutCaseStatuses.NotInSchool), (At(10, 12), DropoutCaseStatuses.Returned)),
        ];

        var report = Compute(children, cases);

        Assert.Equal(new DropoutFigures(1, 1, 0, 0, 0, 0, 1), report.County);
    }

    [Fact]
    public void Compute_CaseOfAChildPastSchoolAgeAndPlacesWithoutAName_LeftOutAndListedLast()
    {
        DropoutCaseFact[] cases =
        [
            Case("old", "城关镇", "东关村", (At(9, 2), DropoutCaseStatuses.NotInSchool)) with { Born = new DateOnly(2009, 5, 1) },
            Case("young", "", null!, (At(9, 2), DropoutCaseStatuses.NotInSchool)) with { Born = new DateOnly(2016, 5, 1) },
        ];

        var report = Compute([new ReportChild("k1", "城关镇", " ", ReportPlace.Enrolled)], cases,
            fact => fact.Born is not { } born || DropoutReportFigures.CountsAsSchoolAge(born, Autumn, null, null));

        Assert.Equal(new DropoutFigures(2, 1, 0, 0, 0, 1, 0), report.County);
        Assert.Equal(["城关镇", DropoutReportFigures.Unnamed], report.Townships.Select(t => t.Township));
        Assert.Equal([DropoutReportFigures.Unnamed], report.Townships[0].Villages.Select(v => v.Village));
    }

    [Fact]
    public void Compute_ListedChildPastCompulsoryEducationWithACase_NeitherTheChildNorTheCaseCounted()
    {
        // Back at school in 初中 grade 3: the roster lists the child, who is past compulsory education; its case (closed
        // returned by that roster) must not bring the child back as enrolled.
        ReportChild[] children = [new("k1", "城关镇", "东关村", ReportPlace.NotCounted), new("k2", "城关镇", "东关村", ReportPlace.Enrolled)];
        DropoutCaseFact[] cases = [Case("k1", "城关镇", "东关村", (At(3, 2), DropoutCaseStatuses.NotInSchool), (At(10, 1), DropoutCaseStatuses.Returned))];

        var report = Compute(children, cases);

        Assert.Equal(new DropoutFigures(1, 1, 0, 0, 0, 0, 0), report.County);
    }

    [Fact]
    public void Compute_NoChildren_NoRateAndNoPlaces()
    {
        var report = Compute([], []);

        Assert.Equal(DropoutFigures.Zero, report.County);
        Assert.Null(report.County.ConsolidationRate);
        Assert.Equal("—", report.County.RateText);
        Assert.Empty(report.Townships);
    }

    [Theory]
    [InlineData(2, 3, 1, 66.7)] // 2/3 = 66.666…
    [InlineData(1, 8, 0, 12.5)]
    [InlineData(999, 1000, 0, 99.9)]
    [InlineData(1999, 2000, 0, 100.0)] // 99.95 rounds away from zero
    [InlineData(0, 3, 0, 0.0)]
    public void ConsolidationRate_OneDecimalRoundedHalfAwayFromZero(int enrolled, int schoolAge, int deferred, double expected)
    {
        var figures = new DropoutFigures(schoolAge, enrolled - deferred, 0, 0, deferred, schoolAge - enrolled, 0);

        Assert.Equal((decimal)expected, figures.ConsolidationRate);
    }

    [Theory]
    [InlineData("2011-08-31", null, null, true)] // 15 on 31 August 2026
    [InlineData("2010-08-31", null, null, false)] // 16
    [InlineData("2020-08-31", null, null, true)] // 6
    [InlineData("2020-09-01", null, null, false)] // 5 on 31 August
    [InlineData("2012-03-01", SchoolStage.JuniorSecondary, 2, true)]
    [InlineData("2012-03-01", SchoolStage.JuniorSecondary, 3, false)] // 初中 grade 3: compulsory education completed
    [InlineData("2012-03-01", SchoolStage.SeniorSecondary, 1, false)]
    [InlineData("2019-03-01", SchoolStage.Preschool, 3, true)]
    public void CountsAsSchoolAge_AgeOnTheSchoolYearsDayAndCompulsoryEducationNotCompleted(string born, SchoolStage? stage, int? grade, bool expected) =>
        Assert.Equal(expected, DropoutReportFigures.CountsAsSchoolAge(DateOnly.Parse(born, System.Globalization.CultureInfo.InvariantCulture), Autumn, stage, grade));

    [Theory]
    [InlineData(2026, 8, "2026-spring")] // autumn begins 1 September
    [InlineData(2026, 9, "2026-autumn")]
    [InlineData(2027, 1, "2026-autumn")] // spring begins 1 February
    [InlineData(2027, 2, "2027-spring")]
    [InlineData(2026, 1, null)]
    public void ReferenceSemester_TheLatestVerifiedSemesterBegunByTheMonthsEnd(int year, int month, string? expected)
    {
        Semester[] verified = [new(2026, Term.Spring), new(2026, Term.Autumn), new(2027, Term.Spring)];

        Assert.Equal(expected, DropoutReportFigures.ReferenceSemester(new DateOnly(year, month, 1), verified)?.ToString());
    }

    [Fact]
    public void Workbook_Texts_NameTheMonthPlaceAndRate()
    {
        var report = Compute([new ReportChild("k1", "城关镇", "东关村", ReportPlace.Enrolled)], [Case("c1", "城关镇", "东关村", (At(10, 2), DropoutCaseStatuses.NotInSchool))]);

        Assert.Equal("延津县控辍保学月报（2026年10月）：义务教育巩固率 50.0%", DropoutReportWorkbook.Subject("延津县", report, null));
        Assert.Equal("延津县城关镇控辍保学月报（2026年10月）：义务教育巩固率 50.0%", DropoutReportWorkbook.Subject("延津县", report, "城关镇"));
        var body = DropoutReportWorkbook.Body("延津县", report, "城关镇");
        Assert.Contains("以2026年秋季学期学籍为准", body, StringComparison.Ordinal);
        Assert.Contains("东关村：适龄儿童 2 人，县内在校 1，县外就读 0，送教上门 0，延缓入学或休学 0，未入学 1，本月劝返复学 0，巩固率 50.0%", body, StringComparison.Ordinal);
    }
}
