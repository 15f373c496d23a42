using EduRelief.Eligibility;
using EduRelief.Rosters.Parsing;
using Xunit;

namespace EduRelief.Tests.Eligibility;

/// <summary>DOMAIN.md's counting rules, on rows in memory.</summary>
public sealed class VerifierTests
{
    private static readonly DateOnly Created = new(2026, 9, 1);
    private static readonly ResolvedPolicy Policy = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];

    private static async IAsyncEnumerable<RosterRow> Rows(string[][] rows)
    {
        var n = 1;
        foreach (var r in rows)
        {
            yield return new RosterRow(++n, r);
        }

        await Task.CompletedTask;
    }

    private static string[] Student(string name, string id, string stage = "小学", string grade = "3", string boarding = "否", string school = "4107260001") =>
        [name, id, school, "城关镇第一小学", stage, grade, boarding, ""];

    private static string[] Person(string name, string id, int n = 1) => [n.ToString(System.Globalization.CultureInfo.InvariantCulture), "H1", name, id, "城关镇", "东关村", "脱贫户"];

    private static Task<VerificationResult> RunAsync(string[][] students, string[][] poverty) =>
        Verifier.RunAsync(Rows(poverty), Rows(students), Created, 2026, Policy, CancellationToken.None);

    [Fact]
    public async Task Run_SampleCounty_CountsEveryRule()
    {
        var result = await RunAsync(SampleCounty.Students(), SampleCounty.Poverty());

        var c = result.Counts;
        Assert.Equal((SampleCounty.Expected.Students, SampleCounty.Expected.PovertyPersons, SampleCounty.Expected.Matched, SampleCounty.Expected.Eligible, SampleCounty.Expected.PendingReview),
            (c.Students, c.PovertyPersons, c.Matched, c.Eligible, c.PendingReview));
        Assert.Equal(new Yuan(SampleCounty.Expected.Total), c.TotalAmount);
        Assert.Equal(new Yuan(SampleCounty.Expected.LivingSubsidy), c.Programs["living_subsidy"].Amount);
    }

    [Theory]
    [InlineData("20200831", 6, true)]   // sixth birthday on 31 August: counts
    [InlineData("20200901", 5, false)]  // turns 6 a day later: not yet of compulsory age
    [InlineData("20100831", 16, false)] // 16 on the day: past it
    [InlineData("20100901", 15, true)]  // still 15
    public async Task NotEnrolled_AgeOn31AugustOfSchoolYear_Is6To15Inclusive(string birth, int age, bool counted)
    {
        var id = SampleCounty.Id("410726", birth, "123");
        var result = await RunAsync([], [Person("郑十", id)]);

        Assert.Equal(counted ? 1 : 0, result.Counts.Discrepancies[DiscrepancyKinds.NotEnrolled]);
        if (counted)
        {
            Assert.Equal(age, result.Discrepancies.Single().Age);
        }
    }

    [Fact]
    public async Task InvalidRowFirstOccurrence_StillMakesLaterRowsOfThatNumberDuplicates()
    {
        var id = SampleCounty.A;
        var result = await RunAsync(
            [Student("张三", id, grade: "七"), Student("张三", id)],
            [Person("张三", id)]);

        Assert.Equal(1, result.Counts.Discrepancies[DiscrepancyKinds.InvalidRow]);
        Assert.Equal(1, result.Counts.Discrepancies[DiscrepancyKinds.DuplicateId]);
        Assert.Equal(0, result.Counts.Matched);
        Assert.Equal("年级", result.Discrepancies.Single(d => d.Kind == DiscrepancyKinds.InvalidRow).Column);
    }

    [Fact]
    public async Task InvalidIdRow_TakesNoPartInDuplicates()
    {
        var bad = SampleCounty.BadCheck(SampleCounty.A);
        var result = await RunAsync([Student("甲", bad), Student("甲", bad)], []);

        Assert.Equal(2, result.Counts.Discrepancies[DiscrepancyKinds.InvalidId]);
        Assert.Equal(0, result.Counts.Discrepancies[DiscrepancyKinds.DuplicateId]);
        Assert.All(result.Discrepancies, d => Assert.DoesNotContain(bad, d.MaskedId!, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("阿依古丽•买买提", "阿依古丽·买买提", true)]
    [InlineData("阿依古丽．买买提", "阿依古丽·买买提", true)]
    [InlineData("张 三", "张\u3000三", true)]
    [InlineData("张三", "张叁", false)]
    public async Task Names_NormalisedBeforeComparing(string student, string registered, bool same)
    {
        var result = await RunAsync([Student(student, SampleCounty.A)], [Person(registered, SampleCounty.A)]);

        Assert.Equal(1, result.Counts.Matched);
        Assert.Equal(same ? 1 : 0, result.Counts.Eligible);
        Assert.Equal(same ? 0 : 1, result.Counts.PendingReview);
    }

    [Theory]
    [InlineData("学前", "1", "否", "preschool_aid", "500")]
    [InlineData("小学", "6", "是", "living_subsidy", "625")]
    [InlineData("小学", "1", "否", "living_subsidy", "312.50")]
    [InlineData("初中", "3", "是", "living_subsidy", "750")]
    [InlineData("初中", "1", "否", "living_subsidy", "375")]
    [InlineData("普通高中", "2", "否", "hs_grant", "1150")]
    [InlineData("中职", "2", "是", "vocational_grant", "1150")]
    [InlineData("高校", "4", "否", "college_grant", "1850")]
    public async Task Entitlement_ByStageGradeAndBoarding_FollowsDefaultPolicy(string stage, string grade, string boarding, string program, string amount)
    {
        var result = await RunAsync([Student("张三", SampleCounty.A, stage, grade, boarding)], [Person("张三", SampleCounty.A)]);

        var entitlement = Assert.Single(result.Eligible.Single().Entitlements);
        Assert.Equal(program, entitlement.Program);
        Assert.Equal(new Yuan(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), entitlement.Amount);
    }

    [Theory]
    [InlineData("大学", "1", "否", "学段")]
    [InlineData("小学", "0", "否", "年级")]
    [InlineData("初中", "4", "否", "年级")]
    [InlineData("小学", "3", "Y", "是否住校")]
    [InlineData("小学", "", "否", "年级")]
    public async Task InvalidRow_NamesTheColumn(string stage, string grade, string boarding, string column)
    {
        var result = await RunAsync([Student("张三", SampleCounty.A, stage, grade, boarding)], []);

        Assert.Equal(column, result.Discrepancies.Single(d => d.Kind == DiscrepancyKinds.InvalidRow).Column);
        Assert.Equal(2, result.Discrepancies.Single().StudentRow);
    }

    [Theory]
    [InlineData("13812345678", "***********")]
    [InlineData("41072619860315", "**************")]
    public void MaskAny_ValueThatIsNotIdShaped_ShowsNothing(string value, string masked) => Assert.Equal(masked, Verifier.MaskAny(value));

    [Fact]
    public async Task BirthDateAfterCycleCreation_IsInvalidId()
    {
        var future = SampleCounty.Id("410726", "20260902", "001");
        var result = await RunAsync([Student("新生", future, "学前", "1")], []);

        Assert.Equal(1, result.Counts.Discrepancies[DiscrepancyKinds.InvalidId]);
    }
}
