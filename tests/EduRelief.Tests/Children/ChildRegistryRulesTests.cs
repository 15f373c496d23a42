using Azure.Data.Tables;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Tests.Eligibility;
using Microsoft.Extensions.Options;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>The child registry's pure parts: ids, the search's shapes, the rows a cycle writes, the comparison's rows.</summary>
public sealed class ChildRegistryRulesTests
{
    private const string County = "410726";
    private const string FirstSchool = "4107260001";
    private const string SecondSchool = "4107260002";
    private static readonly Semester Spring = new(2026, Term.Spring);
    private static readonly Semester Autumn = new(2026, Term.Autumn);
    private static readonly DateOnly Today = new(2026, 9, 1);
    private static readonly ChildIds Ids = new(Options.Create(new ChildIdOptions { Secret = "unit-test-child-id-secret" }));

    private static IdNumber Number(string sequence, string birth = "20140315")
    {
        Assert.Equal(IdProblem.None, IdNumber.TryParse(SampleCounty.Id(County, birth, sequence), Today, out var id, out _));
        return id;
    }

    private static StudentRecord Student(IdNumber id, string school, string name = "张三") =>
        new(id, name, school, school == FirstSchool ? "城关镇第一小学" : "城关镇第二小学", SchoolStage.Primary, 5, false, 2, 3, name, "H1", "脱贫户",
            [new Entitlement("living_subsidy", new Yuan(312.50m))])
        { Township = "城关镇", Village = "东关村" };

    private static VerificationResult Result(IReadOnlyList<StudentRecord> eligible, IReadOnlyDictionary<long, ListedStudent>? followed = null) =>
        new(new VerificationCounts(eligible.Count, eligible.Count, eligible.Count, eligible.Count, 0, DiscrepancyKinds.All.ToDictionary(k => k, _ => 0), Verifier.Totals(eligible)), eligible, [])
        {
            Followed = followed ?? new Dictionary<long, ListedStudent>(),
        };

    private static RegisteredChild Registered(IdNumber id, string school, string name) =>
        new(Ids.RowKey(id), id, name, school, "城关镇第一小学", "城关镇", "东关村", "410726-2026-spring", ChildStatuses.Eligible, false,
            [(Spring, new ChildEntry("run-1", ChildStatuses.Eligible, name, school, "城关镇第一小学", SchoolStage.Primary, 5, false))]);

    private static PreviousCycle Previous(params RegisteredChild[] children) =>
        new(Spring, [.. children.Select(c => (new PreviousChild(c.IdNumber, c.SchoolCode, SchoolStage.Primary, 5, true), c))]);

    [Fact]
    public void ChildIds_SameNumber_SameIdThatRoundTripsAndHidesTheNumber()
    {
        var id = Number("123");
        var key = Ids.RowKey(id);
        var apiId = ChildIds.ApiId(key);

        Assert.Equal(key, Ids.RowKey(Number("123")));
        Assert.NotEqual(key, Ids.RowKey(Number("124")));
        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", apiId);
        Assert.Equal(key, ChildIds.RowKeyOf(apiId));
        Assert.DoesNotContain(id.Value[6..14], key, StringComparison.Ordinal);
        Assert.NotEqual(key, new ChildIds(Options.Create(new ChildIdOptions { Secret = "another-secret-of-the-app" })).RowKey(id));
    }

    [Theory]
    [InlineData("Production", null, false)]
    [InlineData("Production", "", false)]
    [InlineData("Production", "fifteen-chars!!", false)]
    [InlineData("Production", "sixteen-chars!!!", true)]
    [InlineData("Development", null, true)]
    [InlineData("Development", "short", false)]
    public void Secret_RequiredOutsideDevelopment_AtLeast16Characters(string environment, string? secret, bool valid)
    {
        var result = new ChildIdOptionsValidator(new Runner.TestEnvironment(environment)).Validate(null, new ChildIdOptions { Secret = secret });

        Assert.Equal(valid, result.Succeeded);
        Assert.True(valid || result.FailureMessage!.Contains(ChildIdOptions.SecretKey, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void ChildIds_NotAnIdThisAppGave_NoRowKey(string? apiId) =>
        Assert.Null(ChildIds.RowKeyOf(apiId));

    [Theory]
    [InlineData(null, null, null, null, null, "idNumber")]
    [InlineData("x", null, null, "东关村", null, "village")]
    [InlineData(null, "张三", null, null, null, "schoolCode")]
    [InlineData(null, null, FirstSchool, null, null, "name")]
    [InlineData(null, "张三", "41072", null, null, "schoolCode")]
    [InlineData(null, null, null, null, "gone", "status")]
    [InlineData(null, null, null, " ", null, "village")]
    [InlineData("4107262014031512", null, null, null, null, "idNumber")]
    public void Query_NoneTwoOrABadShape_ErrorNamesTheField(string? idNumber, string? name, string? school, string? village, string? status, string field)
    {
        var (query, errors) = ChildQuery.Read(new ChildSearch(idNumber, name, school, village, status), Today);

        Assert.Null(query);
        Assert.Contains(field, errors!.Keys);
    }

    [Fact]
    public void Query_EachShape_FiltersTheLatestRecords()
    {
        var byName = ChildQuery.Read(new ChildSearch(null, " 张三 ", FirstSchool, null, null), Today).Query!;
        var byStatus = ChildQuery.Read(new ChildSearch(null, null, null, null, "transferred"), Today).Query!;
        var absent = ChildQuery.Read(new ChildSearch(null, null, null, null, "absent"), Today).Query!;
        var byId = ChildQuery.Read(new ChildSearch(SampleCounty.Id(County, "20140315", "123"), null, null, null, null), Today).Query!;

        Assert.Equal("Name eq '张三' and SchoolCode eq '4107260001'", byName.Filter("410726-2026-autumn", null));
        Assert.Equal("LatestCycle eq '410726-2026-autumn' and Transferred eq true and SchoolCode eq '4107260002'", byStatus.Filter("410726-2026-autumn", SecondSchool));
        Assert.Equal("LatestCycle eq '-' and Status eq 'absent'", absent.Filter(null, null));
        Assert.Equal(Number("123"), byId.IdNumber);
    }

    [Fact]
    public void CycleRows_NewestCycle_WritesTheRecordAndTheLatestColumns()
    {
        var id = Number("123");
        var rows = new CycleRows(Ids, County, Autumn, "run-2", newest: true).For(Result([Student(id, FirstSchool)]), null).ToList();

        var row = Assert.Single(rows);
        Assert.Equal($"{County}|{Ids.RowKey(id)[..2]}", row.PartitionKey);
        Assert.Equal(Ids.RowKey(id), row.RowKey);
        Assert.Equal(("410726-2026-autumn", "eligible", FirstSchool, "东关村", false), (row.GetString("LatestCycle"), row.GetString("Status"), row.GetString("SchoolCode"), row.GetString("Village"), row.GetBoolean("Transferred")));
        var child = ChildRegistry.ToChild(row, new Dictionary<Semester, string> { [Autumn] = "run-2" });
        var entry = Assert.Single(child.Timeline).Entry;
        Assert.Equal((ChildStatuses.Eligible, FirstSchool, SchoolStage.Primary, 5), (entry.Status, entry.SchoolCode, entry.Stage!.Value, entry.Grade!.Value));
        Assert.Equal([new ChildEntitlement("living_subsidy", new Yuan(312.50m))], entry.Entitlements);
    }

    [Fact]
    public void CycleRows_OlderCycle_WritesOnlyItsRecord()
    {
        var row = new CycleRows(Ids, County, Spring, "run-1", newest: false).For(Result([Student(Number("123"), FirstSchool)]), null).Single();

        Assert.Null(row.GetString("LatestCycle"));
        Assert.Null(row.GetString("SchoolCode"));
        Assert.NotNull(row.GetString("T_2026_spring"));
    }

    [Fact]
    public void ToChild_RecordOfAReplacedRun_Ignored()
    {
        var row = new CycleRows(Ids, County, Autumn, "run-1", newest: true).For(Result([Student(Number("123"), FirstSchool)]), null).Single();

        Assert.Empty(ChildRegistry.ToChild(row, new Dictionary<Semester, string> { [Autumn] = "run-2" }).Timeline);
    }

    [Fact]
    public void Comparison_TransferredAndAbsent_AddRowsCountsAndRegistryRecords()
    {
        var moved = Number("123");
        var gone = Number("124");
        var stayed = Number("125");
        var previous = Previous(Registered(moved, FirstSchool, "张三"), Registered(gone, FirstSchool, "李四"), Registered(stayed, FirstSchool, "王五"));
        var result = Result([Student(moved, SecondSchool), Student(stayed, FirstSchool, "王五")], new Dictionary<long, ListedStudent>
        {
            [moved.Key] = new(7, "张三", SecondSchool, "城关镇第二小学"),
            [stayed.Key] = new(8, "王五", FirstSchool, "城关镇第一小学"),
        });

        Assert.Equal(new[] { moved.Key, gone.Key, stayed.Key }.Order(), CycleComparison.Followed(previous).Order());
        var compared = CycleComparison.Compare(previous, Autumn, result, []);
        var applied = CycleComparison.Apply(result, compared);

        Assert.Equal((1, 1), (applied.Counts.Discrepancies["transferred"], applied.Counts.Discrepancies["absentSchoolAge"]));
        var transferred = applied.Discrepancies.Single(d => d.Kind == DiscrepancyKinds.Transferred);
        Assert.Equal((7, SecondSchool, moved.Masked), (transferred.StudentRow!.Value, transferred.SchoolCode, transferred.MaskedId));
        Assert.Contains("城关镇第一小学", transferred.Reason.Zh, StringComparison.Ordinal);
        var absent = applied.Discrepancies.Single(d => d.Kind == DiscrepancyKinds.AbsentSchoolAge);
        Assert.Equal(("李四", FirstSchool, 12, "东关村"), (absent.StudentName, absent.SchoolCode, absent.Age!.Value, absent.Village));

        var rows = new CycleRows(Ids, County, Autumn, "run-2", newest: true).For(applied, compared).ToDictionary(r => r.RowKey);
        Assert.Equal(3, rows.Count);
        Assert.Equal((true, "eligible"), (rows[Ids.RowKey(moved)].GetBoolean("Transferred")!.Value, rows[Ids.RowKey(moved)].GetString("Status")));
        Assert.Equal((false, "absent"), (rows[Ids.RowKey(gone)].GetBoolean("Transferred")!.Value, rows[Ids.RowKey(gone)].GetString("Status")));
        Assert.Null(rows[Ids.RowKey(gone)].GetString("SchoolCode")); // the absent child keeps the school they were last listed at
        Assert.False(rows[Ids.RowKey(stayed)].GetBoolean("Transferred")!.Value);
    }

    [Fact]
    public void SemesterOrder_SpringBeforeAutumnBeforeNextSpring()
    {
        var next = new Semester(2027, Term.Spring);

        Assert.Equal(Spring, SemesterOrder.Before(Autumn, [next, Spring]));
        Assert.Equal(Autumn, SemesterOrder.Before(next, [Spring, Autumn, next]));
        Assert.Null(SemesterOrder.Before(Spring, [Autumn, next]));
        Assert.Equal(next, SemesterOrder.Newest([Autumn, next, Spring]));
    }
}
