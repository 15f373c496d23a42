using System.Text.Json.Nodes;

namespace EduRelief.Workflow;

/// <summary>
/// A unit of work run from the step queue. It must be idempotent: the same step may run more than once (a crash
/// after the work but before the step was recorded), and only its first recorded result counts.
/// </summary>
public interface IActivity
{
    string Kind { get; }

    RetryPolicy Retry => RetryPolicy.Default;

    Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken);
}

public sealed record ActivityContext(string InstanceId, string StepId, JsonObject? Input, int Attempt, string? ShardKey, int? ShardIndex);

/// <summary>Attempts and exponential backoff (by the queue's visibility delay) per activity kind.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static readonly RetryPolicy Default = new(5, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5));

    public TimeSpan DelayBefore(int attempt)
    {
        // attempt 2 waits FirstDelay, attempt 3 twice that, and so on.
        var factor = Math.Pow(2, Math.Max(0, attempt - 2));
        var delay = TimeSpan.FromTicks((long)Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * factor));
        return delay;
    }
}
