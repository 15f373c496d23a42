namespace EduRelief.Dev;

/// <summary>
/// The development clock: real time plus an offset that <c>POST /api/dev/clock</c> moves. A clock that was set keeps
/// running forward in real time from the moment it was set. Only ever registered in Development.
/// </summary>
public sealed class DevClock(TimeProvider real) : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => real.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;

    public override long TimestampFrequency => real.TimestampFrequency;

    public override long GetTimestamp() => real.GetTimestamp();

    public DateTimeOffset SetTo(DateTimeOffset target)
    {
        Interlocked.Exchange(ref _offsetTicks, (target - real.GetUtcNow()).Ticks);
        return GetUtcNow();
    }

    /// <summary>Moves forward only: a clock that went back would re-open periods that have already ended.</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        }

        Interlocked.Add(ref _offsetTicks, by.Ticks);
        return GetUtcNow();
    }
}
