using Azure;
using Azure.Data.Tables;

namespace EduRelief.Workflow;

/// <summary>
/// Keeps one copy of an activity step running at a time. The queue delivers at least once, and a copy can arrive while
/// the first still runs: a message lease that lapsed under load (issue 13 saw the notice-end cut of a 1,000,000-student
/// county start five times within 24 s, each holding the county's rows), or an outbox row re-sent by the sweeper. Every
/// step is idempotent, so the copies were correct, but each one doubled the memory and the storage work.
/// The copy that runs holds row <c>r|{step}</c> in the instance's partition and beats it every <see cref="Heartbeat"/>;
/// a copy that finds another owner's fresh beat sends itself again after <see cref="DeferBy"/> and ends; a beat older
/// than <see cref="StaleAfter"/> (its process died) is taken over under its ETag. Beats are real time, not the app's
/// clock, which a development clock may move.
/// </summary>
public sealed class StepRuns(WorkflowTables tables, IConfiguration configuration, ILogger<StepRuns> logger)
{
    public TimeSpan Heartbeat { get; } =
        TimeSpan.TryParse(configuration["EDURELIEF_STEP_HEARTBEAT"], System.Globalization.CultureInfo.InvariantCulture, out var beat) && beat > TimeSpan.Zero
            ? beat
            : TimeSpan.FromSeconds(10);

    /// <summary>Four beats missed: the owner is gone (a process starved for that long is treated as gone too; the steps are idempotent).</summary>
    public TimeSpan StaleAfter => Heartbeat * 4;

    public TimeSpan DeferBy => Heartbeat * 2;

    private WorkflowTables Tables => tables;

    private ILogger Logger => logger;

    /// <summary>The step's run, now this copy's; null while another copy's run is alive.</summary>
    public async Task<StepRun?> TryClaimAsync(string instanceId, string stepId, CancellationToken cancellationToken)
    {
        var key = Keys.Running(stepId);
        var owner = Guid.NewGuid().ToString("N");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = TimeProvider.System.GetUtcNow();
            var row = new TableEntity(instanceId, key) { ["Owner"] = owner, ["BeatAt"] = now };
            var existing = await tables.Instances.GetEntityIfExistsAsync<TableEntity>(instanceId, key, cancellationToken: cancellationToken);
            try
            {
                if (!existing.HasValue)
                {
                    var added = await tables.Instances.AddEntityAsync(row, cancellationToken);
                    return new StepRun(this, row, added.Headers.ETag ?? ETag.All);
                }

                if (existing.Value!.GetDateTimeOffset("BeatAt") is { } beat && now - beat < StaleAfter)
                {
                    return null;
                }

                logger.LogWarning("{InstanceId}: step {StepId} was left running by a copy that stopped beating; taking it over", instanceId, stepId);
                var taken = await tables.Instances.UpdateEntityAsync(row, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return new StepRun(this, row, taken.Headers.ETag ?? ETag.All);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another copy claimed it between the read and the write: read again.
            }
        }

        return null;
    }

    /// <summary>A claimed run: beats until disposed, then gives the row up (a run whose row another copy took keeps running, unbeaten).</summary>
    public sealed class StepRun : IAsyncDisposable
    {
        private readonly StepRuns _runs;
        private readonly TableEntity _row;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _beating;
        private ETag _etag;

        internal StepRun(StepRuns runs, TableEntity row, ETag etag)
        {
            (_runs, _row, _etag) = (runs, row, etag);
            _beating = BeatAsync();
        }

        private async Task BeatAsync()
        {
            while (true)
            {
                try
                {
                    await Task.Delay(_runs.Heartbeat, TimeProvider.System, _stop.Token);
                    _row["BeatAt"] = TimeProvider.System.GetUtcNow();
                    _etag = (await _runs.Tables.Instances.UpdateEntityAsync(_row, _etag, TableUpdateMode.Replace, _stop.Token)).Headers.ETag ?? ETag.All;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                    _runs.Logger.LogWarning("{InstanceId}: another copy took over step row {Row}; this copy finishes unbeaten", _row.PartitionKey, _row.RowKey);
                    _etag = default;
                    return;
                }
                catch (Exception ex)
                {
                    // Transient: the next beat tries again; four missed beats let another copy take over, which is safe.
                    _runs.Logger.LogWarning("{InstanceId}: beating step row {Row} failed ({Error})", _row.PartitionKey, _row.RowKey, ex.GetType().Name);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _beating;
            _stop.Dispose();
            if (_etag == default)
            {
                return;
            }

            try
            {
                await _runs.Tables.Instances.DeleteEntityAsync(_row.PartitionKey, _row.RowKey, _etag);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Taken over meanwhile: the row is the other copy's.
            }
        }
    }
}
