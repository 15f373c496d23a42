namespace EduRelief.Runner;

/// <summary>
/// Fires one timer-triggered function. "Now" is the app's clock, which a development clock may move forward; checks
/// run every 250 ms of real time, and at once on <see cref="RunnerSignals.ClockChanged"/>, so a jump is noticed quickly.
/// </summary>
internal sealed class TimerListener(
    FunctionDefinition function,
    TimerTriggerBinding trigger,
    TimerStatusStore store,
    TimerSingletonLock singleton,
    IFunctionInvoker invoker,
    QueueOutputSender outputs,
    RunnerSignals signals,
    TimeProvider clock,
    TimeProvider realTime,
    ILogger logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private TimerStatus _status = TimerCatchUp.Initial(trigger.Schedule, clock.GetUtcNow());
    private bool _runOnStartupPending = trigger.RunOnStartup;
    private int _failures;
    private long _retryAt;

    private TimerSchedule Schedule => trigger.Schedule;

    /// <param name="stopping">Stop checking.</param>
    /// <param name="abandon">Cuts off an invocation in flight; fired a grace period after <paramref name="stopping"/>.</param>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abandon)
    {
        try
        {
            if (trigger.UseMonitor)
            {
                _status = await store.ReadAsync(function.Name, stopping) ?? _status;
            }

            logger.LogInformation("{Function}: schedule '{Schedule}' ({TimeZone}), next occurrence {Next}.", function.Name, Schedule, Schedule.TimeZone.Id, InvocationPayloads.Iso(_status.Next));
            while (!stopping.IsCancellationRequested)
            {
                var clockChanged = signals.NextClockChange;
                try
                {
                    await CheckAsync(stopping, abandon);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    logger.LogWarning("{Function}: timer check failed: {Error}", function.Name, ex.Message);
                }

                await Wait.ForSignalOrDelayAsync(clockChanged, CheckInterval, realTime, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await singleton.ReleaseAsync();
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken, CancellationToken abandon)
    {
        await singleton.RenewIfDueAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var decision = TimerCatchUp.Decide(_status, Schedule, now, _runOnStartupPending);
        if (decision.Action == TimerAction.Reschedule)
        {
            _status = decision.Status;
            return;
        }

        if (decision.Action != TimerAction.Fire || realTime.GetTimestamp() < _retryAt)
        {
            return;
        }

        var lockState = await singleton.TryHoldAsync(cancellationToken);
        if (lockState == TimerLockState.NotTried)
        {
            return;
        }

        if (lockState != TimerLockState.Held)
        {
            // Whoever held the lock may have fired and moved Next on; without re-reading, this instance would fire again.
            if (trigger.UseMonitor)
            {
                _status = await store.ReadAsync(function.Name, cancellationToken) ?? _status;
            }

            if (lockState == TimerLockState.HeldElsewhere)
            {
                return;
            }

            decision = TimerCatchUp.Decide(_status, Schedule, now, _runOnStartupPending);
            if (decision.Action != TimerAction.Fire)
            {
                _status = decision.Status;
                return;
            }
        }

        // A started invocation and the status write after it run to the end unless abandoned, so a shutdown does not
        // throw away a successful run and fire it again on the next start.
        await FireAsync(decision, now, abandon);
    }

    private async Task FireAsync(TimerDecision decision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payload = InvocationPayloads.ForTimer(function.Name, trigger.Name, decision.Status, decision.IsPastDue, now, Guid.NewGuid());
        var outcome = await invoker.InvokeAsync(function.Name, payload, cancellationToken);
        if (outcome.Succeeded)
        {
            try
            {
                await outputs.SendAsync(outcome.Response, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = outcome with { Succeeded = false, Failure = $"sending its queue outputs failed: {ex.Message}" };
            }
        }

        if (!outcome.Succeeded)
        {
            // The status stays put so the next check retries; the delay keeps a broken function from being hammered.
            _failures++;
            var delay = TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, Math.Pow(2, _failures - 1)));
            _retryAt = realTime.GetTimestamp() + (long)(delay.TotalSeconds * realTime.TimestampFrequency);
            logger.LogWarning("{Function}: timer invocation failed after {Duration} ms: {Reason}; retrying in {Delay} s.", function.Name, (long)outcome.Duration.TotalMilliseconds, outcome.Failure, delay.TotalSeconds);
            return;
        }

        _failures = 0;
        _retryAt = 0;
        _runOnStartupPending = false;
        _status = TimerCatchUp.AfterInvocation(Schedule, decision.Occurrence, clock.GetUtcNow());
        // Debug: a timer firing is routine (the sweep every 5 s); what the function did is its own log line, if any.
        logger.LogDebug(
            "{Function}: timer fired (past due: {IsPastDue}) in {Duration} ms with status {Status}; next occurrence {Next}.",
            function.Name, decision.IsPastDue, (long)outcome.Duration.TotalMilliseconds, outcome.StatusCode, InvocationPayloads.Iso(_status.Next));
        if (trigger.UseMonitor)
        {
            await store.WriteAsync(function.Name, _status, cancellationToken);
        }
    }
}
