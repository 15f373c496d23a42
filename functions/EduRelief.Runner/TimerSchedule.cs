using Cronos;

namespace EduRelief.Runner;

/// <summary>An NCRONTAB schedule (seconds first, as the Functions host reads it) in the app's time zone.</summary>
public sealed class TimerSchedule
{
    private readonly CronExpression _cron;

    private TimerSchedule(string expression, CronExpression cron, TimeZoneInfo timeZone)
    {
        Expression = expression;
        _cron = cron;
        TimeZone = timeZone;
    }

    public string Expression { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Six fields (seconds first) as the host documents; five fields are accepted as minute-first like the host's NCrontab.</summary>
    /// <exception cref="FormatException">The expression is not a valid schedule.</exception>
    public static TimerSchedule Parse(string expression, TimeZoneInfo timeZone)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
        var format = fields switch
        {
            6 => CronFormat.IncludeSeconds,
            5 => CronFormat.Standard,
            _ => throw new FormatException($"'{expression}' has {fields} fields; an NCRONTAB schedule has six (second minute hour day month weekday)."),
        };
        try
        {
            return new TimerSchedule(expression, CronExpression.Parse(expression, format), timeZone);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"'{expression}' is not a valid NCRONTAB schedule: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The first occurrence strictly after <paramref name="instant"/>, in UTC. A schedule that never occurs again
    /// (say, 30 February) gives <see cref="DateTimeOffset.MaxValue"/>, which is never due.
    /// </summary>
    public DateTimeOffset NextAfter(DateTimeOffset instant) =>
        _cron.GetNextOccurrence(instant, TimeZone)?.ToUniversalTime() ?? DateTimeOffset.MaxValue;

    public override string ToString() => Expression;
}
