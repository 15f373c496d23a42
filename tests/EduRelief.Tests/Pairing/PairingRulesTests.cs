using EduRelief.Cycles;
using EduRelief.Pairing;
using Xunit;

namespace EduRelief.Tests.Pairing;

/// <summary>The pure rules of 结对帮扶: the balanced proposal and the weekly and monthly standard.</summary>
public sealed class PairingRulesTests
{
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Children(params (string Child, string[] Teachers)[] children) =>
        children.ToDictionary(c => c.Child, c => (IReadOnlyList<string>)c.Teachers, StringComparer.Ordinal);

    [Fact]
    public void Propose_SevenChildrenThreeTeachers_CountsDifferByAtMostOne_InKeyOrder()
    {
        var proposal = PairingProposal.Propose(Children([.. Enumerable.Range(1, 7).Select(i => ($"c{i}", Array.Empty<string>()))]), ["B", "A", "C"]);

        Assert.Equal(7, proposal.Count);
        Assert.Equal(["A", "B", "C", "A", "B", "C", "A"], Enumerable.Range(1, 7).Select(i => proposal[$"c{i}"]));
    }

    [Fact]
    public void Propose_ExistingPairingsCount_InactiveTeachersDoNot_PairedChildrenKeepTheirs()
    {
        var current = Children(("c1", ["A"]), ("c2", ["A"]), ("c3", ["GONE"]), ("c4", []), ("c5", ["B"]));

        var proposal = PairingProposal.Propose(current, ["A", "B"]);

        // A has 2, B has 1: c3 (only an inactive teacher) goes to B, then c4 to A (2 each, A first by id).
        Assert.Equal(new Dictionary<string, string> { ["c3"] = "B", ["c4"] = "A" }, proposal);
        Assert.Empty(PairingProposal.Propose(Children(("c1", ["A"]), ("c3", ["B"]), ("c4", ["A", "B"])), ["A", "B"]));
        Assert.Empty(PairingProposal.Propose(current, []));
    }

    private static CountedRecord R(string id, string kind, string date, string? corrects = null) => new(id, kind, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), corrects);

    [Fact]
    public void Weeks_FromTheApprovalsIsoWeek_MetMissedDue_HomeVisitIsNotHelp()
    {
        var approved = new DateOnly(2026, 9, 30); // Wednesday of ISO week 40
        var today = new DateOnly(2026, 10, 14);   // Wednesday of week 42
        var weeks = PairingStandard.Weeks(approved, new DateOnly(2027, 1, 31), today, [R("1", "help", "2026-10-04"), R("2", "home_visit", "2026-10-06")]);

        Assert.Equal(["2026-W40", "2026-W41", "2026-W42"], weeks.Select(w => w.Period));
        Assert.Equal([new DateOnly(2026, 9, 28), new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 12)], weeks.Select(w => w.From));
        Assert.Equal(["met", "missed", "due"], weeks.Select(w => w.Status));
    }

    [Fact]
    public void Weeks_AcrossTheYearEnd_UseIsoWeekYears_AndStopAtTheSemesterEnd()
    {
        var weeks = PairingStandard.Weeks(new DateOnly(2026, 12, 23), new DateOnly(2027, 1, 31), new DateOnly(2027, 3, 1), []);

        Assert.Equal("2026-W52", weeks[0].Period);
        Assert.Equal("2026-W53", weeks[1].Period);
        Assert.Equal("2027-W01", weeks[2].Period);
        Assert.Equal("2027-W04", weeks[^1].Period); // 2027-01-25..31: the semester's last week
        Assert.All(weeks, w => Assert.Equal("missed", w.Status));
    }

    [Fact]
    public void Months_CorrectedVisitNoLongerCounts_TheCorrectionCountsOnItsOwnDate()
    {
        var approved = new DateOnly(2026, 9, 30);
        var today = new DateOnly(2026, 11, 20);
        IReadOnlyList<CountedRecord> records = [R("a", "home_visit", "2026-09-30"), R("b", "home_visit", "2026-10-08"), R("c", "home_visit", "2026-11-02", corrects: "b")];

        var months = PairingStandard.Months(approved, new DateOnly(2027, 1, 31), today, records);

        Assert.Equal(["2026-09", "2026-10", "2026-11"], months.Select(m => m.Period));
        Assert.Equal(["met", "missed", "met"], months.Select(m => m.Status));
        Assert.Equal(new DateOnly(2026, 10, 31), months[1].To);
    }

    [Fact]
    public void SemesterEnd_AutumnEndsOnThe31stOfJanuary_SpringOnThe31stOfJuly()
    {
        Assert.Equal(new DateOnly(2027, 1, 31), PairingStandard.SemesterEnd(new Semester(2026, Term.Autumn)));
        Assert.Equal(new DateOnly(2027, 7, 31), PairingStandard.SemesterEnd(new Semester(2027, Term.Spring)));
    }

    [Fact]
    public void VisitRate_IsAPercentageWithOneDecimal_NullWithoutPairedChildren()
    {
        Assert.Equal(66.7m, PairingStandard.VisitRate(2, 3));
        Assert.Equal(100.0m, PairingStandard.VisitRate(3, 3));
        Assert.Null(PairingStandard.VisitRate(0, 0));
    }

    [Theory]
    [InlineData("家长手机１３９-0000-1111，已沟通", "家长手机139****1111，已沟通")]
    [InlineData("身份证 410726 20120505 0221 核对无误", "身份证 410726********0221 核对无误")]
    [InlineData("学生数学进步明显", "学生数学进步明显")]
    public void RecordNotes_MaskedOnWrite_PhonesAndIdNumbersInAnySpelling(string typed, string stored)
    {
        Assert.Equal(stored, EduRelief.Rectification.SensitiveText.Mask(typed));
    }
}
