using EduRelief.Dev;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Dev;

/// <summary>The development clock reads what it is set to as a person in China means it.</summary>
public sealed class DevClockTests(HotlineFixture fixture) : IClassFixture<HotlineFixture>
{
    [Theory]
    [InlineData("2026-10-09", "2026-10-08T16:00:00+00:00")]
    [InlineData("2026-10-09T09:30:00", "2026-10-09T01:30:00+00:00")]
    [InlineData("2026-10-09T09:30:00+08:00", "2026-10-09T01:30:00+00:00")]
    [InlineData("2026-10-09T09:30:00Z", "2026-10-09T09:30:00+00:00")]
    public void ParseChinaTime_DateOnlyOrNoOffset_IsChinaTime(string text, string utc)
    {
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), DevEndpoints.ParseChinaTime(text));
    }

    [Fact]
    public async Task SetTo_ADateOnly_Is0000ChinaTime_AndNonsenseNamesSetTo()
    {
        var (status, body) = await fixture.App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09" });
        var (bad, problem) = await fixture.App.Admin.PostAsync("/api/dev/clock", new { setTo = "next tuesday" });

        Assert.Equal(200, status);
        Assert.StartsWith("2026-10-09T00:00:", (string?)body!["now"], StringComparison.Ordinal);
        Assert.Equal(400, bad);
        Assert.NotNull(problem!["errors"]!["setTo"]);
    }
}
