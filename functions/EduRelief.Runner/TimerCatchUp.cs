namespace EduRelief.Runner;

/// <summary>A timer's schedule status, persisted like the Functions host's schedule monitor does.</summary>
public sealed record TimerStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

public enum TimerAction
{
    /// <summary>Nothing is due.</summary>
    Wait,

    /// <summary>Invoke now.</summary>
    Fire,

    /// <summary>The stored Next lies beyond the schedule's next occurrence; use <see cref="TimerDecision.Status"/> instead.</summary>
    Reschedule,
}

/// <param name="Occurrence">The scheduled time being fired (or now for a run-on-startup invocation); becomes Last.</param>
/// <param name="Status">For Fire, the status to show the function; for Reschedule, the corrected status.</param>
public readonly record struct TimerDecision(TimerAction Action, bool IsPastDue, DateTimeOffset Occurrence, TimerStatus Status);

/// <summary>When a timer fires. Pure, so the rules can be tested against a fake clock.</summary>
public static class TimerCatchUp
{
    /// <summary>
    /// How late an occurrence may be and still count as on time. Checks run every 250 ms of real time, so an on-time
    /// fire is a fraction of a second late; a missed occurrence (app down, development clock jumped) is far later.
    /// </summary>
    public static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(2);

    /// <summary>A timer with no stored status waits for its next occurrence, as the host does on first start.</summary>
    public static TimerStatus Initial(TimerSchedule schedule, DateTimeOffset now) => new(default, schedule.NextAfter(now), now);

    public static TimerDecision Decide(TimerStatus status, TimerSchedule schedule, DateTimeOffset now, bool runOnStartupPending)
    {
        if (status.Next <= now)
        {
            // However many occurrences were missed, the host fires once and flags it; the function catches up itself.
            return new TimerDecision(TimerAction.Fire, now - status.Next > PastDueTolerance, status.Next, status);
        }

        if (runOnStartupPending)
        {
            return new TimerDecision(TimerAction.Fire, false, now, status);
        }

        // A stored Next later than the schedule allows means the schedule changed or the clock went back (a development
        // clock reset by a restart); waiting for the stale Next could silence the timer for days.
        var expected = schedule.NextAfter(now);
        return expected < status.Next
            ? new TimerDecision(TimerAction.Reschedule, false, status.Next, status with { Next = expected })
            : new TimerDecision(TimerAction.Wait, false, status.Next, status);
    }

    /// <summary>
    /// The status after a successful invocation. Next is computed from the time the invocation ended, not from the
    /// occurrence, so a long run or a clock jump does not queue up a burst of catch-up invocations.
    /// </summary>
    public static TimerStatus AfterInvocation(TimerSchedule schedule, DateTimeOffset occurrence, DateTimeOffset now) =>
        new(occurrence, schedule.NextAfter(now), now);
}
