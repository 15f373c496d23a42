using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Disbursement;

/// <summary>A change to one entitlement row: <see cref="Before"/> as read (null for a new row), <see cref="After"/> to write under the read ETag.</summary>
public sealed record EntitlementWrite(TableEntity? Before, TableEntity After);

/// <summary>
/// Table <c>entitlements</c>: its keys, and every write to it. Each partition (<c>{cycle}|{2 hex of the person key}</c>)
/// holds a counter row (<see cref="CounterRow"/>) with the money of its rows per school and program; a write that moves
/// any figure replaces the counter under its ETag in the same entity-group transaction as the rows, so the counters
/// equal a recount whatever retries, crashes or second instances do, and the cycle's figures are 256 point reads.
/// </summary>
public sealed class EntitlementTable(StorageAccount storage)
{
    /// <summary>Sorts after every program's rows (<c>{program}|{person key}</c>), so no row query of a program meets it.</summary>
    public const string CounterRow = "~figures";

    /// <summary>Entitlement rows at most in one transaction, leaving room for the counter row.</summary>
    public const int RowsPerTransaction = StorageTables.MaxActions - 1;

    private const int Parallelism = 16;

    /// <summary>The 256 counter rows are read this many at a time.</summary>
    private const int ReadParallelism = 64;

    public TableClient Table { get; } = storage.Table("entitlements");

    public static string Partition(string cycleId, string personKey) => $"{cycleId}|{PersonKeys.Shard(personKey)}";

    public static string Row(string program, string personKey) => $"{program}|{personKey}";

    /// <summary>The person key of an entitlement row (RK <c>{program}|{person key}</c>).</summary>
    public static string PersonKeyOf(TableEntity entitlement) => entitlement.RowKey[(entitlement.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..];

    /// <summary>The cycle's entitlement rows (not the counters), of one program or school when given.</summary>
    public IAsyncEnumerable<TableEntity> QueryAsync(
        string cycleId, string? program, CancellationToken cancellationToken, string? schoolCode = null, IEnumerable<string>? select = null, IReadOnlyList<string>? statuses = null,
        string? where = null)
    {
        var filter = StorageTables.StartsWith("PartitionKey", cycleId + "|")
            + " and " + (program is null ? TableClient.CreateQueryFilter($"RowKey lt {CounterRow}") : StorageTables.StartsWith("RowKey", program + "|"));
        if (schoolCode is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SchoolCode eq {schoolCode}");
        }

        if (statuses is { Count: > 0 })
        {
            filter += " and (" + string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")";
        }

        if (where is not null)
        {
            filter += " and " + where;
        }

        return Table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Writes the changes of one partition (at most <see cref="RowsPerTransaction"/>) in one transaction, each row under
    /// its read ETag (a new row with Add), with the counter row when a figure moves. A counter changed meanwhile is read
    /// again and the transaction retried; a row that changed (412) or exists (409) fails the whole and nothing is written:
    /// the answer is the index of that change (-1 when storage did not name it), null when everything was written.
    /// </summary>
    public async Task<int?> CommitAsync(IReadOnlyList<EntitlementWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return null;
        }

        var partition = writes[0].After.PartitionKey;
        var counted = writes.Any(w => EntitlementCounters.Changes(w.Before, w.After));
        while (true)
        {
            var actions = writes.Select(w => w.Before is null
                ? new TableTransactionAction(TableTransactionActionType.Add, w.After)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, w.After, w.Before.ETag)).ToList();
            var cached = false;
            TableEntity? counterRow = null;
            if (counted)
            {
                // The counter this instance wrote last, under the ETag storage gave it; a stale one fails the
                // transaction on the counter (412), and the counter is read again.
                TableEntity? stored;
                if (_lastCounters.TryGetValue(partition, out var known))
                {
                    (stored, cached) = (known, true);
                }
                else
                {
                    var found = await Table.GetEntityIfExistsAsync<TableEntity>(partition, CounterRow, cancellationToken: cancellationToken);
                    stored = found.HasValue ? found.Value : null;
                }

                var counters = EntitlementCounters.ReadFrom(stored);
                foreach (var w in writes)
                {
                    counters.Apply(w.Before, w.After);
                }

                counterRow = new TableEntity(partition, CounterRow);
                counters.WriteTo(counterRow);
                actions.Add(stored is not null && stored.ETag != default
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, counterRow, stored.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, counterRow));
            }

            try
            {
                var response = await Table.SubmitTransactionAsync(actions, cancellationToken);
                for (var i = 0; i < writes.Count; i++)
                {
                    writes[i].After.ETag = response.Value[i].Headers.ETag ?? writes[i].After.ETag;
                }

                if (counterRow is not null)
                {
                    Remember(counterRow, response.Value[writes.Count].Headers.ETag);
                }

                return null;
            }
            catch (TableTransactionFailedException ex) when (cached && ex.Status == 404)
            {
                // The remembered counter is gone (a test's reset): read it again.
                _lastCounters.TryRemove(partition, out _);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Azurite and Azure name the failed action; without it, take the rows one by one to find it.
                var failed = ex.FailedTransactionActionIndex;
                if (counted && (failed == writes.Count || (failed is null && cached)))
                {
                    // The counter changed meanwhile (or may have): read it again.
                    _lastCounters.TryRemove(partition, out _);
                    continue;
                }

                if (failed is { } index && index < writes.Count)
                {
                    return index;
                }

                // Unnamed: some change (or the counter); nothing was written.
                return writes.Count == 1 ? 0 : -1;
            }
        }
    }

    /// <summary>
    /// The counter rows this instance wrote last, by partition, with the ETag storage answered: a write after a write
    /// needs no read of the counter. Bounded; cleared when full (the next write of a partition reads it again).
    /// </summary>
    private readonly ConcurrentDictionary<string, TableEntity> _lastCounters = new(StringComparer.Ordinal);

    private const int RememberedCounters = 1024;

    /// <summary>
    /// Partitions a scan found without rows have no counter row yet (one is only ever written with rows): their first
    /// write adds it without reading it. Another writer that added it meanwhile fails that Add (409), and it is read.
    /// </summary>
    public void KnownWithoutCounter(IEnumerable<string> partitions)
    {
        foreach (var partition in partitions)
        {
            if (_lastCounters.Count >= RememberedCounters)
            {
                return;
            }

            _lastCounters.TryAdd(partition, new TableEntity(partition, CounterRow));
        }
    }

    private void Remember(TableEntity counterRow, ETag? etag)
    {
        if (etag is not { } tag)
        {
            _lastCounters.TryRemove(counterRow.PartitionKey, out _);
            return;
        }

        if (_lastCounters.Count >= RememberedCounters)
        {
            _lastCounters.Clear();
        }

        counterRow.ETag = tag;
        _lastCounters[counterRow.PartitionKey] = counterRow;
    }

    /// <summary>One row; false when it changed since it was read (or, for a new row, exists).</summary>
    public async Task<bool> TryWriteAsync(TableEntity? before, TableEntity after, CancellationToken cancellationToken) =>
        await CommitAsync([new EntitlementWrite(before, after)], cancellationToken) is null;

    /// <summary>
    /// Writes each partition's changes in transactions of up to <see cref="RowsPerTransaction"/>, many partitions at
    /// once. A transaction that meets a changed row falls back to its rows one by one; the answer is the changes that
    /// were not written (their row changed meanwhile or exists).
    /// </summary>
    public async Task<IReadOnlyList<EntitlementWrite>> CommitAllAsync(IEnumerable<EntitlementWrite> writes, CancellationToken cancellationToken)
    {
        var refused = new List<EntitlementWrite>();
        var chunks = writes.GroupBy(w => w.After.PartitionKey).SelectMany(g => g.Chunk(RowsPerTransaction));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (await CommitAsync(chunk, ct) is null)
            {
                return;
            }

            foreach (var w in chunk)
            {
                if (await CommitAsync([w], ct) is not null)
                {
                    lock (refused)
                    {
                        refused.Add(w);
                    }
                }
            }
        });
        return refused;
    }

    /// <summary>The cycle's money per program from the partitions' counter rows (or one school's): 256 point reads, never a scan.</summary>
    public async Task<IReadOnlyList<ProgramTotals>> TotalsAsync(string cycleId, IEnumerable<string> programOrder, string? schoolCode, CancellationToken cancellationToken)
    {
        var all = new EntitlementCounters();
        await Parallel.ForEachAsync(Enumerable.Range(0, 256), new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            var row = await Table.GetEntityIfExistsAsync<TableEntity>($"{cycleId}|{shard:x2}", CounterRow, cancellationToken: ct);
            if (row.HasValue)
            {
                var counters = EntitlementCounters.ReadFrom(row.Value);
                lock (all)
                {
                    all.AddAll(counters);
                }
            }
        });
        return all.Totals(programOrder, schoolCode);
    }
}
