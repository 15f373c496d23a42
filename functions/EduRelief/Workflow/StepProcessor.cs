using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using EduRelief.Observability;

namespace EduRelief.Workflow;

/// <summary>
/// Handles one message from the step queue. Activity failures are retried with the kind's backoff by sending the
/// message again with a visibility delay; after the last attempt the step is dead-lettered where operators see it.
/// Storage outages are not caught here: the invocation fails and the queue redelivers, then poisons.
/// </summary>
public sealed class StepProcessor(
    WorkflowEngine engine,
    WorkflowTables tables,
    StepQueue queue,
    FanInCommitter committer,
    StepRuns runs,
    IEnumerable<IActivity> activities,
    TimeProvider clock,
    AppMetrics metrics,
    ILogger<StepProcessor> logger)
{
    private readonly Dictionary<string, IActivity> _activities = activities.ToDictionary(a => a.Kind);

    public async Task HandleAsync(StepMessage message, CancellationToken cancellationToken)
    {
        switch (message.Type)
        {
            case StepMessage.Event:
                var result = await engine.RaiseAsync(
                    message.InstanceId,
                    new WorkflowEvent(message.EventId!, message.EventName!, message.Payload, message.Actor ?? "system"),
                    cancellationToken);
                if (result.Outcome is not (EventOutcome.Applied or EventOutcome.Duplicate))
                {
                    logger.LogInformation("{InstanceId}: event {Event} was {Outcome}", message.InstanceId, message.EventName, result.Outcome);
                }

                break;
            case StepMessage.Dispatch:
                await DispatchFanOutAsync(message, cancellationToken);
                break;
            case StepMessage.Activity or StepMessage.Shard:
                await RunAsync(message, cancellationToken);
                break;
            default:
                await DeadLetterAsync(message, $"Unknown step message type '{message.Type}'.", cancellationToken);
                break;
        }
    }

    private async Task RunAsync(StepMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind is null || !_activities.TryGetValue(message.Kind, out var activity))
        {
            await DeadLetterAsync(message, $"No activity of kind '{message.Kind}' is registered.", cancellationToken);
            return;
        }

        if (message.Type == StepMessage.Shard && await ShardRecordedAsync(message, cancellationToken))
        {
            // A second copy of a shard whose result is already recorded (a re-sent dispatch chunk, or a delivery whose
            // lease lapsed after the first had finished): running it again would only be thrown away by the fan-in.
            logger.LogDebug("{InstanceId}: shard {StepId} was recorded before; not run again", message.InstanceId, message.DeadLetterKey);
            return;
        }

        if (message.Type == StepMessage.Activity)
        {
            if (await StepRecordedAsync(message, cancellationToken))
            {
                // A copy of a step whose completion is recorded (a lapsed lease, a re-sent outbox row): done already.
                logger.LogInformation("{InstanceId}: step {StepId} ({Kind}) completed before; this copy does not run it", message.InstanceId, message.StepId, message.Kind);
                return;
            }

            await using var run = await runs.TryClaimAsync(message.InstanceId, message.StepId!, cancellationToken);
            if (run is null)
            {
                logger.LogInformation("{InstanceId}: step {StepId} ({Kind}) is running in another copy; this one looks again in {Delay}",
                    message.InstanceId, message.StepId, message.Kind, runs.DeferBy);
                await queue.SendAsync(message, runs.DeferBy, cancellationToken);
                return;
            }

            await RunOnceAsync(message, activity, cancellationToken);
            return;
        }

        await RunOnceAsync(message, activity, cancellationToken);
    }

    private async Task RunOnceAsync(StepMessage message, IActivity activity, CancellationToken cancellationToken)
    {
        JsonObject? output;
        try
        {
            var context = new ActivityContext(message.InstanceId, message.StepId!, message.Input, message.Attempt, message.ShardKey, message.ShardIndex);
            output = await activity.RunAsync(context, cancellationToken);
            metrics.StepRun(message.Kind, succeeded: true);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.StepRun(message.Kind, succeeded: false);
            var policy = activity.Retry;
            if (message.Attempt < policy.MaxAttempts)
            {
                metrics.StepRetried(message.Kind);
                var delay = policy.DelayBefore(message.Attempt + 1);
                logger.LogWarning("{InstanceId}: step {StepId} ({Kind}) failed attempt {Attempt} with {Error}; retrying in {Delay}",
                    message.InstanceId, message.DeadLetterKey, message.Kind, message.Attempt, ex.GetType().Name, delay);
                await queue.SendAsync(message with { Attempt = message.Attempt + 1 }, delay, cancellationToken);
            }
            else
            {
                await DeadLetterAsync(message, $"{ex.GetType().Name}: {ex.Message}", cancellationToken);
            }

            return;
        }

        if (message.Type == StepMessage.Shard)
        {
            await committer.CompleteAsync(message.InstanceId, message.StepId!, message.ShardIndex!.Value, output);
        }
        else
        {
            await engine.RaiseAsync(
                message.InstanceId,
                new WorkflowEvent(StepEvents.CompletionId(message.StepId!), StepEvents.Completed(message.Name!), output, "system"),
                cancellationToken);
        }
    }

    private async Task<bool> StepRecordedAsync(StepMessage message, CancellationToken cancellationToken) =>
        (await tables.Instances.GetEntityIfExistsAsync<TableEntity>(
            message.InstanceId, Keys.Event(StepEvents.CompletionId(message.StepId!)), select: ["RowKey"], cancellationToken: cancellationToken)).HasValue;

    private async Task<bool> ShardRecordedAsync(StepMessage message, CancellationToken cancellationToken) =>
        (await tables.Instances.GetEntityIfExistsAsync<TableEntity>(
            message.InstanceId, Keys.Done(message.StepId!, message.ShardIndex!.Value), select: ["RowKey"], cancellationToken: cancellationToken)).HasValue;

    /// <summary>
    /// Sends one message per shard. Progress is saved every 100 sends in its own row (not the counter row, whose
    /// ETag the completions contend on), so a redelivered dispatch resends at most one chunk; duplicates are harmless.
    /// </summary>
    private async Task DispatchFanOutAsync(StepMessage message, CancellationToken cancellationToken)
    {
        var fanOutId = message.StepId!;
        var row = (await tables.Instances.GetEntityAsync<TableEntity>(message.InstanceId, Keys.FanOut(fanOutId), cancellationToken: cancellationToken)).Value;
        var shards = JsonSerializer.Deserialize<string[]>(row.GetString("Shards") ?? "[]") ?? [];
        var input = row.GetString("Input") is { } text ? JsonNode.Parse(text) as JsonObject : null;
        var progressKey = "p|" + fanOutId;
        var progress = await tables.Instances.GetEntityIfExistsAsync<TableEntity>(message.InstanceId, progressKey, cancellationToken: cancellationToken);
        var start = progress.HasValue ? progress.Value!.GetInt32("Dispatched") ?? 0 : 0;
        for (var i = start; i < shards.Length; i += 100)
        {
            var end = Math.Min(shards.Length, i + 100);
            await Parallel.ForEachAsync(Enumerable.Range(i, end - i), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (index, ct) =>
                await queue.SendAsync(
                    new StepMessage
                    {
                        Type = StepMessage.Shard,
                        InstanceId = message.InstanceId,
                        StepId = fanOutId,
                        Name = message.Name,
                        Kind = message.Kind,
                        Input = input?.DeepClone() as JsonObject,
                        ShardIndex = index,
                        ShardKey = shards[index],
                    },
                    null,
                    ct));
            if (end < shards.Length)
            {
                await tables.Instances.UpsertEntityAsync(new TableEntity(message.InstanceId, progressKey) { ["Dispatched"] = end }, cancellationToken: cancellationToken);
            }
        }
    }

    public async Task DeadLetterAsync(StepMessage message, string error, CancellationToken cancellationToken)
    {
        metrics.StepDeadLettered(message.Kind);
        logger.LogError("{InstanceId}: step {StepId} ({Kind}) dead-lettered after {Attempts} attempts",
            message.InstanceId, message.DeadLetterKey, message.Kind, message.Attempt);
        await tables.DeadLetters.UpsertEntityAsync(
            new TableEntity(Keys.Safe(message.InstanceId), Keys.Safe(message.DeadLetterKey))
            {
                ["Type"] = message.Type,
                ["Name"] = message.Name,
                ["Kind"] = message.Kind,
                ["ShardKey"] = message.ShardKey,
                ["Error"] = Truncate(error, 4000),
                ["Attempts"] = message.Attempt,
                ["FailedAt"] = clock.GetUtcNow(),
                ["Message"] = (message with { Attempt = 1 }).ToJson(),
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string instanceId, CancellationToken cancellationToken)
    {
        var list = new List<DeadLetter>();
        await foreach (var e in tables.DeadLetters.QueryAsync<TableEntity>(x => x.PartitionKey == Keys.Safe(instanceId), 100, cancellationToken: cancellationToken))
        {
            list.Add(new DeadLetter(e.RowKey, e.GetString("Type") ?? "", e.GetString("Name"), e.GetString("Kind"), e.GetString("ShardKey"),
                e.GetString("Error") ?? "", e.GetInt32("Attempts") ?? 0, e.GetDateTimeOffset("FailedAt") ?? default));
            if (list.Count >= 100)
            {
                break;
            }
        }

        return list;
    }

    /// <summary>An operator's retry: the step runs again from attempt 1, and leaves the dead-letter table.</summary>
    public async Task<bool> RetryDeadLetterAsync(string instanceId, string deadLetterId, CancellationToken cancellationToken)
    {
        var row = await tables.DeadLetters.GetEntityIfExistsAsync<TableEntity>(Keys.Safe(instanceId), deadLetterId, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value!.GetString("Message") is not { } text)
        {
            return false;
        }

        await queue.SendAsync(StepMessage.Parse(text), null, cancellationToken);
        try
        {
            await tables.DeadLetters.DeleteEntityAsync(row.Value.PartitionKey, row.Value.RowKey, row.Value.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Another operator retried it at the same moment; the step is idempotent.
        }

        return true;
    }

    /// <summary>
    /// An operator's discard: the step will not run; it leaves the dead-letter table and is kept in table
    /// <c>discards</c> with the reason, who discarded it and when. Null when no such dead letter exists.
    /// </summary>
    public async Task<DiscardedStep?> DiscardDeadLetterAsync(string instanceId, string deadLetterId, string reason, string actor, CancellationToken cancellationToken)
    {
        var row = await tables.DeadLetters.GetEntityIfExistsAsync<TableEntity>(Keys.Safe(instanceId), deadLetterId, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var dead = row.Value!;
        var discarded = new DiscardedStep(dead.RowKey, dead.GetString("Name"), dead.GetString("Kind"), reason, actor, clock.GetUtcNow());
        var record = new TableEntity(dead.PartitionKey, dead.RowKey)
        {
            ["Reason"] = reason,
            ["DiscardedBy"] = actor,
            ["DiscardedAt"] = discarded.DiscardedAt,
        };
        foreach (var (key, value) in dead)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                record[key] = value;
            }
        }

        // Recorded first: a crash before the delete leaves the step dead-lettered, and discarding it again rewrites the record.
        await tables.Discarded.UpsertEntityAsync(record, TableUpdateMode.Replace, cancellationToken);
        try
        {
            await tables.DeadLetters.DeleteEntityAsync(dead.PartitionKey, dead.RowKey, dead.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Retried or discarded by another operator at the same moment.
        }

        logger.LogInformation("{InstanceId}: dead-lettered step {StepId} discarded", instanceId, deadLetterId);
        return discarded;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>A dead-lettered step an operator discarded.</summary>
public sealed record DiscardedStep(string DeadLetterId, string? Name, string? Kind, string Reason, string DiscardedBy, DateTimeOffset DiscardedAt);
