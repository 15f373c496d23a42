using EduRelief.Counties;
using Xunit;

namespace EduRelief.Tests.Counties;

/// <summary>The 七长制 chain read from a county's contacts (DOMAIN "控辍保学 cases").</summary>
public sealed class ResponsibilityChainTests
{
    private static CountyContacts Contacts() =>
        new("410726", "延津县教育局", "0373-7201234", "延津县文化路12号", "zizhu@yanjin.example.cn", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, "test")
        {
            Townships = new Dictionary<string, TownshipContacts>
            {
                ["东屯镇"] = new("陈立", "吴刚", "dongtun@yanjin.example.cn", new Dictionary<string, string> { ["后屯村"] = "孙丽", ["东屯村"] = " " }),
            },
            Principals = new Dictionary<string, string> { ["4107260001"] = "刘洋" },
        };

    private static string[] Names(IEnumerable<ChainLink> links) => [.. links.Select(l => $"{l.Role}:{l.Unit}:{l.Name}")];

    [Fact]
    public void For_ChildInNoSchool_BothLinesFromTheTownshipAndVillage_NothingMissing()
    {
        var chain = ResponsibilityChain.For(Contacts(), "东屯镇", "后屯村", schoolCode: null, schoolName: null);

        Assert.Equal(["townshipHead:东屯镇:陈立", "villageHead:后屯村:孙丽"], Names(chain.Administrative));
        Assert.Equal(["centralSchoolPrincipal:东屯镇:吴刚"], Names(chain.Education));
        Assert.Empty(chain.Missing);
    }

    [Fact]
    public void For_ChildAtASchool_AddsItsPrincipalAndTeacher_AndNamesWhoIsMissing()
    {
        var chain = ResponsibilityChain.For(Contacts(), "东屯镇", "东屯村", "4107260001", "城关镇第一小学");

        Assert.Equal(["centralSchoolPrincipal:东屯镇:吴刚", "principal:城关镇第一小学:刘洋", "teacher:城关镇第一小学:"], Names(chain.Education));
        Assert.Equal(["村委会主任（东屯村）", "责任教师（城关镇第一小学）"], chain.Missing);
    }

    [Fact]
    public void For_CountyWithoutContactsOrTownshipUnlisted_EveryLinkIsMissing()
    {
        var none = ResponsibilityChain.For(null, "城关镇", "东关村", null, null);
        var unlisted = ResponsibilityChain.For(Contacts(), "城关镇", null, null, null);

        Assert.Equal(["乡镇长（城关镇）", "村委会主任（东关村）", "中心校校长（城关镇）"], none.Missing);
        Assert.Equal(["乡镇长（城关镇）", "村委会主任", "中心校校长（城关镇）"], unlisted.Missing);
    }
}
