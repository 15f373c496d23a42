using EduRelief.Bench.Generator;
using Xunit;

namespace EduRelief.Tests.Generator;

/// <summary>The generator's oracle on hand-made rows: each DOMAIN counting rule and the order the rules apply in.</summary>
public sealed class VerificationOracleTests
{
    private static readonly DateOnly Created = new(2026, 9, 1);

    private static string Id(string first17) => first17 + IdNumbers.CheckChar(first17);

    private static readonly string A = Id("41072620150301123");  // 11 on 31 Aug 2026
    private static readonly string B = Id("41072620120615456");  // 14
    private static readonly string C = Id("41072620200831111");  // 6 that very day
    private static readonly string D = Id("41072620100901222");  // 15 (16 the next day)
    private static readonly string E = Id("41072620100831333");  // 16 that day
    private static readonly string F = Id("41072620200901444");  // 5

    private static StudentRowText S(string name, string id, string stage = "小学", string grade = "5", string boarding = "否") => new(name, id, stage, grade, boarding);

    private static PovertyRowText P(string name, string id) => new(name, id);

    private static Expected Run(StudentRowText[] students, params PovertyRowText[] poverty) =>
        CountyGenerator.Compute(students, poverty, 2026, Created);

    [Fact]
    public void CheckCharacter_MatchesTheStandardExample()
    {
        // GB 11643's published example.
        Assert.Equal('X', IdNumbers.CheckChar("11010519491231002"));
        Assert.True(VerificationOracle.TryValidId("11010519491231002X", Created, out _, out _));
    }

    [Theory]
    [InlineData("４１０７２６２０１５０３０１１２３", true)]
    [InlineData(" 410726 20150301 123", true)]
    [InlineData("410726\u300020150301123", true)]
    [InlineData("\t410726201503011231", false)]
    public void Normalisation_FullWidthSpacesAndTabs(string raw17, bool appendCheck)
    {
        var raw = appendCheck ? raw17 + A[17] : raw17;
        var normalised = VerificationOracle.NormaliseId(raw);

        Assert.Equal(appendCheck ? A : raw.Trim(), normalised);
    }

    [Fact]
    public void LowerCaseAndFullWidthX_AreTheSameNumber()
    {
        var x = Id("41072619860228128");
        Assert.EndsWith("X", x);
        var e = Run([S("张三", x[..17] + "x")], P("张三", x[..17] + "Ｘ"));

        Assert.Equal(1, e.Eligible);
        Assert.Equal(0, e.Discrepancies["invalidId"]);
    }

    [Theory]
    [InlineData("41072620150230123")]  // 30 February
    [InlineData("41072618991231123")]  // before 1900
    [InlineData("41072620261001123")]  // after the cycle was created
    public void ImpossibleOrOutOfRangeDates_AreInvalid_EvenWithTheRightCheckCharacter(string first17)
    {
        var e = Run([S("张三", Id(first17))]);

        Assert.Equal(1, e.Discrepancies["invalidId"]);
    }

    [Theory]
    [InlineData("410726150301123")]      // old 15-digit
    [InlineData("41072620150301123")]    // 17 digits
    [InlineData("4.10726201503011E+17")] // Excel exponent form
    [InlineData("")]
    public void MalformedNumbers_AreInvalid(string raw)
    {
        Assert.Equal(1, Run([S("张三", raw)]).Discrepancies["invalidId"]);
    }

    [Fact]
    public void WrongCheckCharacter_IsInvalid()
    {
        var wrong = A[..17] + (A[17] == '0' ? '1' : '0');
        Assert.Equal(1, Run([S("张三", wrong)]).Discrepancies["invalidId"]);
    }

    [Fact]
    public void Order_InvalidIdThenDuplicateThenInvalidRow()
    {
        var e = Run(
        [
            S("张三", A[..17] + "Z"),          // invalid number: no part, does not make A "appear"
            S("张三", A, stage: "初级中学"),    // first valid A, unreadable: invalidRow, but A has appeared
            S("张三", A),                       // duplicate although readable: the first occurrence decides
            S("李四", B, grade: "9"),           // invalidRow (小学 1–6)
            S("李四", B, grade: "七"),          // duplicateId even though its fields are bad too
        ],
        P("张三", A), P("李四", B));

        Assert.Equal(1, e.Discrepancies["invalidId"]);
        Assert.Equal(2, e.Discrepancies["duplicateId"]);
        Assert.Equal(2, e.Discrepancies["invalidRow"]);
        Assert.Equal(0, e.Matched);
        Assert.Equal(2, e.Discrepancies["notEnrolled"]); // both are 6–15 and not among kept students
    }

    [Fact]
    public void DuplicatesInTheRegistry_KeepTheFirst()
    {
        var e = Run([S("张三", A)], P("张三", A), P("张 三", A), P("张三", " " + A));

        Assert.Equal(2, e.Discrepancies["duplicateId"]);
        Assert.Equal(1, e.Eligible);
    }

    [Fact]
    public void NameDifferences_OnlySpacesOrDots_AreNoMismatch()
    {
        var e = Run(
            [S("阿依古丽·买买提", A), S("张 三", B), S("王五", C, stage: "学前", grade: "3")],
            P("阿依古丽•买买提", A), P("张\u3000三", B), P("王吾", C));

        Assert.Equal(3, e.Matched);
        Assert.Equal(2, e.Eligible);
        Assert.Equal(1, e.PendingReview);
        Assert.Equal(1, e.Discrepancies["nameMismatch"]);
        Assert.Equal(0, e.Programs["preschool_aid"].Recipients); // pending review is not paid
    }

    [Fact]
    public void FullWidthStopAsDot_IsNoMismatch()
    {
        Assert.Equal(1, Run([S("艾力．吐尔逊", A)], P("艾力·吐尔逊", A)).Eligible);
    }

    [Fact]
    public void NotEnrolled_IsSixToFifteenOn31August()
    {
        var e = Run([], P("甲", C), P("乙", D), P("丙", E), P("丁", F), P("戊", Id("41072619800101555")));

        Assert.Equal(2, e.Discrepancies["notEnrolled"]);
        Assert.Equal(0, e.Matched);
    }

    [Fact]
    public void Programs_FollowTheDefaultPolicy()
    {
        string[] ids = [.. Enumerable.Range(0, 9).Select(i => Id($"41072620100101{i:D3}"))];
        var e = Run(
        [
            S("a", ids[0], "学前", "2", "否"),
            S("b", ids[1], "小学", "3", "是"),
            S("c", ids[2], "小学", "3", "否"),
            S("d", ids[3], "初中", "1", "是"),
            S("e", ids[4], "初中", "1", "否"),
            S("f", ids[5], "普通高中", "3", "是"),
            S("g", ids[6], "中职", "2", "是"),
            S("h", ids[7], "中职", "3", "是"),   // internship year: eligible, no grant
            S("i", ids[8], "高校", "5", "是"),
        ],
        [.. ids.Select((id, i) => P(((char)('a' + i)).ToString(), id))]);

        Assert.Equal(9, e.Eligible);
        Assert.Equal((1, 500m), e.Programs["preschool_aid"]);
        Assert.Equal((4, 625m + 312.50m + 750m + 375m), e.Programs["living_subsidy"]);
        Assert.Equal((1, 1150m), e.Programs["hs_grant"]);
        Assert.Equal((1, 1150m), e.Programs["vocational_grant"]);
        Assert.Equal((1, 1850m), e.Programs["college_grant"]);
        Assert.Equal(500m + 2062.50m + 1150m + 1150m + 1850m, e.TotalAmount);
    }

    [Fact]
    public void StudentsOnlyInTheRoster_AreNotEligible()
    {
        var e = Run([S("张三", A), S("李四", B)], P("张三", A));

        Assert.Equal(1, e.Eligible);
        Assert.Equal(2, e.Students);
        Assert.Equal(1, e.PovertyPersons);
    }
}
