using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>DOMAIN "A child across semesters", one rule and one boundary at a time.</summary>
public sealed class SemesterComparisonTests
{
    private const string FirstSchool = "4107260001";
    private const string SecondSchool = "4107260002";
    private static readonly Semester Spring2026 = new(2026, Term.Spring);
    private static readonly Semester Autumn2026 = new(2026, Term.Autumn);
    private static readonly Semester Spring2027 = new(2027, Term.Spring);

    /// <summary>Aged 12 on 31 August 2026: of school age in every cycle these tests compare.</summary>
    private const string TwelveYearsOld = "20140315";

    private static IdNumber Number(string birth, string sequence = "123")
    {
        Assert.Equal(IdProblem.None, IdNumber.TryParse(SampleCounty.Id("410726", birth, sequence), new DateOnly(2026, 9, 1), out var id, out _));
        return id;
    }

    private static PreviousChild Child(string birth = TwelveYearsOld, SchoolStage stage = SchoolStage.Primary, int grade = 5, bool eligible = true) =>
        new(Number(birth), FirstSchool, stage, grade, eligible);

    private static CurrentCycleView Now(Semester semester, PreviousChild child, string? listedAt = null, bool outside = false) =>
        new(semester,
            listedAt is null ? new Dictionary<IdNumber, string>() : new Dictionary<IdNumber, string> { [child.IdNumber] = listedAt },
            outside ? new HashSet<IdNumber> { child.IdNumber } : new HashSet<IdNumber>());

    /// <summary>Spring 2026 to autumn 2026 unless told: the one pair where 两后生 are found too.</summary>
    private static SemesterChanges Compare(PreviousChild child, string? listedAt = null, bool outside = false, Semester? previous = null, Semester? current = null) =>
        SemesterComparison.Compare([child], previous ?? Spring2026, Now(current ?? Autumn2026, child, listedAt, outside));

    [Theory]
    [InlineData("20200831", 6, true)]   // sixth birthday on 31 August: of school age
    [InlineData("20200901", 5, false)]  // turns 6 a day later: not yet
    [InlineData("20100901", 15, true)]  // still 15
    [InlineData("20100831", 16, false)] // 16 on the day: past it
    [InlineData("20200229", 6, true)]   // a 29 February birthday counts its years like any other
    public void Absent_AgeOn31AugustOfTheSchoolYear_Is6To15Inclusive(string birth, int age, bool absent)
    {
        var changes = Compare(Child(birth, SchoolStage.Primary, grade: 1));

        Assert.Equal(absent ? [age] : Array.Empty<int>(), changes.Absent.Select(a => a.Age));
        Assert.Empty(changes.ReferralCandidates);
    }

    [Fact]
    public void Absent_SpringCycle_TakesAgeOn31AugustOfItsSchoolYear()
    {
        // 2027-spring belongs to school year 2026: the child is 5 on 2026-08-31 although 6 by the spring.
        var changes = Compare(Child("20200901", SchoolStage.Preschool, grade: 3), previous: Autumn2026, current: Spring2027);

        Assert.Empty(changes.Absent);
    }

    [Theory]
    [InlineData(2, true)]  // still in compulsory education
    [InlineData(3, false)] // 初中 grade 3 completes it
    public void Absent_JuniorSecondary_OnlyBeforeGrade3(int grade, bool absent)
    {
        var child = Child(stage: SchoolStage.JuniorSecondary, grade: grade);

        Assert.Equal(absent, Compare(child, previous: Autumn2026, current: Spring2027).Absent.Any());
    }

    [Theory]
    [InlineData(SchoolStage.SeniorSecondary)]
    [InlineData(SchoolStage.VocationalSecondary)]
    [InlineData(SchoolStage.Higher)]
    public void Absent_StageAfterJuniorSecondary_NeverACaseEvenAt15(SchoolStage stage)
    {
        var changes = Compare(Child("20100901", stage, grade: 1));

        Assert.Empty(changes.Absent);
        Assert.Empty(changes.ReferralCandidates);
    }

    [Fact]
    public void Absent_IneligibleLastCycle_IsNoCase()
    {
        Assert.Empty(Compare(Child(eligible: false)).Absent);
    }

    [Fact]
    public void Absent_PreschoolChildOfSchoolAge_IsACase()
    {
        Assert.Single(Compare(Child("20200315", SchoolStage.Preschool, grade: 3)).Absent);
    }

    [Fact]
    public void Transferred_ListedAtAnotherSchool_NamesTheNewSchool()
    {
        var changes = Compare(Child(), listedAt: SecondSchool);

        Assert.Equal(SecondSchool, Assert.Single(changes.Transferred).SchoolCode);
        Assert.Empty(changes.Absent);
    }

    [Fact]
    public void Transferred_SameSchool_NothingToReport()
    {
        var changes = Compare(Child(), listedAt: FirstSchool);

        Assert.Empty(changes.Transferred);
        Assert.Empty(changes.Absent);
        Assert.Empty(changes.Outside);
    }

    [Fact]
    public void Outside_OnThe外地就学List_CountsAsEnrolled()
    {
        var changes = Compare(Child(), outside: true);

        Assert.Single(changes.Outside);
        Assert.Empty(changes.Absent);
    }

    [Theory]
    [InlineData(SchoolStage.JuniorSecondary)]
    [InlineData(SchoolStage.SeniorSecondary)]
    public void ReferralCandidates_LastGradeInSpringAndInNoRosterInAutumn_AreFound(SchoolStage stage)
    {
        var child = Child("20100901", stage, grade: 3);

        Assert.Equal([child], Compare(child).ReferralCandidates);
    }

    [Fact]
    public void ReferralCandidates_NameNeverConfirmed_StillAChildOfACoveredHousehold()
    {
        var child = Child("20080301", SchoolStage.SeniorSecondary, grade: 3, eligible: false);

        Assert.Single(Compare(child).ReferralCandidates);
    }

    [Theory]
    [InlineData(2025, Term.Spring, 2025, Term.Autumn)] // the same transition a year earlier
    [InlineData(2026, Term.Autumn, 2027, Term.Spring)] // autumn to spring is within one school year
    [InlineData(2025, Term.Spring, 2026, Term.Autumn)] // a skipped year is no transition
    [InlineData(2026, Term.Spring, 2027, Term.Spring)]
    public void ReferralCandidates_OnlyFromSpringToTheSameYearsAutumn(int previousYear, Term previousTerm, int currentYear, Term currentTerm)
    {
        var child = Child("20100901", SchoolStage.JuniorSecondary, grade: 3);
        var previous = new Semester(previousYear, previousTerm);
        var current = new Semester(currentYear, currentTerm);

        Assert.Equal(previousYear == currentYear && previousTerm == Term.Spring, Compare(child, previous: previous, current: current).ReferralCandidates.Any());
        Assert.Equal(previousYear == currentYear && previousTerm == Term.Spring, SemesterComparison.IsNextAutumn(previous, current));
    }

    [Fact]
    public void ReferralCandidates_InTheAutumnRoster_AreNone()
    {
        var changes = Compare(Child("20100901", SchoolStage.JuniorSecondary, grade: 3), listedAt: SecondSchool);

        Assert.Empty(changes.ReferralCandidates);
        Assert.Single(changes.Transferred);
    }

    /// <summary>
    /// Decided: a graduate on the autumn 外地就学 list studies on (outside the county), so is no 两后生 candidate; DOMAIN
    /// counts 外地就学 as enrolled, and a 两后生 is a graduate who stopped school.
    /// </summary>
    [Fact]
    public void ReferralCandidates_On外地就学List_AreNoneButCountedOutside()
    {
        var changes = Compare(Child("20100901", SchoolStage.SeniorSecondary, grade: 3), outside: true);

        Assert.Empty(changes.ReferralCandidates);
        Assert.Single(changes.Outside);
    }

    [Theory]
    [InlineData(SchoolStage.JuniorSecondary, 2)]
    [InlineData(SchoolStage.SeniorSecondary, 2)]
    [InlineData(SchoolStage.VocationalSecondary, 3)]
    public void ReferralCandidates_NotTheLastGradeOf初中Or普通高中_AreNone(SchoolStage stage, int grade)
    {
        Assert.Empty(Compare(Child("20100901", stage, grade)).ReferralCandidates);
    }

    [Fact]
    public void Compare_ManyChildren_EachInExactlyOneList()
    {
        PreviousChild[] children =
        [
            new(Number(TwelveYearsOld, "101"), FirstSchool, SchoolStage.Primary, 5, true),          // stays
            new(Number(TwelveYearsOld, "102"), FirstSchool, SchoolStage.Primary, 5, true),          // moves
            new(Number(TwelveYearsOld, "103"), FirstSchool, SchoolStage.Primary, 5, true),          // outside
            new(Number(TwelveYearsOld, "104"), FirstSchool, SchoolStage.Primary, 5, true),          // absent
            new(Number("20100901", "105"), FirstSchool, SchoolStage.JuniorSecondary, 3, true),      // 两后生
        ];
        var now = new CurrentCycleView(Autumn2026,
            new Dictionary<IdNumber, string> { [children[0].IdNumber] = FirstSchool, [children[1].IdNumber] = SecondSchool },
            new HashSet<IdNumber> { children[2].IdNumber });

        var changes = SemesterComparison.Compare(children, Spring2026, now);

        Assert.Equal([children[1]], changes.Transferred.Select(t => t.Child));
        Assert.Equal([children[2]], changes.Outside);
        Assert.Equal([children[3]], changes.Absent.Select(a => a.Child));
        Assert.Equal([children[4]], changes.ReferralCandidates);
    }
}
