using Azure;
using Azure.Data.Tables;

namespace EduRelief.Workflow;

/// <summary>
/// The timer function's work: fire due timers (each raised once, by its timer id) and re-send outbox rows that a
/// crash left behind. Safe to run on several instances at once: every effect is idempotent.
/// </summary>
public sealed class WorkflowSweeper(WorkflowTables tables, WorkflowEngine engine, TimeProvider clock, IConfiguration configuration, ILogger<WorkflowSweeper> logger)
{
    /// <summary>
    /// An outbox row younger than this is probably still being dispatched by the transition that wrote it. Stranded
    /// rows exist only after a crash, and finding them scans the table across partitions, so the scan also runs at
    /// most this often per instance; due timers are a cheap range query and are checked on every tick.
    /// </summary>
    private readonly TimeSpan _repairAfter = TimeSpan.TryParse(configuration["EDURELIEF_OUTBOX_REPAIR_AFTER"], System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
        ? t
        : TimeSpan.FromSeconds(30);

    private long _lastOutboxScan = long.MinValue;

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var fired = await FireDueTimersAsync(cancellationToken);
        var resent = 0;
        var now = TimeProvider.System.GetTimestamp();
        var last = Interlocked.Read(ref _lastOutboxScan);
        if ((last == long.MinValue || TimeProvider.System.GetElapsedTime(last, now) >= _repairAfter)
            && Interlocked.CompareExchange(ref _lastOutboxScan, now, last) == last)
        {
            resent = await ResendStaleOutboxAsync(cancellationToken);
        }

        return new SweepResult(fired, resent);
    }

    private async Task<int> FireDueTimersAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var upTo = $"{now.UtcTicks + 1:D19}";
        var fired = 0;
        await foreach (var row in tables.Timers.QueryAsync<TableEntity>(e => e.PartitionKey == "due" && e.RowKey.CompareTo(upTo) < 0, cancellationToken: cancellationToken))
        {
            var instanceId = row.GetString("InstanceId");
            var timerId = row.GetString("TimerId");
            EventResult result;
            try
            {
                result = await engine.RaiseAsync(
                    instanceId,
                    new WorkflowEvent(WorkflowEngine.TimerEventPrefix + timerId, row.GetString("Event"), null, "timer", "timer due"),
                    cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Left in place to be tried again; the timers due after it still fire.
                logger.LogError(ex, "{InstanceId}: timer {TimerId} could not fire", instanceId, timerId);
                continue;
            }

            if (result.Outcome == EventOutcome.Applied)
            {
                fired++;
            }
            else
            {
                logger.LogInformation("{InstanceId}: timer {TimerId} was {Outcome}", instanceId, timerId, result.Outcome);
            }

            try
            {
                await tables.Timers.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Another sweeper got there first.
            }
        }

        return fired;
    }

    private async Task<int> ResendStaleOutboxAsync(CancellationToken cancellationToken)
    {
        // Storage timestamps are real time, so this compares against the real clock, not the app's (maybe shifted) one.
        var cutoff = TimeProvider.System.GetUtcNow() - _repairAfter;
        var filter = TableClient.CreateQueryFilter($"RowKey ge {Keys.OutboxPrefix} and RowKey lt {Keys.End(Keys.OutboxPrefix)} and Timestamp lt {cutoff}");
        var stale = new List<TableEntity>();
        await foreach (var row in tables.Instances.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            stale.Add(row);
        }

        foreach (var group in stale.GroupBy(r => r.PartitionKey))
        {
            logger.LogWarning("{InstanceId}: re-sending {Count} outbox rows left by an interrupted transition", group.Key, group.Count());
            await engine.DispatchAsync(group.Key, group.Select(EffectRows.FromEntity).ToList(), cancellationToken);
        }

        return stale.Count;
    }
}

public sealed record SweepResult(int TimersFired, int OutboxResent);
