using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using EduRelief.Calendar;
using EduRelief.Storage;
using Page = EduRelief.Storage.Page<EduRelief.Rectification.RectificationItem>;

namespace EduRelief.Rectification;

/// <summary>The item as read, with the ETag a change of it must be written under.</summary>
public sealed record StoredItem(RectificationItem Item, ETag ETag);

/// <summary>What <see cref="RectificationStore.OpenAsync"/> did: opened a new item, or found the one opened before.</summary>
public sealed record OpenedItem(bool Created, RectificationItem Item);

public enum ChangeOutcome
{
    Applied,

    /// <summary>The lifecycle refused it; see <see cref="ChangeResult.Refusal"/>.</summary>
    Refused,

    /// <summary>Someone changed the item since it was read: nothing was written.</summary>
    Concurrent,

    /// <summary>The same evidence file was recorded on the item before: nothing changed.</summary>
    Duplicate,
}

public sealed record ChangeResult(ChangeOutcome Outcome, RectificationItem Item, Refusal? Refusal = null);

/// <summary>
/// Rectification items (整改事项) of every cycle, in table <c>rectification</c>, one partition per cycle. Call
/// <see cref="OpenAsync"/> to open an item for a problem found anywhere (a 控辍保学 follow-up, a rejected mismatch, an
/// upheld objection, a reconciliation exception, a payment failed twice, an inspection finding): it is idempotent by
/// (source, sourceKey), so a retried or duplicated caller gets the same item back, never a second one. The deadline is
/// 23:59:59 China time of the N-th working day (default 15) after the day the item is opened, on the working-day
/// calendar. Items number <c>R-000001</c>, <c>R-000002</c>, … per cycle.
/// <para>
/// Rows in a cycle's partition: <c>counter</c> (the last item number), <c>item-{id}</c>, <c>src-{hash of source and
/// key}</c> (which item a source key opened), <c>hist-{id}-{seq}</c> (every change: actor, time, from, to, note),
/// <c>evid-{id}-{sha256}</c> (evidence files recorded on the item) and <c>insp-{hash}</c> (inspections). An item is
/// opened in one entity-group transaction (counter under its ETag, item, source row, first history row), so the source
/// row's key, not a read, keeps a source from opening two items; every later change writes the item under its ETag
/// together with its history row, so of two concurrent decisions one wins and the other changes nothing.
/// </para>
/// Evidence bytes are immutable, content-addressed blobs <c>sha256/{hash}</c> in container <c>evidence</c>.
/// </summary>
public sealed class RectificationStore(StorageAccount storage, WorkingCalendar calendar, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("rectification", CycleRowScope.CyclePartitions)];

    public const long MaxEvidenceBytes = 20L * 1024 * 1024;
    private const string CounterKey = "counter";
    private const int MaxAttempts = 200;

    /// <summary>The actor of the history rows the reminder run writes.</summary>
    public const string TimerActor = "timer";

    // What the reminder run reads of an item: never its description.
    private static readonly string[] ReminderColumns =
        ["PartitionKey", "RowKey", "Id", "Source", "Title", "Owner", "SchoolCode", "StudentName", "Status", "DueAt", "CreatedAt", "SubmittedAt", "ReturnedAt", "Version"];

    private readonly TableClient _table = storage.Table("rectification");
    private readonly ContentAddressedBlobs _evidence = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("evidence")));

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await _table.CreateIfNotExistsAsync(cancellationToken);
        await CreateContainerAsync(cancellationToken);
    }

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _evidence.CreateAsync(cancellationToken);

    /// <summary>
    /// Opens the item for <paramref name="input"/>'s source and key in its cycle, or returns the item opened for them
    /// before (Created false; the stored item is returned unchanged). Safe to call concurrently from any instance.
    /// The input must be valid (<see cref="RectificationItemInput.Validate"/>): an invalid one is a bug of the caller
    /// and throws <see cref="ArgumentException"/>. The caller checks that the cycle exists.
    /// </summary>
    public async Task<OpenedItem> OpenAsync(RectificationItemInput input, CancellationToken ct)
    {
        var errors = input.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid rectification item: {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}"))}", nameof(input));
        }

        var partition = input.CycleId;
        var sourceRow = SourceRowKey(input.Source, input.SourceKey);
        var days = input.DeadlineWorkingDays ?? RectificationItemInput.DefaultWorkingDays;
        var added = await NumberedInsert.AddAsync(
            _table,
            partition,
            CounterKey,
            sourceRow,
            async source => (await FindAsync(partition, source.GetString("ItemId"), ct))!.Item,
            async next =>
            {
                var now = clock.GetUtcNow();
                var deadline = await calendar.AfterReceiptAsync(now, days, ct);
                var id = "R-" + next.ToString("D6", CultureInfo.InvariantCulture);
                var school = input.SchoolCode ?? (Counties.Assignees.TryParse(input.Owner, out var kind, out var key) && kind == Counties.Assignees.School ? key : null);
                var item = new RectificationItem(
                    id, partition, input.Source, input.SourceKey, input.Title.Trim(), input.Description?.Trim(), input.Owner, school, input.Township, input.StudentName,
                    RectificationStatuses.Open, days, deadline.DueAt, deadline.CalendarMissing, now, input.Actor, 0, null, null, null, null, null, null, null, now, 1)
                {
                    Village = input.Village,
                    CaseId = input.CaseId,
                };
                List<TableTransactionAction> rows =
                [
                    new(TableTransactionActionType.Add, ToEntity(item)),
                    new(TableTransactionActionType.Add, new TableEntity(partition, sourceRow) { ["ItemId"] = id, ["Source"] = input.Source, ["SourceKey"] = input.SourceKey }),
                    new(TableTransactionActionType.Add, HistoryEntity(item, new RectificationChange(1, now, input.Actor, RectificationLifecycle.Opened, null, RectificationStatuses.Open, null))),
                    (await FiguresActionAsync(partition, null, item, ct))!,
                ];
                return (item, rows);
            },
            ct);
        return added is { } opened
            ? new OpenedItem(opened.Created, opened.Item)
            : throw new InvalidOperationException($"No rectification item could be opened in cycle {input.CycleId} after {NumberedInsert.MaxAttempts} attempts.");
    }

    /// <summary>
    /// Brings an open item's title and description up to date with what it lists (a school's children still without an
    /// account, as accounts arrive), under the item's ETag. Status, deadline and history are untouched; an item someone
    /// changed meanwhile is read again.
    /// </summary>
    public async Task ReviseAsync(string cycleId, string itemId, string title, string? description, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await FindAsync(cycleId, itemId, ct) is not { } stored || (stored.Item.Title == title && stored.Item.Description == description))
            {
                return;
            }

            var revised = stored.Item with { Title = title, Description = description, UpdatedAt = clock.GetUtcNow() };
            try
            {
                await _table.UpdateEntityAsync(ToEntity(revised), stored.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status412PreconditionFailed)
            {
                // Changed by someone else just now: read it again.
            }
        }
    }

    /// <summary>How many of <paramref name="sourceKeys"/> no item of <paramref name="source"/> was opened for yet (point reads of their source rows).</summary>
    public async Task<int> CountWithoutItemAsync(string cycleId, string source, IEnumerable<string> sourceKeys, CancellationToken ct)
    {
        var found = await Task.WhenAll(sourceKeys.Select(async key =>
            (await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, SourceRowKey(source, key), select: ["RowKey"], cancellationToken: ct)).HasValue));
        return found.Count(f => !f);
    }

    /// <summary>The cycle's 控辍保学 item driven by the case <paramref name="caseId"/>, or null.</summary>
    public async Task<StoredItem?> FindByCaseAsync(string cycleId, string caseId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {cycleId} and CaseId eq {caseId}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: 10, cancellationToken: ct))
        {
            return new StoredItem(ToItem(e), e.ETag);
        }

        return null;
    }

    public async Task<StoredItem?> FindAsync(string cycleId, string? itemId, CancellationToken ct)
    {
        if (itemId is null || !IsItemId(itemId))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, ItemKey(itemId), cancellationToken: ct);
        return row.HasValue && row.Value is { } e ? new StoredItem(ToItem(e), e.ETag) : null;
    }

    public async Task<IReadOnlyList<RectificationChange>> HistoryAsync(string cycleId, string itemId, CancellationToken ct)
    {
        var list = new List<RectificationChange>();
        await foreach (var e in Range(cycleId, $"hist-{itemId}-", ct))
        {
            list.Add(new RectificationChange(
                e.GetInt32("Sequence") ?? 0, e.GetDateTimeOffset("At") ?? default, e.GetString("Actor") ?? "", e.GetString("Action") ?? "",
                e.GetString("From"), e.GetString("To") ?? "", e.GetString("Note")));
        }

        // A timer's row (hist-{id}-t…) carries the sequence of the change it followed and sorts after it (stable sort).
        return list.OrderBy(c => c.Sequence).ToList();
    }

    /// <summary>
    /// The cycle's items still with their owner (open or returned), without their description: one range query of the
    /// cycle's partition. The reminder run reads these.
    /// </summary>
    public async Task<IReadOnlyList<RectificationItem>> AwaitingOwnerAsync(string cycleId, CancellationToken ct)
    {
        var filter = ItemRange(cycleId) + " and " + TableClient.CreateQueryFilter($"(Status eq {RectificationStatuses.Open} or Status eq {RectificationStatuses.Returned})");
        var list = new List<RectificationItem>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, select: ReminderColumns, cancellationToken: ct))
        {
            list.Add(ToItem(e));
        }

        return list;
    }

    /// <summary>
    /// Shows on the item that the timer sent a reminder: sets <paramref name="column"/> to <paramref name="at"/> and
    /// writes a history row (actor <c>timer</c>) in one transaction. The row's key comes from <paramref name="reminderKey"/>
    /// (the reminder's kind and deadline or return), so running this again for the same reminder after a crash rewrites
    /// the same row instead of adding another. Only the column is merged into the item, under the ETag it was read with
    /// (read again if it changed meanwhile), so the history row shows the item's current status and a decision made
    /// while the reminder was recorded is never overwritten. False when the item does not exist.
    /// </summary>
    public async Task<bool> RecordReminderAsync(string cycleId, string itemId, string column, string action, string reminderKey, string note, DateTimeOffset at, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await FindAsync(cycleId, itemId, ct) is not { } stored)
            {
                return false;
            }

            var item = stored.Item;
            var history = HistoryEntity(item, new RectificationChange(item.Version, at, TimerActor, action, item.Status, item.Status, note));
            history.RowKey = $"hist-{item.Id}-t{Hash(reminderKey)[..32]}";
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateMerge, new TableEntity(cycleId, ItemKey(itemId)) { [column] = at }, stored.ETag),
                new(TableTransactionActionType.UpsertReplace, history),
            };
            try
            {
                await _table.SubmitTransactionAsync(actions, ct);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == StatusCodes.Status412PreconditionFailed)
            {
                // The item changed between the read and the write: read it again so the row shows its current status.
            }
        }

        throw new RequestFailedException(StatusCodes.Status412PreconditionFailed, $"Rectification item {cycleId}/{itemId} kept changing while its reminder was recorded.");
    }

    public async Task<IReadOnlyList<EvidenceFile>> EvidenceAsync(string cycleId, string itemId, CancellationToken ct)
    {
        var list = new List<EvidenceFile>();
        await foreach (var e in Range(cycleId, $"evid-{itemId}-", ct))
        {
            list.Add(ToEvidence(e));
        }

        return list.OrderBy(f => f.UploadedAt).ToList();
    }

    public async Task<EvidenceFile?> FindEvidenceAsync(string cycleId, string itemId, string sha256, CancellationToken ct)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, EvidenceKey(itemId, sha256), cancellationToken: ct);
        return row.HasValue && row.Value is { } e ? ToEvidence(e) : null;
    }

    public async Task<Page> ListAsync(string cycleId, RectificationFilter filter, DateTimeOffset now, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var clauses = new List<string> { ItemRange(cycleId) };
        if (filter.Status is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {filter.Status}"));
        }

        if (filter.Source is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Source eq {filter.Source}"));
        }

        if (filter.Owner is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Owner eq {filter.Owner}"));
        }

        if (filter.Overdue)
        {
            clauses.Add(TableClient.CreateQueryFilter($"DueAt lt {now} and (Status eq {RectificationStatuses.Open} or Status eq {RectificationStatuses.Returned})"));
        }

        await foreach (var page in _table.QueryAsync<TableEntity>(string.Join(" and ", clauses), pageSize, cancellationToken: ct).AsPages(continuationToken, pageSize))
        {
            return new Page(page.Values.Select(ToItem).ToList(), page.ContinuationToken);
        }

        return new Page([], null);
    }

    /// <summary>Every item of the cycle in id order, streamed.</summary>
    public async IAsyncEnumerable<RectificationItem> AllAsync(string cycleId, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _table.QueryAsync<TableEntity>(ItemRange(cycleId), cancellationToken: ct))
        {
            yield return ToItem(e);
        }
    }

    /// <summary>
    /// The cycle's figures at <paramref name="now"/>: counts by status, overdue items, and the rectification rate; of
    /// the items of <paramref name="owner"/> only when one is given (a school officer's view).
    /// </summary>
    public async Task<RectificationSummary> SummarizeAsync(string cycleId, DateTimeOffset now, CancellationToken ct, string? owner = null)
    {
        var figures = await StatusTally.ReadOrAddRowAsync(_table, cycleId, FiguresKey, () => ScanFiguresAsync(cycleId, ct), ct);
        var byStatus = figures.ByStatus(owner);
        var accepted = byStatus.GetValueOrDefault(RectificationStatuses.Accepted);
        var items = byStatus.Values.Sum();
        return new RectificationSummary(
            items, byStatus.GetValueOrDefault(RectificationStatuses.Open), byStatus.GetValueOrDefault(RectificationStatuses.Submitted), accepted,
            byStatus.GetValueOrDefault(RectificationStatuses.Returned), figures.Overdue(now, owner), Rate(accepted, items));
    }

    /// <summary>The same figures from a scan of every item of the cycle: the oracle the figures row is tested against.</summary>
    public async Task<RectificationSummary> RecountSummaryAsync(string cycleId, DateTimeOffset now, CancellationToken ct, string? owner = null)
    {
        int items = 0, open = 0, submitted = 0, accepted = 0, returned = 0, overdue = 0;
        await foreach (var e in _table.QueryAsync<TableEntity>(ItemRange(cycleId), select: ["Status", "DueAt", "Owner"], cancellationToken: ct))
        {
            if (owner is not null && e.GetString("Owner") != owner)
            {
                continue;
            }

            items++;
            var status = e.GetString("Status");
            switch (status)
            {
                case RectificationStatuses.Open: open++; break;
                case RectificationStatuses.Submitted: submitted++; break;
                case RectificationStatuses.Accepted: accepted++; break;
                case RectificationStatuses.Returned: returned++; break;
            }

            if (status is not null && RectificationStatuses.AwaitsOwner(status) && now > (e.GetDateTimeOffset("DueAt") ?? DateTimeOffset.MaxValue))
            {
                overdue++;
            }
        }

        return new RectificationSummary(items, open, submitted, accepted, returned, overdue, Rate(accepted, items));
    }

    /// <summary>Accepted over all, 4 decimals; null for no items.</summary>
    public static decimal? Rate(int accepted, int items) =>
        items == 0 ? null : Math.Round((decimal)accepted / items, 4, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Applies the lifecycle <paramref name="rule"/> to the item as read and writes the result under the read ETag,
    /// together with its history row. <paramref name="apply"/> sets what the change records on the item.
    /// </summary>
    public Task<ChangeResult> ChangeAsync(
        StoredItem stored, string actor, Func<ItemState, (Change? Change, Refusal? Refusal)> rule, Func<RectificationItem, RectificationItem> apply, CancellationToken ct) =>
        WriteChangeAsync(stored, actor, rule, apply, null, ct);

    /// <summary>
    /// Records an evidence file (its blob stored already) on the item while the owner may still add evidence. Another
    /// file recorded at the same moment makes it read the item again and retry; the same file again is a Duplicate.
    /// </summary>
    public async Task<ChangeResult> AddEvidenceAsync(StoredItem stored, EvidenceFile file, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await FindEvidenceAsync(stored.Item.CycleId, stored.Item.Id, file.Sha256, ct) is not null)
            {
                return new ChangeResult(ChangeOutcome.Duplicate, stored.Item);
            }

            var row = new TableEntity(stored.Item.CycleId, EvidenceKey(stored.Item.Id, file.Sha256))
            {
                ["ItemId"] = stored.Item.Id,
                ["Sha256"] = file.Sha256,
                ["Size"] = file.Size,
                ["ContentType"] = file.ContentType,
                ["FileName"] = file.FileName,
                ["UploadedBy"] = file.UploadedBy,
                ["UploadedAt"] = file.UploadedAt,
            };
            var note = $"{file.FileName ?? "file"} ({file.ContentType}, {file.Size} bytes, sha256 {file.Sha256})";
            var result = await WriteChangeAsync(
                stored, file.UploadedBy, RectificationLifecycle.AddEvidence, i => i with { EvidenceCount = i.EvidenceCount + 1 },
                new TableTransactionAction(TableTransactionActionType.Add, row), ct, note);
            if (result.Outcome != ChangeOutcome.Concurrent || attempt >= 10)
            {
                return result;
            }

            stored = (await FindAsync(stored.Item.CycleId, stored.Item.Id, ct))!;
            await Task.Delay(Random.Shared.Next(0, 10), ct);
        }
    }

    /// <summary>Stores an evidence file's bytes unless the same content is stored already; a stored blob is never overwritten.</summary>
    public Task SaveEvidenceBlobAsync(string path, string sha256, string contentType, CancellationToken ct) =>
        _evidence.SaveFileAsync(path, sha256, contentType, ct);

    public Task<Stream> OpenEvidenceAsync(string sha256, CancellationToken ct) => _evidence.OpenAsync(sha256, ct);

    public static string EvidenceBlobName(string sha256) => ContentAddressedBlobs.BlobName(sha256);

    /// <summary>
    /// Records an inspection once per <paramref name="inspectionId"/>: the same id with the same content again answers
    /// the stored record (Created false); with other content, Conflict. Items are opened by the caller afterwards.
    /// </summary>
    public async Task<(bool Created, bool Conflict)> RecordInspectionAsync(
        string cycleId, string inspectionId, string requestHash, string team, DateTimeOffset inspectedAt, int findings, string actor, CancellationToken ct)
    {
        var key = "insp-" + Hash(inspectionId)[..40];
        try
        {
            await _table.AddEntityAsync(
                new TableEntity(cycleId, key)
                {
                    ["InspectionId"] = inspectionId,
                    ["RequestHash"] = requestHash,
                    ["Team"] = team,
                    ["InspectedAt"] = inspectedAt,
                    ["Findings"] = findings,
                    ["RecordedBy"] = actor,
                    ["RecordedAt"] = clock.GetUtcNow(),
                },
                ct);
            return (true, false);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            var stored = await _table.GetEntityAsync<TableEntity>(cycleId, key, cancellationToken: ct);
            return (false, stored.Value.GetString("RequestHash") != requestHash);
        }
    }

    /// <summary>
    /// Takes back items a request opened in a cycle that closed meanwhile (<see cref="Cycles.CycleGate"/>): each item with
    /// its history and source key, and the inspection record when that request made it. Numbers are not reused.
    /// </summary>
    public async Task WithdrawAsync(string cycleId, IReadOnlyList<string> itemIds, string? inspectionId, CancellationToken ct)
    {
        foreach (var itemId in itemIds)
        {
            if (await FindAsync(cycleId, itemId, ct) is not { } stored)
            {
                continue;
            }

            var rows = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Delete, new TableEntity(cycleId, ItemKey(itemId)), stored.ETag),
                new(TableTransactionActionType.Delete, new TableEntity(cycleId, SourceRowKey(stored.Item.Source, stored.Item.SourceKey)), ETag.All),
            };
            await foreach (var history in Range(cycleId, $"hist-{itemId}-", ct))
            {
                rows.Add(new(TableTransactionActionType.Delete, history, ETag.All));
            }

            rows.Add((await FiguresActionAsync(cycleId, stored.Item, null, ct))!);
            try
            {
                await _table.SubmitTransactionAsync(rows, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
            {
                // The item or the figures changed since they were read (or another withdrawal took it): look again.
                await WithdrawAsync(cycleId, [itemId], null, ct);
            }
        }

        if (inspectionId is not null)
        {
            await _table.DeleteEntityAsync(cycleId, "insp-" + Hash(inspectionId)[..40], ETag.All, ct);
        }
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static bool IsItemId(string id) => id is ['R', '-', .. var digits] && digits.Length is >= 6 and <= 12 && digits.All(char.IsAsciiDigit);

    private async Task<ChangeResult> WriteChangeAsync(
        StoredItem stored, string actor, Func<ItemState, (Change? Change, Refusal? Refusal)> rule, Func<RectificationItem, RectificationItem> apply,
        TableTransactionAction? extra, CancellationToken ct, string? noteOverride = null)
    {
        var item = stored.Item;
        var (change, refusal) = rule(new ItemState(item.Status, item.IsDropout, item.EvidenceCount, item.IsMismatch));
        if (change is null)
        {
            return new ChangeResult(ChangeOutcome.Refused, item, refusal);
        }

        var now = clock.GetUtcNow();
        var updated = apply(item) with { Status = change.To, UpdatedAt = now, Version = item.Version + 1 };
        var history = new RectificationChange(updated.Version, now, actor, change.Action, item.Status, change.To, noteOverride ?? change.Note);
        // The figures row last: another item's change moving it meanwhile is read again, not answered as Concurrent.
        for (var attempt = 0; ; attempt++)
        {
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateReplace, ToEntity(updated), stored.ETag),
                new(TableTransactionActionType.Add, HistoryEntity(updated, history)),
            };
            if (extra is not null)
            {
                actions.Add(extra);
            }

            if (await FiguresActionAsync(item.CycleId, item, updated, ct) is { } figures)
            {
                actions.Add(figures);
            }

            try
            {
                await _table.SubmitTransactionAsync(actions, ct);
                return new ChangeResult(ChangeOutcome.Applied, updated);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
            {
                if (ex.FailedTransactionActionIndex != actions.Count - 1 || actions[^1].Entity.RowKey != FiguresKey || attempt >= MaxAttempts)
                {
                    return new ChangeResult(ChangeOutcome.Concurrent, item);
                }
            }
        }
    }

    /// <summary>
    /// The figures row (<c>figures</c> in the cycle's partition): items per owner and status, and the deadlines of those
    /// awaiting their owner (<see cref="StatusTally"/>). Every transaction that opens, changes or withdraws an item and
    /// moves a figure rewrites it under its ETag, so it always equals a scan of the items.
    /// </summary>
    private const string FiguresKey = "figures";

    /// <summary>What an item adds to its cycle's figures: its owner, its status and, while it awaits its owner, its deadline.</summary>
    private static TallyEntry? Entry(RectificationItem? i) =>
        i is null ? null : new TallyEntry(i.Owner, i.Status, RectificationStatuses.AwaitsOwner(i.Status) ? i.DueAt : null);

    /// <summary>The figures from a scan of the cycle's items (a cycle whose figures row is not written yet).</summary>
    private async Task<StatusTally> ScanFiguresAsync(string cycleId, CancellationToken ct)
    {
        var tally = new StatusTally();
        await foreach (var e in _table.QueryAsync<TableEntity>(ItemRange(cycleId), select: ["Status", "DueAt", "Owner"], cancellationToken: ct))
        {
            var status = e.GetString("Status") ?? RectificationStatuses.Open;
            tally.Apply(null, new TallyEntry(e.GetString("Owner") ?? "", status, RectificationStatuses.AwaitsOwner(status) ? e.GetDateTimeOffset("DueAt") : null));
        }

        return tally;
    }

    /// <summary>The write of the figures row that moves <paramref name="before"/> (null: new) to <paramref name="after"/> (null: withdrawn); null when no figure moves.</summary>
    private async Task<TableTransactionAction?> FiguresActionAsync(string cycleId, RectificationItem? before, RectificationItem? after, CancellationToken ct)
    {
        if (Entry(before) == Entry(after))
        {
            return null;
        }

        var (tally, etag) = await StatusTally.ReadRowAsync(_table, cycleId, FiguresKey, () => ScanFiguresAsync(cycleId, ct), ct);
        tally.Apply(Entry(before), Entry(after));
        return tally.WriteAction(cycleId, FiguresKey, etag);
    }

    private IAsyncEnumerable<TableEntity> Range(string cycleId, string prefix, CancellationToken ct) =>
        _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {cycleId} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}"),
            cancellationToken: ct);

    private static string ItemRange(string cycleId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {cycleId} and RowKey ge {"item-"} and RowKey lt {"item."}");

    private static string ItemKey(string id) => $"item-{id}";

    private static string EvidenceKey(string id, string sha256) => $"evid-{id}-{sha256}";

    private static string SourceRowKey(string source, string sourceKey) => "src-" + Hash(source + "\n" + sourceKey);

    private static TableEntity HistoryEntity(RectificationItem item, RectificationChange change) =>
        new(item.CycleId, $"hist-{item.Id}-{change.Sequence.ToString("D6", CultureInfo.InvariantCulture)}")
        {
            ["ItemId"] = item.Id,
            ["Sequence"] = change.Sequence,
            ["At"] = change.At,
            ["Actor"] = change.Actor,
            ["Action"] = change.Action,
            ["From"] = change.From,
            ["To"] = change.To,
            ["Note"] = change.Note,
        };

    private static TableEntity ToEntity(RectificationItem i) => new(i.CycleId, ItemKey(i.Id))
    {
        ["Id"] = i.Id,
        ["Source"] = i.Source,
        ["SourceKey"] = i.SourceKey,
        ["Title"] = i.Title,
        ["Description"] = i.Description,
        ["Owner"] = i.Owner,
        ["SchoolCode"] = i.SchoolCode,
        ["Township"] = i.Township,
        ["Village"] = i.Village,
        ["CaseId"] = i.CaseId,
        ["StudentName"] = i.StudentName,
        ["Status"] = i.Status,
        ["DeadlineWorkingDays"] = i.DeadlineWorkingDays,
        ["DueAt"] = i.DueAt,
        ["CalendarMissing"] = i.CalendarMissing,
        ["CreatedAt"] = i.CreatedAt,
        ["CreatedBy"] = i.CreatedBy,
        ["EvidenceCount"] = i.EvidenceCount,
        ["Note"] = i.Note,
        ["Outcome"] = i.Outcome,
        ["OutcomeSchoolCode"] = i.OutcomeSchoolCode,
        ["OutcomeReason"] = i.OutcomeReason,
        ["OutcomeStage"] = i.OutcomeStage,
        ["OutcomeGrade"] = i.OutcomeGrade,
        ["OutcomeBoarding"] = i.OutcomeBoarding,
        ["SubmittedAt"] = i.SubmittedAt,
        ["ReturnReason"] = i.ReturnReason,
        ["AcceptedAt"] = i.AcceptedAt,
        ["UpdatedAt"] = i.UpdatedAt,
        ["Version"] = i.Version,
        ["ReturnedAt"] = i.ReturnedAt,
        ["RemindedAt"] = i.RemindedAt,
        ["EscalatedAt"] = i.EscalatedAt,
        ["ReturnRemindedAt"] = i.ReturnRemindedAt,
    };

    private static RectificationItem ToItem(TableEntity e) => new(
        e.GetString("Id") ?? e.RowKey["item-".Length..],
        e.PartitionKey,
        e.GetString("Source") ?? "",
        e.GetString("SourceKey") ?? "",
        e.GetString("Title") ?? "",
        e.GetString("Description"),
        e.GetString("Owner") ?? "",
        e.GetString("SchoolCode"),
        e.GetString("Township"),
        e.GetString("StudentName"),
        e.GetString("Status") ?? RectificationStatuses.Open,
        e.GetInt32("DeadlineWorkingDays") ?? RectificationItemInput.DefaultWorkingDays,
        e.GetDateTimeOffset("DueAt") ?? default,
        e.GetBoolean("CalendarMissing") ?? false,
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetString("CreatedBy") ?? "",
        e.GetInt32("EvidenceCount") ?? 0,
        e.GetString("Note"),
        e.GetString("Outcome"),
        e.GetString("OutcomeSchoolCode"),
        e.GetString("OutcomeReason"),
        e.GetDateTimeOffset("SubmittedAt"),
        e.GetString("ReturnReason"),
        e.GetDateTimeOffset("AcceptedAt"),
        e.GetDateTimeOffset("UpdatedAt") ?? default,
        e.GetInt32("Version") ?? 1,
        e.GetDateTimeOffset("ReturnedAt"),
        e.GetDateTimeOffset("RemindedAt"),
        e.GetDateTimeOffset("EscalatedAt"),
        e.GetDateTimeOffset("ReturnRemindedAt"))
    {
        OutcomeStage = e.GetString("OutcomeStage"),
        OutcomeGrade = e.GetInt32("OutcomeGrade"),
        OutcomeBoarding = e.GetBoolean("OutcomeBoarding"),
        Village = e.GetString("Village"),
        CaseId = e.GetString("CaseId"),
    };

    private static EvidenceFile ToEvidence(TableEntity e) => new(
        e.GetString("Sha256") ?? "",
        e.GetInt64("Size") ?? 0,
        e.GetString("ContentType") ?? "",
        e.GetString("FileName"),
        e.GetString("UploadedBy") ?? "",
        e.GetDateTimeOffset("UploadedAt") ?? default);
}
