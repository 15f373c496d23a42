namespace EduRelief.Runner;

internal static class Wait
{
    /// <summary>Returns when <paramref name="signal"/> completes, the real-time delay passes, or stopping is requested; never throws.</summary>
    public static async Task ForSignalOrDelayAsync(Task signal, TimeSpan delay, TimeProvider realTime, CancellationToken stopping)
    {
        using var cancelDelay = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var delayTask = Task.Delay(delay, realTime, cancelDelay.Token);
        await Task.WhenAny(signal, delayTask);
        await cancelDelay.CancelAsync();
        try
        {
            await delayTask;
        }
        catch (OperationCanceledException)
        {
            // Expected: the delay is cancelled as soon as the signal wins.
        }
    }
}
