using EduRelief.Runner;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EduRelief.Tests.Runner;

public class TimerCatchUpTests
{
    private static readonly TimerSchedule EveryFiveMinutes = TimerSchedule.Parse("0 */5 * * * *", TimeZoneInfo.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 8, 31, 0, TimeSpan.Zero));

    [Fact]
    public void Initial_NoStoredStatus_NextIsTheNextOccurrence()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 35, 0, TimeSpan.Zero), status.Next);
        Assert.Equal(_clock.GetUtcNow(), status.LastUpdated);
        Assert.Equal(TimerAction.Wait, TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), runOnStartupPending: false).Action);
    }

    [Fact]
    public void Decide_NextInTheFuture_Waits()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(TimerAction.Wait, TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), false).Action);
    }

    [Fact]
    public void Decide_DueOnTime_FiresNotPastDue()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromMilliseconds(250));

        var decision = TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), false);

        Assert.Equal(TimerAction.Fire, decision.Action);
        Assert.False(decision.IsPastDue);
        Assert.Equal(status.Next, decision.Occurrence);
    }

    [Fact]
    public void Decide_ManyMissedOccurrences_FiresOnceAndIsPastDue()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());

        // A development clock jump (or an app that was down) skips 36 occurrences.
        _clock.Advance(TimeSpan.FromHours(3));
        var decision = TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), false);
        var after = TimerCatchUp.AfterInvocation(EveryFiveMinutes, decision.Occurrence, _clock.GetUtcNow());

        Assert.Equal(TimerAction.Fire, decision.Action);
        Assert.True(decision.IsPastDue);
        Assert.Equal(status.Next, after.Last);
        Assert.True(after.Next > _clock.GetUtcNow());
        Assert.Equal(TimerAction.Wait, TimerCatchUp.Decide(after, EveryFiveMinutes, _clock.GetUtcNow(), false).Action);
    }

    [Fact]
    public void Decide_FailedFireRetriedLater_StillFiresOnce()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(5));

        // The first attempt failed, so the status was not advanced; the retry a few seconds later is past due.
        _clock.Advance(TimeSpan.FromSeconds(5));
        var retry = TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), false);

        Assert.Equal(TimerAction.Fire, retry.Action);
        Assert.True(retry.IsPastDue);
    }

    [Fact]
    public void Decide_RunOnStartupWithNothingDue_FiresAndKeepsNext()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());

        var decision = TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), runOnStartupPending: true);
        var after = TimerCatchUp.AfterInvocation(EveryFiveMinutes, decision.Occurrence, _clock.GetUtcNow());

        Assert.Equal(TimerAction.Fire, decision.Action);
        Assert.False(decision.IsPastDue);
        Assert.Equal(_clock.GetUtcNow(), after.Last);
        Assert.Equal(status.Next, after.Next);
    }

    [Fact]
    public void Decide_StoredNextBeyondSchedule_ReschedulesWithoutFiring()
    {
        // Stored by a development clock that had jumped a month ahead; the restarted app is back at real time.
        var stale = new TimerStatus(_clock.GetUtcNow().AddDays(30), _clock.GetUtcNow().AddDays(30).AddMinutes(4), _clock.GetUtcNow().AddDays(30));

        var decision = TimerCatchUp.Decide(stale, EveryFiveMinutes, _clock.GetUtcNow(), false);

        Assert.Equal(TimerAction.Reschedule, decision.Action);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 35, 0, TimeSpan.Zero), decision.Status.Next);
    }

    [Fact]
    public void AfterInvocation_LongRun_NextIsAfterTheEndNotTheOccurrence()
    {
        var occurrence = new DateTimeOffset(2025, 3, 1, 8, 35, 0, TimeSpan.Zero);
        var ended = occurrence.AddMinutes(12);

        var after = TimerCatchUp.AfterInvocation(EveryFiveMinutes, occurrence, ended);

        Assert.Equal(occurrence, after.Last);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 50, 0, TimeSpan.Zero), after.Next);
        Assert.Equal(ended, after.LastUpdated);
    }

    [Fact]
    public void Decide_StepwiseClock_FiresExactlyOncePerOccurrence()
    {
        var status = TimerCatchUp.Initial(EveryFiveMinutes, _clock.GetUtcNow());
        var fires = 0;

        // One simulated hour in 250 ms checks: 12 occurrences, each fired once and on time.
        for (var i = 0; i < 4 * 60 * 60; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            var decision = TimerCatchUp.Decide(status, EveryFiveMinutes, _clock.GetUtcNow(), false);
            if (decision.Action == TimerAction.Fire)
            {
                Assert.False(decision.IsPastDue);
                fires++;
                status = TimerCatchUp.AfterInvocation(EveryFiveMinutes, decision.Occurrence, _clock.GetUtcNow());
            }
        }

        Assert.Equal(12, fires);
    }
}
