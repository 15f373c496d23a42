using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Workflow;

/// <summary>
/// Runs instances of <see cref="WorkflowDefinition"/>s on Azure Tables and Queues. A transition reads the state row,
/// then writes the new state (guarded by its ETag), its history row, the event's idempotency marker and its outbox in
/// one entity-group transaction; only after that commit are queue messages sent. A crash between the two leaves
/// outbox rows that <see cref="WorkflowSweeper"/> sends again, and every receiver is idempotent.
/// </summary>
public sealed class WorkflowEngine(
    WorkflowTables tables,
    WorkflowRegistry registry,
    StepQueue queue,
    TimeProvider clock,
    ILogger<WorkflowEngine> logger)
{

    /// <summary>Chinese text stored as itself, not as six-character \uXXXX escapes: names and reasons fill instance data.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions StoredJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };
    private const int MaxDataChars = 8 * ChunkedText.ChunkChars;
    private const int MaxConflictRetries = 50;

    private TableClient Table => tables.Instances;

    public async Task<StartResult> StartAsync(string instanceId, string definitionName, JsonObject data, string actor, string? reason, CancellationToken cancellationToken)
    {
        if (!Keys.IsValidInstanceId(instanceId))
        {
            throw new ArgumentException("Instance ids are 1-100 letters, digits, '-', '_' or '.'.", nameof(instanceId));
        }

        var definition = registry.Latest(definitionName) ?? throw new InvalidOperationException($"No workflow named '{definitionName}' is registered.");
        var now = clock.GetUtcNow();
        var evt = new WorkflowEvent("start", "start", null, actor, reason);
        var context = new TransitionContext(instanceId, definition.InitialStage, 1, data, evt, now);
        var effects = definition.OnStart(context).ToList();

        var state = new TableEntity(instanceId, Keys.State)
        {
            ["Definition"] = definition.Name,
            ["Version"] = definition.Version,
            ["Stage"] = definition.InitialStage,
            ["Sequence"] = 1L,
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
        };
        WriteData(state, context.Data);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, state),
            new(TableTransactionActionType.Add, HistoryRow(instanceId, 1, now, evt, null, definition.InitialStage, context.Reason)),
        };
        var outbox = EffectRows.Append(actions, instanceId, 1, effects);
        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            var existing = await GetAsync(instanceId, cancellationToken) ?? throw new InvalidOperationException("An instance conflicted on create but cannot be read.", ex);
            return new StartResult(false, existing);
        }

        logger.LogInformation("Started {InstanceId} on {Definition} v{Version}", instanceId, definition.Name, definition.Version);
        await DispatchAsync(instanceId, outbox, cancellationToken);
        return new StartResult(true, ToSnapshot(state));
    }

    public async Task<EventResult> RaiseAsync(string instanceId, WorkflowEvent evt, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(instanceId, Keys.State, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is null)
            {
                return new EventResult(EventOutcome.NotFound, null);
            }

            var entity = response.Value;
            var snapshot = ToSnapshot(entity);
            var definition = registry.Get(snapshot.Definition, snapshot.Version)
                ?? throw new InvalidOperationException($"Instance {instanceId} runs {snapshot.Definition} v{snapshot.Version}, which this build does not register.");
            var transition = definition.TerminalStages.Contains(snapshot.Stage) ? null : definition.Find(snapshot.Stage, evt.Name);
            if (transition is null)
            {
                return await AlreadyAppliedAsync(instanceId, evt, cancellationToken)
                    ? new EventResult(EventOutcome.Duplicate, snapshot)
                    : new EventResult(EventOutcome.NotApplicable, snapshot, $"'{evt.Name}' does not apply in stage '{snapshot.Stage}'.");
            }

            var sequence = snapshot.Sequence + 1;
            var now = clock.GetUtcNow();
            var context = new TransitionContext(instanceId, snapshot.Stage, sequence, (JsonObject)snapshot.Data.DeepClone(), evt, now);
            var refusal = transition.Guard?.Invoke(context);
            if (refusal is not null)
            {
                return await AlreadyAppliedAsync(instanceId, evt, cancellationToken)
                    ? new EventResult(EventOutcome.Duplicate, snapshot)
                    : new EventResult(EventOutcome.Refused, snapshot, refusal);
            }

            var effects = transition.Effects?.Invoke(context).ToList() ?? [];
            var to = transition.Next(context);
            var state = new TableEntity(instanceId, Keys.State)
            {
                ["Definition"] = snapshot.Definition,
                ["Version"] = snapshot.Version,
                ["Stage"] = to,
                ["Sequence"] = sequence,
                ["CreatedAt"] = snapshot.CreatedAt,
                ["UpdatedAt"] = now,
            };
            WriteData(state, context.Data);
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(instanceId, Keys.Event(evt.Id)) { ["Event"] = evt.Name, ["Sequence"] = sequence, ["At"] = now }),
                new(TableTransactionActionType.UpdateReplace, state, entity.ETag),
                new(TableTransactionActionType.Add, HistoryRow(instanceId, sequence, now, evt, snapshot.Stage, to, context.Reason)),
            };
            if (evt.Id.StartsWith(TimerEventPrefix, StringComparison.Ordinal))
            {
                var timerRow = new TableEntity(instanceId, Keys.Timer(evt.Id[TimerEventPrefix.Length..])) { ["Status"] = "fired", ["FiredAt"] = now };
                actions.Add(new(TableTransactionActionType.UpsertMerge, timerRow));
            }

            var outbox = EffectRows.Append(actions, instanceId, sequence, effects);
            try
            {
                await Table.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                if (await AlreadyAppliedAsync(instanceId, evt, cancellationToken))
                {
                    return new EventResult(EventOutcome.Duplicate, snapshot);
                }

                throw;
            }

            logger.LogInformation("{InstanceId}: {Event} moved {From} to {To}", instanceId, evt.Name, snapshot.Stage, to);
            await DispatchAsync(instanceId, outbox, cancellationToken);
            return new EventResult(EventOutcome.Applied, ToSnapshot(state));
        }

        throw new InvalidOperationException($"Instance {instanceId} stayed contended for {MaxConflictRetries} attempts.");
    }

    internal const string TimerEventPrefix = "timer|";

    public async Task<InstanceSnapshot?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(instanceId, Keys.State, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is not null ? ToSnapshot(response.Value) : null;
    }

    public async Task<Storage.Page<HistoryEntry>> GetHistoryAsync(string instanceId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and RowKey ge {Keys.HistoryPrefix} and RowKey lt {Keys.End(Keys.HistoryPrefix)}");
        await foreach (var page in Table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(continuationToken, pageSize))
        {
            var items = page.Values.Select(e => new HistoryEntry(
                e.GetInt64("Sequence") ?? 0,
                e.GetDateTimeOffset("At") ?? default,
                e.GetString("Actor") ?? "",
                e.GetString("Event") ?? "",
                e.GetString("From"),
                e.GetString("To") ?? "",
                e.GetString("Reason"))).ToList();
            return new Storage.Page<HistoryEntry>(items, page.ContinuationToken);
        }

        return new Storage.Page<HistoryEntry>([], null);
    }

    /// <summary>Carries out outbox rows, then deletes them. Failures leave the rows for the sweeper.</summary>
    internal async Task DispatchAsync(string instanceId, IReadOnlyList<OutboxItem> outbox, CancellationToken cancellationToken)
    {
        if (outbox.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var item in outbox)
            {
                if (item.Kind == OutboxItem.TimerKind)
                {
                    var due = item.DueAt!.Value;
                    await tables.Timers.UpsertEntityAsync(
                        new TableEntity("due", $"{due.UtcTicks:D19}|{instanceId}|{item.TimerId}")
                        {
                            ["InstanceId"] = instanceId,
                            ["TimerId"] = item.TimerId,
                            ["Event"] = item.TimerEvent,
                            ["DueAt"] = due,
                        },
                        TableUpdateMode.Replace,
                        cancellationToken);
                }
                else
                {
                    await queue.SendAsync(item.Body!, null, cancellationToken);
                }
            }

            foreach (var chunk in outbox.Chunk(100))
            {
                var deletes = chunk.Select(i => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(instanceId, i.RowKey), ETag.All));
                await Table.SubmitTransactionAsync(deletes, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or TableTransactionFailedException)
        {
            logger.LogWarning(ex, "{InstanceId}: outbox dispatch failed; the sweeper will send it again", instanceId);
        }
    }

    private async Task<bool> AlreadyAppliedAsync(string instanceId, WorkflowEvent evt, CancellationToken cancellationToken)
    {
        var marker = await Table.GetEntityIfExistsAsync<TableEntity>(instanceId, Keys.Event(evt.Id), select: ["RowKey"], cancellationToken: cancellationToken);
        return marker.HasValue;
    }

    private static TableEntity HistoryRow(string instanceId, long sequence, DateTimeOffset at, WorkflowEvent evt, string? from, string to, string? reason) =>
        new(instanceId, Keys.History(sequence))
        {
            ["Sequence"] = sequence,
            ["At"] = at,
            ["Actor"] = evt.Actor,
            ["Event"] = evt.Name,
            ["EventId"] = evt.Id,
            ["From"] = from,
            ["To"] = to,
            ["Reason"] = reason ?? evt.Reason,
        };

    /// <summary>
    /// The instance's data as JSON, in properties <c>Data</c>, <c>Data1</c>, <c>Data2</c>… of at most
    /// <see cref="ChunkedText.ChunkChars"/> characters each (a table string property holds 64 KiB, 32K UTF-16 characters); the
    /// whole stays under <see cref="MaxDataChars"/>, well inside the 1 MiB entity and 4 MiB transaction limits. The state
    /// row is always replaced whole, so a shorter value leaves no stale chunk behind.
    /// </summary>
    private static void WriteData(TableEntity state, JsonObject data)
    {
        var json = data.ToJsonString(StoredJson);
        if (json.Length > MaxDataChars)
        {
            throw new InvalidOperationException($"Instance data is {json.Length} characters; keep it under {MaxDataChars} and store bulk data in its own table or blob.");
        }

        ChunkedText.Write(state, DataProperty, json);
    }

    private static string ReadData(TableEntity state) => ChunkedText.Read(state, DataProperty) is { Length: > 0 } json ? json : "{}";

    private static string DataProperty(int chunk) => chunk == 0 ? "Data" : $"Data{chunk.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    internal static InstanceSnapshot ToSnapshot(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Definition"),
        e.GetInt32("Version") ?? 0,
        e.GetString("Stage"),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("UpdatedAt") ?? default,
        e.GetInt64("Sequence") ?? 0,
        JsonNode.Parse(ReadData(e)) as JsonObject ?? []);
}

/// <summary>Turns effects into the rows written with their transition.</summary>
internal static class EffectRows
{
    public static IReadOnlyList<OutboxItem> Append(List<TableTransactionAction> actions, string instanceId, long sequence, IReadOnlyList<Effect> effects)
    {
        var outbox = new List<OutboxItem>();
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case RunActivity a:
                {
                    var stepId = $"{sequence}.{a.Name}";
                    var message = new StepMessage { Type = StepMessage.Activity, InstanceId = instanceId, StepId = stepId, Name = a.Name, Kind = a.Kind, Input = a.Input };
                    outbox.Add(new OutboxItem(Keys.Outbox(stepId), OutboxItem.QueueKind, message.ToJson(), null, null, null));
                    break;
                }

                case FanOut f:
                {
                    var fanOutId = $"{sequence}.{f.Name}";
                    actions.Add(new(TableTransactionActionType.Add, new TableEntity(instanceId, Keys.FanOut(fanOutId))
                    {
                        ["Name"] = f.Name,
                        ["Kind"] = f.Kind,
                        ["Total"] = f.Shards.Count,
                        ["Completed"] = 0,
                        ["Shards"] = JsonSerializer.Serialize(f.Shards),
                        ["Input"] = f.Input?.ToJsonString(),
                    }));
                    var message = f.Shards.Count == 0
                        ? FanInCommitter.CompletionEvent(instanceId, fanOutId, f.Name, 0)
                        : new StepMessage { Type = StepMessage.Dispatch, InstanceId = instanceId, StepId = fanOutId, Name = f.Name, Kind = f.Kind };
                    outbox.Add(new OutboxItem(Keys.Outbox(fanOutId), OutboxItem.QueueKind, message.ToJson(), null, null, null));
                    break;
                }

                case StartTimer t:
                {
                    var timerId = $"{sequence}.{t.Name}";
                    actions.Add(new(TableTransactionActionType.Add, new TableEntity(instanceId, Keys.Timer(timerId))
                    {
                        ["Name"] = t.Name,
                        ["DueAt"] = t.DueAt,
                        ["Event"] = t.Event,
                        ["Status"] = "pending",
                    }));
                    outbox.Add(new OutboxItem(Keys.Outbox("timer." + timerId), OutboxItem.TimerKind, null, timerId, t.Event, t.DueAt));
                    break;
                }

                default:
                    throw new InvalidOperationException($"Unknown effect {effect.GetType().Name}.");
            }
        }

        foreach (var item in outbox)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(instanceId, item.RowKey)
            {
                ["Kind"] = item.Kind,
                ["Body"] = item.Body,
                ["TimerId"] = item.TimerId,
                ["TimerEvent"] = item.TimerEvent,
                ["DueAt"] = item.DueAt,
            }));
        }

        if (actions.Count > 100)
        {
            throw new InvalidOperationException($"A transition of {instanceId} would write {actions.Count} rows; an entity-group transaction holds at most 100.");
        }

        return outbox;
    }

    public static OutboxItem FromEntity(TableEntity e) => new(
        e.RowKey, e.GetString("Kind") ?? OutboxItem.QueueKind, e.GetString("Body"), e.GetString("TimerId"), e.GetString("TimerEvent"), e.GetDateTimeOffset("DueAt"));
}
