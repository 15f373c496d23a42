using System.Collections.Concurrent;

namespace EduRelief.Runner;

/// <summary>
/// Lets the app nudge the runner: a message it just wrote should be picked up without waiting out the polling backoff,
/// and a development clock that jumped should be noticed by the timers at once. A signal is only a hint; every loop
/// also polls, so a missed signal costs latency, never correctness.
/// </summary>
public sealed class RunnerSignals
{
    private readonly ConcurrentDictionary<string, Pulse> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly Pulse _clock = new();

    /// <summary>Wakes the pollers of <paramref name="queueName"/> now.</summary>
    public void QueueWritten(string queueName)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        QueuePulse(queueName).Fire();
    }

    /// <summary>Makes every timer re-check its schedule now.</summary>
    public void ClockChanged() => _clock.Fire();

    /// <summary>Completes at the next <see cref="QueueWritten"/> for the queue. Take it before polling so a write during the poll is not lost.</summary>
    internal Task NextQueueWrite(string queueName) => QueuePulse(queueName).Next;

    /// <summary>Completes at the next <see cref="ClockChanged"/>. Take it before checking so a change during the check is not lost.</summary>
    internal Task NextClockChange => _clock.Next;

    private Pulse QueuePulse(string queueName) => _queues.GetOrAdd(queueName, static _ => new Pulse());
}

/// <summary>A broadcast edge: every task taken from <see cref="Next"/> before <see cref="Fire"/> completes when it is called.</summary>
internal sealed class Pulse
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _current).Task;

    public void Fire() =>
        Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
