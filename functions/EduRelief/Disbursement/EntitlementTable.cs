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
/// equal a recount whatever retries, crashes or second instances do; the cycle's roll-up (<see cref="TotalsAsync"/>) sums them.
/// </summary>
public sealed class EntitlementTable(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("entitlements", CycleRowScope.CyclePartitions)];

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

    /// <summary>The cycle's entitlement rows (not the counters), of one program, school or range of shards when given.</summary>
    public IAsyncEnumerable<TableEntity> QueryAsync(
        string cycleId, string? program, CancellationToken cancellationToken, string? schoolCode = null, IEnumerable<string>? select = null, IReadOnlyList<string>? statuses = null,
        string? where = null, ShardRange? shards = null)
    {
        var filter = (shards?.Filter(cycleId) ?? StorageTables.StartsWith("PartitionKey", cycleId + "|"))
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
                var change = new EntitlementCounters();
                foreach (var w in writes)
                {
                    counters.Apply(w.Before, w.After);
                    change.Apply(w.Before, w.After);
                }

                counterRow = new TableEntity(partition, CounterRow);
                counters.WriteTo(counterRow);
                CounterVersions.Follow(stored, counterRow, change);
                Touched.Value?.TryAdd(partition, 0);
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
            catch (Exception ex) when (ex is not TableTransactionFailedException { Status: 404 or 409 or 412 })
            {
                // Storage may have written it all the same: the counter remembered is no longer known to be the latest.
                _lastCounters.TryRemove(partition, out _);
                throw;
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

    /// <summary>
    /// Commits writes as they come, each partition's once it fills a transaction (<see cref="RowsPerTransaction"/>),
    /// many partitions at once (<see cref="CommitAllAsync"/>): a caller streaming new rows holds less than a
    /// transaction's worth per partition instead of them all, in as few transactions. <see cref="FlushAsync"/> writes the rest.
    /// </summary>
    public sealed class StreamingWriter(EntitlementTable table)
    {
        private readonly Dictionary<string, List<EntitlementWrite>> _filling = new(StringComparer.Ordinal);
        private readonly List<EntitlementWrite> _full = [];
        private readonly List<EntitlementWrite> _refused = [];

        public async Task AddAsync(EntitlementWrite write, CancellationToken cancellationToken)
        {
            var partition = write.After.PartitionKey;
            if (!_filling.TryGetValue(partition, out var rows))
            {
                _filling[partition] = rows = [];
            }

            rows.Add(write);
            if (rows.Count == RowsPerTransaction)
            {
                _full.AddRange(rows);
                _filling.Remove(partition);
            }

            if (_full.Count >= RowsPerTransaction * Parallelism)
            {
                await CommitAsync(cancellationToken);
            }
        }

        /// <summary>Writes what is left; the answer is every change not written (its row changed meanwhile or exists).</summary>
        public async Task<IReadOnlyList<EntitlementWrite>> FlushAsync(CancellationToken cancellationToken)
        {
            _full.AddRange(_filling.Values.SelectMany(rows => rows));
            _filling.Clear();
            await CommitAsync(cancellationToken);
            return _refused;
        }

        private async Task CommitAsync(CancellationToken cancellationToken)
        {
            _refused.AddRange(await table.CommitAllAsync(_full, cancellationToken));
            _full.Clear();
        }
    }

    /// <summary>
    /// The cycle's money per program (or one school's) from its roll-up: one point read, never a scan. The roll-up sits
    /// in partition <c>{cycle}</c> (outside the rows' partitions <c>{cycle}|xx</c>) under <see cref="CounterRow"/>:
    /// the sum of the 256 counter rows per school and program (<c>F0</c>…) and per program (<c>T0</c>…, all a
    /// county-wide answer reads). A cycle without one yet gets it written here from the counters.
    /// </summary>
    public async Task<IReadOnlyList<ProgramTotals>> TotalsAsync(string cycleId, IEnumerable<string> programOrder, string? schoolCode, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(cycleId, CounterRow, schoolCode is null ? ["T0", "T1"] : null, cancellationToken);
        if (!found.HasValue)
        {
            // No step has moved a counter since roll-ups were kept: the counters themselves (a read never writes it).
            return (await SumCountersAsync(cycleId, cancellationToken)).Totals(programOrder, schoolCode);
        }

        return schoolCode is null
            ? EntitlementCounters.ReadFrom(found.Value, "T").Totals(programOrder, null)
            : EntitlementCounters.ReadFrom(found.Value).Totals(programOrder, schoolCode);
    }

    /// <summary>
    /// The partitions whose counters the current step wrote (<see cref="TrackingAsync"/>), for its refresh. Flows into
    /// the step's parallel work; null outside a tracked step.
    /// </summary>
    private static readonly AsyncLocal<ConcurrentDictionary<string, byte>?> Touched = new();

    /// <summary>
    /// Runs a step that moves counters, keeping the partitions whose counters it writes, then refreshes the roll-up
    /// for those and <paramref name="alsoRefresh"/> (<see cref="RefreshRollupAsync"/>; <paramref name="everyPartition"/>:
    /// all 256), also when the step fails part-way (its failure is what is thrown; its retry or redelivery refreshes
    /// again). Only a process killed in between leaves the roll-up behind for the partitions it wrote, until a step
    /// writes or names them again (a reconciliation names its batch's, a cut after the notice all) or the next refresh
    /// of every partition.
    /// </summary>
    public async Task<T> TrackingAsync<T>(string cycleId, Func<Task<T>> step, Func<IEnumerable<string>>? alsoRefresh, bool everyPartition, CancellationToken cancellationToken)
    {
        var touched = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var outer = Touched.Value;
        Touched.Value = touched;
        T result;
        try
        {
            result = await step();
        }
        catch
        {
            try
            {
                await RefreshRollupAsync(cycleId, everyPartition ? null : Scope(touched, alsoRefresh), CancellationToken.None, touched.Keys.ToHashSet(StringComparer.Ordinal));
            }
            catch (RequestFailedException)
            {
                // Storage is failing as a whole: the step's own failure is the one to report.
            }

            throw;
        }
        finally
        {
            Touched.Value = outer;
            foreach (var partition in touched.Keys)
            {
                outer?.TryAdd(partition, 0);
            }
        }

        await RefreshRollupAsync(cycleId, everyPartition ? null : Scope(touched, alsoRefresh), cancellationToken, touched.Keys.ToHashSet(StringComparer.Ordinal));
        return result;
    }

    private static HashSet<string> Scope(ConcurrentDictionary<string, byte> touched, Func<IEnumerable<string>>? alsoRefresh) =>
        [.. touched.Keys, .. alsoRefresh?.Invoke() ?? []];

    /// <summary>
    /// Brings the cycle's roll-up up to date with the counters of <paramref name="partitions"/> (null: all 256). Every
    /// step that changes counters calls this at its end with the partitions it wrote (<see cref="TrackingAsync"/>). The
    /// roll-up is read with its ETag, then each partition's counter row, and the changes between the version the roll-up
    /// holds and the one read are added (<see cref="CounterVersions"/>); the roll-up is written under that ETag. Another
    /// refresher in between: the roll-up is read again and the same counter rows caught up with it, and a version it
    /// holds that is later than one read here is kept (never taken back). Versions only grow, so the roll-up holds, for
    /// every partition refreshed, a version read after the change that asked for the refresh. When a row no longer keeps
    /// the changes in between (or the roll-up predates versions, or every partition is asked for), the roll-up is summed
    /// anew from all 256 counter rows, read after it. A refresh that would change nothing writes nothing.
    /// </summary>
    public async Task RefreshRollupAsync(string cycleId, IReadOnlyCollection<string>? partitions, CancellationToken cancellationToken, IReadOnlySet<string>? written = null)
    {
        Dictionary<string, TableEntity?>? counters = null;
        while (true)
        {
            var stored = await Table.GetEntityIfExistsAsync<TableEntity>(cycleId, CounterRow, cancellationToken: cancellationToken);
            var rollup = stored.HasValue ? stored.Value! : null;
            var included = rollup is null ? null : CounterVersions.ReadIncluded(rollup);
            var sums = EntitlementCounters.ReadFrom(rollup);
            var changed = false;
            if (partitions is null || included is null || !TryCatchUp(counters ??= await ReadCountersAsync(partitions, cancellationToken, written), included, sums, out changed))
            {
                counters = await ReadCountersAsync(AllPartitions(cycleId), cancellationToken);
                (sums, included, changed) = (new EntitlementCounters(), new Dictionary<string, long>(StringComparer.Ordinal), true);
                foreach (var (partition, row) in counters)
                {
                    sums.AddAll(EntitlementCounters.ReadFrom(row));
                    included[partition] = CounterVersions.VersionOf(row);
                }
            }

            if (!changed || await TryWriteRollupAsync(cycleId, rollup, sums, included, cancellationToken))
            {
                return;
            }

            // Another refresh wrote it since it was read: catch up on what it holds now with the rows read.
            partitions = counters.Keys;
        }
    }

    /// <summary>
    /// Adds to <paramref name="sums"/> each row's changes since the version <paramref name="included"/> names and
    /// records the row's version; false when a row no longer keeps them.
    /// </summary>
    private static bool TryCatchUp(Dictionary<string, TableEntity?> counters, Dictionary<string, long> included, EntitlementCounters sums, out bool changed)
    {
        changed = false;
        foreach (var (partition, row) in counters)
        {
            var since = included.GetValueOrDefault(partition);
            if (CounterVersions.VersionOf(row) <= since)
            {
                // The roll-up holds this version, or a later one another refresher read.
                continue;
            }

            if (!CounterVersions.TryAddChanges(row, since, sums))
            {
                return false;
            }

            included[partition] = CounterVersions.VersionOf(row);
            changed = true;
        }

        return true;
    }

    private async Task<bool> TryWriteRollupAsync(
        string cycleId, TableEntity? stored, EntitlementCounters sums, Dictionary<string, long> included, CancellationToken cancellationToken)
    {
        var row = new TableEntity(cycleId, CounterRow) { ["Version"] = (stored?.GetInt64("Version") ?? 0) + 1 };
        sums.WriteTo(row);
        sums.PerProgram().WriteTo(row, "T");
        CounterVersions.WriteIncluded(row, included);
        try
        {
            if (stored is not null)
            {
                await Table.UpdateEntityAsync(row, stored.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                await Table.AddEntityAsync(row, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private static IEnumerable<string> AllPartitions(string cycleId) => Enumerable.Range(0, 256).Select(shard => $"{cycleId}|{shard:x2}");

    /// <summary>
    /// The counter rows of <paramref name="partitions"/> (null where a partition has none), read many at a time. Of a
    /// partition in <paramref name="written"/>, the row this instance wrote last is taken when it remembers one: it holds
    /// the step's own change, and a later change by anyone else is followed by that writer's own refresh.
    /// </summary>
    private async Task<Dictionary<string, TableEntity?>> ReadCountersAsync(IEnumerable<string> partitions, CancellationToken cancellationToken, IReadOnlySet<string>? written = null)
    {
        var rows = new ConcurrentDictionary<string, TableEntity?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(partitions.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (partition, ct) =>
        {
            if (written?.Contains(partition) == true && _lastCounters.TryGetValue(partition, out var known))
            {
                rows[partition] = known;
                return;
            }

            var row = await Table.GetEntityIfExistsAsync<TableEntity>(partition, CounterRow, cancellationToken: ct);
            rows[partition] = row.HasValue ? row.Value : null;
        });
        return new Dictionary<string, TableEntity?>(rows, StringComparer.Ordinal);
    }

    /// <summary>The sum of the cycle's 256 counter rows (per school and program): what the roll-up holds.</summary>
    public async Task<EntitlementCounters> SumCountersAsync(string cycleId, CancellationToken cancellationToken)
    {
        var all = new EntitlementCounters();
        foreach (var row in (await ReadCountersAsync(AllPartitions(cycleId), cancellationToken)).Values)
        {
            all.AddAll(EntitlementCounters.ReadFrom(row));
        }

        return all;
    }
}
