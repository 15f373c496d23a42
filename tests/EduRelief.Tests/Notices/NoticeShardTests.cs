using EduRelief.Cycles;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>The notice fan-out renders schools in shards of <see cref="NoticeSteps.SchoolsPerShard"/>, in ledger key order.</summary>
public sealed class NoticeShardTests
{
    [Fact]
    public void SchoolShards_ManySchools_GroupsThemInKeyOrderEachOnce()
    {
        var schools = Enumerable.Range(1, 40).Select(i => $"41072{60040 - i:D5}").Append("4107260039").ToList();

        var shards = NoticeSteps.SchoolShards(schools);

        Assert.Equal([16, 16, 8], shards.Select(s => NoticeSteps.SchoolsOf(s).Count));
        Assert.Equal(schools.Distinct().Order(StringComparer.Ordinal), shards.SelectMany(NoticeSteps.SchoolsOf));
    }

    [Fact]
    public void SchoolsOf_AShardOfOneSchool_IsThatSchool()
    {
        // A fan-out started before the grouping has one school code per shard.
        Assert.Equal(["4107260001"], NoticeSteps.SchoolsOf("4107260001"));
        Assert.Equal(["4107260001"], NoticeSteps.SchoolShards(["4107260001"]));
    }

    [Fact]
    public void SchoolShards_NoSchools_NoShards() => Assert.Empty(NoticeSteps.SchoolShards([]));
}
