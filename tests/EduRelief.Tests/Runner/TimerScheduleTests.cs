using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class TimerScheduleTests
{
    [Fact]
    public void NextAfter_EveryFiveMinutes_ReturnsNextBoundary()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *", TimeZoneInfo.Utc);

        var next = schedule.NextAfter(new DateTimeOffset(2025, 3, 1, 8, 31, 10, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 35, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextAfter_ExactlyOnAnOccurrence_ReturnsTheFollowingOne()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *", TimeZoneInfo.Utc);

        var next = schedule.NextAfter(new DateTimeOffset(2025, 3, 1, 8, 35, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 40, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextAfter_SecondsField_IsHonoured()
    {
        var schedule = TimerSchedule.Parse("*/15 * * * * *", TimeZoneInfo.Utc);

        var next = schedule.NextAfter(new DateTimeOffset(2025, 3, 1, 8, 0, 16, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 0, 30, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextAfter_ChinaTimeZone_FiresAtLocalTimeAndReturnsUtc()
    {
        var schedule = TimerSchedule.Parse("0 0 2 * * *", TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

        var next = schedule.NextAfter(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

        // 02:00 in Shanghai (UTC+8) is 18:00 UTC the day before.
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 18, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Fact]
    public void NextAfter_ImpossibleDate_IsNeverDue()
    {
        var schedule = TimerSchedule.Parse("0 0 0 30 2 *", TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.MaxValue, schedule.NextAfter(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("every minute")]
    [InlineData("0 0 * * * * * *")]
    [InlineData("61 * * * * *")]
    public void Parse_InvalidExpression_ThrowsFormatException(string expression)
    {
        Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression, TimeZoneInfo.Utc));
    }
}
