using System.Globalization;
using System.Text.Json;
using EduRelief.Eligibility;
using Xunit;

namespace EduRelief.Tests.Eligibility;

public sealed class PolicyTests
{
    private static readonly ResolvedPolicy Default2026 = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];

    private static decimal Amount(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private static PolicyDocument Valid(PolicyDocumentInput input, int year = 2026)
    {
        var result = PolicyValidation.Validate(year, input);
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return result.Document!;
    }

    private static PolicyDocumentInput Input(params ProgramRuleInput?[] programs) => new(null, programs, null);

    private static ProgramRuleInput Rule(string code, string stage, decimal? amount = null, decimal? boarding = null, decimal? nonBoarding = null, int[]? grades = null) =>
        new(code, stage, amount, boarding, nonBoarding, grades, null);

    private static ResolvedPolicy Override(string scope, decimal preschool, int year = 2026)
    {
        Assert.True(PolicyScope.TryParse(scope, out var parsed));
        return ResolvedPolicy.Create(parsed, Valid(Input(Rule("preschool_aid", "学前", preschool)), year));
    }

    [Theory]
    [InlineData("学前", 1, false, "preschool_aid", "500")]
    [InlineData("学前", 3, true, "preschool_aid", "500")]
    [InlineData("小学", 1, true, "living_subsidy", "625")]
    [InlineData("小学", 6, false, "living_subsidy", "312.50")]
    [InlineData("初中", 1, true, "living_subsidy", "750")]
    [InlineData("初中", 3, false, "living_subsidy", "375")]
    [InlineData("普通高中", 1, true, "hs_grant", "1150")]
    [InlineData("普通高中", 3, false, "hs_grant", "1150")]
    [InlineData("中职", 1, true, "vocational_grant", "1150")]
    [InlineData("中职", 2, false, "vocational_grant", "1150")]
    [InlineData("高校", 1, false, "college_grant", "1850")]
    [InlineData("高校", 5, true, "college_grant", "1850")]
    public void EntitlementsFor_DefaultPolicy2026_PaysTheDomainTableAmount(string stage, int grade, bool boarding, string program, string amount)
    {
        Assert.True(SchoolStages.TryParse(stage, out var s));

        var entitlement = Assert.Single(Default2026.EntitlementsFor(s, grade, boarding));

        Assert.Equal(new Entitlement(program, new Yuan(Amount(amount))), entitlement);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EntitlementsFor_VocationalYearThree_IsEligibleWithNoGrant(bool boarding) =>
        Assert.Empty(Default2026.EntitlementsFor(SchoolStage.VocationalSecondary, 3, boarding));

    [Fact]
    public void DefaultPolicy2026_ShippedFile_HoldsTheFiveCashProgrammesAndExcludesNutrition()
    {
        Assert.Equal("default", Default2026.Scope);
        Assert.Equal(2026, Default2026.SchoolYear);
        Assert.Null(Default2026.UpdatedAt);
        Assert.Equal(ProgramCodes.All.Order(), Default2026.Document.Programs.Select(p => p.Code).Distinct().Order());
        Assert.Equal(6, Default2026.Document.Programs.Count);
        Assert.Contains(Default2026.Document.Notes, n => n.Contains("营养改善计划", StringComparison.Ordinal) && n.Contains("in kind", StringComparison.Ordinal));
        Assert.Matches("^default@[0-9a-f]{12}$", Default2026.Version);
    }

    [Fact]
    public void EntitlementsFor_GradeOutsideTheStage_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Default2026.EntitlementsFor(SchoolStage.JuniorSecondary, 4, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Default2026.EntitlementsFor(SchoolStage.Primary, 0, false));
    }

    [Fact]
    public void EntitlementsFor_ZeroAmount_LeavesTheProgrammeOut()
    {
        var policy = ResolvedPolicy.Create(PolicyScope.Default, Valid(Input(Rule("living_subsidy", "小学", boarding: 625, nonBoarding: 0))));

        Assert.Empty(policy.EntitlementsFor(SchoolStage.Primary, 2, boarding: false));
        Assert.Equal(new Yuan(625m), Assert.Single(policy.EntitlementsFor(SchoolStage.Primary, 2, boarding: true)).Amount);
    }

    [Fact]
    public void EntitlementsFor_TwoProgrammesAtOneStage_ReturnsBothInDocumentOrder()
    {
        var policy = ResolvedPolicy.Create(PolicyScope.Default, Valid(Input(Rule("hs_grant", "普通高中", 1150), Rule("living_subsidy", "普通高中", 300))));

        Assert.Equal(
            [new Entitlement("hs_grant", new Yuan(1150m)), new Entitlement("living_subsidy", new Yuan(300m))],
            policy.EntitlementsFor(SchoolStage.SeniorSecondary, 2, boarding: true));
    }

    [Theory]
    [InlineData("学前", SchoolStage.Preschool, 3)]
    [InlineData("小学", SchoolStage.Primary, 6)]
    [InlineData("初中", SchoolStage.JuniorSecondary, 3)]
    [InlineData("普通高中", SchoolStage.SeniorSecondary, 3)]
    [InlineData("中职", SchoolStage.VocationalSecondary, 3)]
    [InlineData("高校", SchoolStage.Higher, 5)]
    public void SchoolStages_RosterName_ParsesAndRoundTrips(string chinese, SchoolStage expected, int maxGrade)
    {
        Assert.True(SchoolStages.TryParse(chinese, out var stage));
        Assert.Equal(expected, stage);
        Assert.Equal(chinese, SchoolStages.Chinese(stage));
        Assert.Equal(maxGrade, SchoolStages.MaxGrade(stage));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("高中")]
    [InlineData("大学")]
    [InlineData(" 小学")]
    [InlineData("Primary")]
    public void SchoolStages_UnknownName_IsRejected(string? text) => Assert.False(SchoolStages.TryParse(text, out _));

    [Fact]
    public void Resolve_CountyAndProvinceOverrides_CountyBeatsProvinceBeatsDefault()
    {
        var county = Override("county:410726", 600);
        var province = Override("province:41", 550);

        Assert.Same(county, PolicyResolution.Resolve(2026, "410726", Default2026, [province, county]));
        Assert.Same(province, PolicyResolution.Resolve(2026, "410727", Default2026, [province, county]));
        Assert.Same(Default2026, PolicyResolution.Resolve(2026, "130102", Default2026, [province, county]));
    }

    [Fact]
    public void Resolve_AnotherCountysOrYearsOverride_DoesNotApply()
    {
        var neighbour = Override("county:410727", 600);
        var nextYear = Override("county:410726", 700, year: 2027);
        var otherProvince = Override("province:13", 550);

        Assert.Same(Default2026, PolicyResolution.Resolve(2026, "410726", Default2026, [neighbour, nextYear, otherProvince]));
        Assert.Same(nextYear, PolicyResolution.Resolve(2027, "410726", null, [neighbour, nextYear, otherProvince]));
    }

    [Fact]
    public void Resolve_NoDefaultAndNoOverride_ReturnsNull()
    {
        Assert.Null(PolicyResolution.Resolve(2035, "410726", null, []));
        Assert.Null(PolicyResolution.Resolve(2027, "410726", Default2026, []));
    }

    [Theory]
    [InlineData("default", PolicyScopeKind.Default, "")]
    [InlineData("province:41", PolicyScopeKind.Province, "41")]
    [InlineData("province:82", PolicyScopeKind.Province, "82")]
    [InlineData("county:410726", PolicyScopeKind.County, "410726")]
    public void PolicyScope_Valid_ParsesAndRoundTrips(string text, PolicyScopeKind kind, string code)
    {
        Assert.True(PolicyScope.TryParse(text, out var scope));
        Assert.Equal(new PolicyScope(kind, code), scope);
        Assert.Equal(text, scope.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Default")]
    [InlineData("province:4")]
    [InlineData("province:410")]
    [InlineData("province:99")]
    [InlineData("province:41 ")]
    [InlineData("county:41072")]
    [InlineData("county:4107260")]
    [InlineData("county:990726")]
    [InlineData("County:410726")]
    [InlineData("city:4107")]
    public void PolicyScope_Malformed_IsRejected(string? text) => Assert.False(PolicyScope.TryParse(text, out _));

    [Fact]
    public void Validate_BadDocument_NamesEachBadField()
    {
        var input = new PolicyDocumentInput(2027, [
            Rule("nutrition", "小学", 5),
            Rule("hs_grant", "高中", 1150),
            Rule("college_grant", "高校", -1),
            Rule("preschool_aid", "学前", 500.005m),
            Rule("vocational_grant", "中职", 1150, grades: [1, 4]),
            Rule("living_subsidy", "初中", boarding: 750),
            Rule("living_subsidy", "小学", 300, boarding: 625, nonBoarding: 312.5m),
            null,
            Rule("hs_grant", "普通高中"),
        ], [" "]);

        var result = PolicyValidation.Validate(2026, input);

        Assert.False(result.IsValid);
        Assert.Null(result.Document);
        Assert.Equal(
            new[]
            {
                "notes[0]", "programs[0].code", "programs[1].stage", "programs[2].amount", "programs[3].amount", "programs[4].grades[1]",
                "programs[5].nonBoardingAmount", "programs[6].amount", "programs[7]", "programs[8].amount", "schoolYear",
            },
            result.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_NoProgrammes_NamesPrograms()
    {
        Assert.Contains("programs", PolicyValidation.Validate(2026, new PolicyDocumentInput(null, null, null)).Errors.Keys);
        Assert.Contains("programs", PolicyValidation.Validate(2026, new PolicyDocumentInput(2026, [], null)).Errors.Keys);
        Assert.Contains("body", PolicyValidation.Validate(2026, null).Errors.Keys);
    }

    [Fact]
    public void Validate_SameProgrammeTwiceForOverlappingGrades_NamesTheLaterOne()
    {
        var overlapping = PolicyValidation.Validate(2026, Input(
            Rule("vocational_grant", "中职", 1150, grades: [1, 2]),
            Rule("vocational_grant", "中职", 800, grades: [2, 3])));
        var split = PolicyValidation.Validate(2026, Input(
            Rule("vocational_grant", "中职", 1150, grades: [1, 2]),
            Rule("vocational_grant", "中职", 800, grades: [3])));

        Assert.Equal(["programs[1]"], overlapping.Errors.Keys);
        Assert.True(split.IsValid);
        var policy = ResolvedPolicy.Create(PolicyScope.Default, split.Document!);
        Assert.Equal(new Yuan(800m), Assert.Single(policy.EntitlementsFor(SchoolStage.VocationalSecondary, 3, false)).Amount);
    }

    [Fact]
    public void Version_SameContent_IsStableAcrossEquivalentSpellings()
    {
        var a = Valid(Input(Rule("living_subsidy", "小学", boarding: 625, nonBoarding: 312.5m), Rule("vocational_grant", "中职", 1150, grades: [2, 1])));
        var b = Valid(Input(Rule("living_subsidy", "小学", boarding: 625.00m, nonBoarding: 312.50m), Rule("vocational_grant", "中职", 1150, grades: [1, 2])));
        var scope = PolicyScope.County("410726");

        Assert.Equal(PolicyVersion.Of(scope, a), PolicyVersion.Of(scope, b));
        Assert.Equal(PolicyVersion.Of(scope, a), PolicyVersion.Of(scope, PolicyJson.Parse(PolicyJson.Canonical(a))));
        Assert.Matches("^county:410726@[0-9a-f]{12}$", PolicyVersion.Of(scope, a));
    }

    [Fact]
    public void Version_ContentOrScopeChanges_Changes()
    {
        var original = Valid(Input(Rule("living_subsidy", "小学", boarding: 625, nonBoarding: 312.5m)));
        var changed = Valid(Input(Rule("living_subsidy", "小学", boarding: 625, nonBoarding: 312.51m)));
        var county = PolicyScope.County("410726");

        Assert.NotEqual(PolicyVersion.Of(county, original), PolicyVersion.Of(county, changed));
        Assert.NotEqual(PolicyVersion.Of(county, original), PolicyVersion.Of(PolicyScope.ProvinceOf("410726"), original));
        Assert.NotEqual(PolicyVersion.Of(county, original), PolicyVersion.Of(county, Valid(Input(Rule("living_subsidy", "小学", boarding: 625, nonBoarding: 312.5m)), year: 2027)));
    }

    [Fact]
    public void Amounts_ReadFromJson_StayExactDecimalsWithTwoPlaces()
    {
        const string json = """{"schoolYear":2026,"programs":[{"code":"living_subsidy","stage":"小学","boardingAmount":625,"nonBoardingAmount":312.50},{"code":"hs_grant","stage":"普通高中","amount":0.1}]}""";
        var document = Valid(JsonSerializer.Deserialize<PolicyDocumentInput>(json, PolicyJson.Options)!);
        var policy = ResolvedPolicy.Create(PolicyScope.Default, document);

        var nonBoarding = Assert.Single(policy.EntitlementsFor(SchoolStage.Primary, 1, boarding: false)).Amount;
        var tenth = Assert.Single(policy.EntitlementsFor(SchoolStage.SeniorSecondary, 1, boarding: false)).Amount;

        Assert.Equal(new Yuan(312.50m), nonBoarding);
        Assert.Equal("312.50", nonBoarding.ToString());
        Assert.Equal("0.10", tenth.ToString());
        Assert.Equal(new Yuan(0.3m), tenth + tenth + tenth);
        Assert.Contains("\"nonBoardingAmount\":312.50", PolicyJson.Canonical(document), StringComparison.Ordinal);
        Assert.Contains("\"boardingAmount\":625.00", PolicyJson.Canonical(document), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_AmountAsString_IsRefused()
    {
        const string json = """{"programs":[{"code":"hs_grant","stage":"普通高中","amount":"1150"}]}""";

        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PolicyDocumentInput>(json, PolicyJson.Options));
        Assert.Equal("$.programs[0].amount", ex.Path);
    }

    [Fact]
    public void Load_FutureYearFile_IsJustAnotherDefault()
    {
        var dir = Directory.CreateTempSubdirectory("policies").FullName;
        try
        {
            File.Copy(Path.Combine(DefaultPolicies.ShippedDirectory, "policy-2026.json"), Path.Combine(dir, "policy-2026.json"));
            File.WriteAllText(Path.Combine(dir, "policy-2027.json"), """{"schoolYear":2027,"programs":[{"code":"preschool_aid","stage":"学前","amount":600}]}""");

            var defaults = DefaultPolicies.Load(dir);

            Assert.Equal([2026, 2027], defaults.Keys.Order());
            Assert.Equal(new Yuan(600m), Assert.Single(defaults[2027].EntitlementsFor(SchoolStage.Preschool, 1, false)).Amount);
            Assert.Equal(Default2026.Version, defaults[2026].Version);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("policy-2027.json", """{"schoolYear":2026,"programs":[{"code":"preschool_aid","stage":"学前","amount":600}]}""", "schoolYear")]
    [InlineData("policy-2027.json", """{"schoolYear":2027,"programs":[{"code":"preschool_aid","stage":"学前","amount":-600}]}""", "programs[0].amount")]
    [InlineData("policy-next.json", """{"schoolYear":2027,"programs":[{"code":"preschool_aid","stage":"学前","amount":600}]}""", "policy-YYYY.json")]
    public void Load_BadFile_RefusesToStartNamingTheFault(string name, string content, string fault)
    {
        var dir = Directory.CreateTempSubdirectory("policies").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, name), content);

            var ex = Assert.Throws<InvalidDataException>(() => DefaultPolicies.Load(dir));
            Assert.Contains(fault, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
