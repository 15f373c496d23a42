using EduRelief.Children;
using EduRelief.Eligibility;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>The 外地就学 list as read at upload, and what verification makes of it (DOMAIN "A child across semesters").</summary>
public sealed class OutsideListTests
{
    private static readonly DateOnly Created = new(2026, 9, 1);
    private static readonly ResolvedPolicy Policy = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];

    private static async IAsyncEnumerable<RosterRow> Rows(params string[][] rows)
    {
        var n = 1;
        foreach (var r in rows)
        {
            yield return new RosterRow(++n, r);
        }

        await Task.CompletedTask;
    }

    private static string[] Away(string name, string id, string stage = "小学", string grade = "4", string place = "浙江省杭州市", string school = "杭州市文三街小学") =>
        [name, id, place, school, stage, grade];

    private static Task<OutsideListContent> ReadAsync(params string[][] rows) => OutsideList.ReadAsync(Rows(rows), Created, CancellationToken.None);

    [Fact]
    public async Task Read_GoodRows_KeepsTheFirstRowOfEachChildWithItsSchoolStageAndGrade()
    {
        var content = await ReadAsync(
            Away("郑十", SampleCounty.I),
            Away(" 吴九 ", SampleCounty.FullWidth(SampleCounty.H), stage: "学前", grade: "2", place: " 广东省深圳市 ", school: "深圳市机关幼儿园"),
            Away("郑十", SampleCounty.I, grade: "5"));

        Assert.False(content.Refused);
        Assert.Equal((3, 1), (content.Rows, content.Duplicate));
        Assert.Equal(2, content.Children.Count);
        var first = content.Children[0];
        Assert.Equal((SampleCounty.I, "郑十", SchoolStage.Primary, 4, 2), (first.IdNumber.Value, first.Name, first.Stage, first.Grade, first.Row));
        var second = content.Children[1];
        Assert.Equal((SampleCounty.H, "吴九", "广东省深圳市", "深圳市机关幼儿园", SchoolStage.Preschool, 2), (second.IdNumber.Value, second.Name, second.Place, second.School, second.Stage, second.Grade));
    }

    [Fact]
    public async Task Read_RowsItCannotUse_RefuseTheFileNamingEachRowAndColumn()
    {
        var content = await ReadAsync(
            Away("郑十", SampleCounty.I),
            Away("钱一", SampleCounty.BadCheck(SampleCounty.A)),
            Away("孙七", SampleCounty.E, stage: "大学"),
            Away("孙七", SampleCounty.E, grade: "7"),
            Away("周八", SampleCounty.G, school: " "),
            Away("", SampleCounty.B));

        Assert.True(content.Refused);
        Assert.Equal(["row:3", "row:4", "row:5", "row:6", "row:7"], content.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("身份证号", content.Errors["row:3"][0].Zh, StringComparison.Ordinal);
        Assert.Contains("学段", content.Errors["row:4"][0].Zh, StringComparison.Ordinal);
        Assert.Contains("年级", content.Errors["row:5"][0].Zh, StringComparison.Ordinal);
        Assert.Contains("就读学校", content.Errors["row:6"][0].Zh, StringComparison.Ordinal);
        Assert.Contains("姓名", content.Errors["row:7"][0].Zh, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.A[..17], string.Concat(content.Errors.Values.SelectMany(v => v).Select(t => t.Zh + t.En)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_MoreRefusedRowsThanItNames_NamesTheFirstHundredAndCountsTheRest()
    {
        var rows = Enumerable.Range(0, OutsideList.MaxNamedRows + 5).Select(_ => Away("钱一", "123")).ToArray();

        var content = await ReadAsync(rows);

        Assert.Equal(OutsideList.MaxNamedRows + 1, content.Errors.Count);
        Assert.Contains($"{OutsideList.MaxNamedRows + 5}", content.Errors["file"][0].Zh, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RegisteredChildOnTheList_IsOutsideCountyNotNotEnrolled_AndTheRestIsUnchanged()
    {
        var outside = await ReadAsync(
            Away("郑十", SampleCounty.I),                                      // registered, age 10, in no roster
            Away("张三", SampleCounty.A),                                      // in a school of the county: the roster wins
            Away("路人", SampleCounty.Id("410726", "20140404", "123")));        // not of a covered household

        var without = await Verifier.RunAsync(Rows(SampleCounty.Poverty()), Rows(SampleCounty.Students()), Created, 2026, Policy, CancellationToken.None);
        var with = await Verifier.RunAsync(Rows(SampleCounty.Poverty()), Rows(SampleCounty.Students()), Created, 2026, Policy, CancellationToken.None, outside: outside.Children);

        Assert.Equal(SampleCounty.Expected.NotEnrolled, without.Counts.Discrepancies[DiscrepancyKinds.NotEnrolled]);
        Assert.Equal(0, without.Counts.OutsideCounty);
        Assert.Equal(SampleCounty.Expected.NotEnrolled - 1, with.Counts.Discrepancies[DiscrepancyKinds.NotEnrolled]);
        Assert.Equal(1, with.Counts.OutsideCounty);
        Assert.False(with.Counts.Discrepancies.ContainsKey(DiscrepancyKinds.OutsideCounty));
        Assert.Equal((without.Counts.Eligible, without.Counts.Matched, without.Counts.TotalAmount), (with.Counts.Eligible, with.Counts.Matched, with.Counts.TotalAmount));

        var away = Assert.Single(with.Discrepancies, d => d.Kind == DiscrepancyKinds.OutsideCounty);
        Assert.Equal(("郑十", "东屯镇", "后屯村", "杭州市文三街小学", 10), (away.PovertyName, away.Township, away.Village, away.SchoolName, away.Age));
        Assert.Equal(("浙江省杭州市", SchoolStage.Primary, 4), (away.Outside!.Place, away.Outside.Stage, away.Outside.Grade));
        Assert.Equal(SampleCounty.I[..6] + "********" + SampleCounty.I[^4..], away.MaskedId);
    }
}
