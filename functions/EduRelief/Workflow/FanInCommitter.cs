using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;

namespace EduRelief.Workflow;

/// <summary>
/// Records shard completions by group commit. Completions for one instance queue up in this process and are written
/// together: up to 98 completion rows (inserted, so a duplicate delivery conflicts instead of counting twice) plus the
/// fan-out's counter (guarded by its ETag) in one entity-group transaction. The transaction that brings the counter
/// to the total also writes the fan-in event's outbox row, so the fan-in is raised exactly once however many
/// instances complete shards concurrently, and a crash after that commit is repaired by the outbox sweep.
/// </summary>
public sealed class FanInCommitter(WorkflowTables tables, Lazy<WorkflowEngine> engine, ILogger<FanInCommitter> logger)
{
    private const int MaxRowsPerCommit = 98;
    private readonly ConcurrentDictionary<string, PartitionBuffer> _buffers = new();
    private readonly WorkflowTables _tables = tables;
    private readonly Lazy<WorkflowEngine> _engine = engine;
    private readonly ILogger<FanInCommitter> _logger = logger;

    /// <summary>Records the shard's result; true when this call recorded it, false when it had been recorded before.</summary>
    public Task<bool> CompleteAsync(string instanceId, string fanOutId, int shardIndex, JsonObject? result)
    {
        var buffer = _buffers.GetOrAdd(instanceId, id => new PartitionBuffer(id, this));
        return buffer.Enqueue(new Pending(fanOutId, shardIndex, result?.ToJsonString()));
    }

    internal static StepMessage CompletionEvent(string instanceId, string fanOutId, string name, int total) => new()
    {
        Type = StepMessage.Event,
        InstanceId = instanceId,
        EventId = "fanin|" + fanOutId,
        EventName = StepEvents.Completed(name),
        Payload = new JsonObject { ["fanOutId"] = fanOutId, ["total"] = total },
        Actor = "system",
    };

    private sealed record Pending(string FanOutId, int Shard, string? Result)
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Counter(ETag ETag, int Completed, int Total, string Name);

    private sealed class PartitionBuffer(string instanceId, FanInCommitter owner)
    {
        private readonly Lock _lock = new();
        private readonly List<Pending> _pending = [];
        private readonly Dictionary<string, Counter> _counters = [];
        private bool _flushing;

        public Task<bool> Enqueue(Pending pending)
        {
            lock (_lock)
            {
                _pending.Add(pending);
                if (!_flushing)
                {
                    _flushing = true;
                    _ = Task.Run(FlushLoopAsync);
                }
            }

            return pending.Done.Task;
        }

        private async Task FlushLoopAsync()
        {
            while (true)
            {
                List<Pending> batch;
                lock (_lock)
                {
                    if (_pending.Count == 0)
                    {
                        _flushing = false;
                        return;
                    }

                    var fanOutId = _pending[0].FanOutId;
                    batch = _pending.Where(p => p.FanOutId == fanOutId).Take(MaxRowsPerCommit).ToList();
                    foreach (var p in batch)
                    {
                        _pending.Remove(p);
                    }
                }

                try
                {
                    await CommitAsync(batch);
                }
                catch (Exception ex)
                {
                    _counters.Remove(batch[0].FanOutId);
                    foreach (var p in batch)
                    {
                        p.Done.TrySetException(ex);
                    }
                }
            }
        }

        private async Task CommitAsync(List<Pending> batch)
        {
            var table = owner._tables.Instances;
            var fanOutId = batch[0].FanOutId;

            // The same shard twice in one batch: the later copy is a duplicate delivery.
            var remaining = new List<Pending>();
            foreach (var group in batch.GroupBy(p => p.Shard))
            {
                remaining.Add(group.First());
                foreach (var dup in group.Skip(1))
                {
                    _ = group.First().Done.Task.ContinueWith(
                        t =>
                        {
                            if (t.IsFaulted)
                            {
                                dup.Done.TrySetException(t.Exception!.InnerExceptions);
                            }
                            else
                            {
                                dup.Done.TrySetResult(false);
                            }
                        },
                        TaskScheduler.Default);
                }
            }

            for (var attempt = 0; attempt < 100 && remaining.Count > 0; attempt++)
            {
                if (!_counters.TryGetValue(fanOutId, out var counter))
                {
                    var row = await table.GetEntityAsync<TableEntity>(instanceId, Keys.FanOut(fanOutId));
                    counter = new Counter(row.Value.ETag, row.Value.GetInt32("Completed") ?? 0, row.Value.GetInt32("Total") ?? 0, row.Value.GetString("Name"));
                    _counters[fanOutId] = counter;
                }

                var completed = counter.Completed + remaining.Count;
                var actions = remaining
                    .Select(p => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(instanceId, Keys.Done(fanOutId, p.Shard)) { ["Result"] = p.Result }))
                    .ToList();
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(instanceId, Keys.FanOut(fanOutId)) { ["Completed"] = completed }, counter.ETag));
                OutboxItem? fanIn = null;
                if (completed >= counter.Total && counter.Completed < counter.Total)
                {
                    var message = CompletionEvent(instanceId, fanOutId, counter.Name, counter.Total);
                    fanIn = new OutboxItem(Keys.Outbox("fanin." + fanOutId), OutboxItem.QueueKind, message.ToJson(), null, null, null);
                    actions.Add(new(TableTransactionActionType.Add, new TableEntity(instanceId, fanIn.RowKey) { ["Kind"] = fanIn.Kind, ["Body"] = fanIn.Body }));
                }

                try
                {
                    var response = await table.SubmitTransactionAsync(actions);
                    _counters[fanOutId] = counter with { ETag = response.Value[remaining.Count].Headers.ETag ?? default, Completed = completed };
                    foreach (var p in remaining)
                    {
                        p.Done.TrySetResult(true);
                    }

                    if (fanIn is not null)
                    {
                        await owner._engine.Value.DispatchAsync(instanceId, [fanIn], CancellationToken.None);
                    }

                    return;
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 412)
                {
                    _counters.Remove(fanOutId);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 409)
                {
                    // A completion row exists already: that shard was recorded by an earlier delivery.
                    var duplicates = ex.FailedTransactionActionIndex is int i && i < remaining.Count
                        ? [remaining[i]]
                        : await FindRecordedAsync(remaining);
                    if (duplicates.Count == 0)
                    {
                        throw;
                    }

                    foreach (var d in duplicates)
                    {
                        remaining.Remove(d);
                        d.Done.TrySetResult(false);
                    }
                }
            }

            if (remaining.Count > 0)
            {
                throw new InvalidOperationException($"Fan-out {fanOutId} of {instanceId} stayed contended.");
            }
        }

        private async Task<List<Pending>> FindRecordedAsync(List<Pending> candidates)
        {
            var found = new List<Pending>();
            foreach (var p in candidates)
            {
                var row = await owner._tables.Instances.GetEntityIfExistsAsync<TableEntity>(instanceId, Keys.Done(p.FanOutId, p.Shard), select: ["RowKey"]);
                if (row.HasValue)
                {
                    found.Add(p);
                }
            }

            owner._logger.LogDebug("{InstanceId}: {Count} shard completions were duplicates", instanceId, found.Count);
            return found;
        }
    }
}
