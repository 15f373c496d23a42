using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class PollingBackoffTests
{
    [Fact]
    public void NextDelay_RepeatedEmptyPolls_DoublesUpToMaximum()
    {
        var backoff = new PollingBackoff(TimeSpan.FromSeconds(2));

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.NextDelay().TotalMilliseconds).ToList();

        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000], delays);
    }

    [Fact]
    public void Reset_AfterBackingOff_ReturnsToFastPolling()
    {
        var backoff = new PollingBackoff(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.Equal(PollingBackoff.Minimum, backoff.NextDelay());
    }

    [Fact]
    public void NextDelay_MaximumBelowMinimum_StaysAtMinimum()
    {
        var backoff = new PollingBackoff(TimeSpan.FromMilliseconds(10));

        Assert.Equal(PollingBackoff.Minimum, backoff.NextDelay());
        Assert.Equal(PollingBackoff.Minimum, backoff.NextDelay());
    }
}
