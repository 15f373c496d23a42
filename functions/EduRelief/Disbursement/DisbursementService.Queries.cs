using Azure.Data.Tables;
using EduRelief.Eligibility;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>Queries: batches, items, exceptions, the money (from the counters; a recount as the oracle) and the disclosure.</summary>
public sealed partial class DisbursementService
{
    public async Task<IReadOnlyList<Batch>> ListBatchesAsync(string cycleId, CancellationToken cancellationToken)
    {
        var filter = StorageTables.StartsWith("PartitionKey", cycleId + "|") + " and " + TableClient.CreateQueryFilter($"RowKey eq {Head}");
        var batches = new List<Batch>();
        await foreach (var e in _batches.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            batches.Add(ToBatch(e));
        }

        return batches.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<Batch?> GetBatchAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        if (Keys.Safe(batchId) != batchId)
        {
            return null;
        }

        var e = await _batches.GetEntityIfExistsAsync<TableEntity>(BatchPartition(cycleId, batchId), Head, cancellationToken: cancellationToken);
        return e.HasValue ? ToBatch(e.Value!) : null;
    }

    /// <summary>The batch's items in file order: by key, numbered from 1.</summary>
    public async Task<IReadOnlyList<BatchItem>> ListItemsAsync(string cycleId, string batchId, CancellationToken cancellationToken) =>
        (await ItemEntitiesAsync(cycleId, batchId, cancellationToken)).Select(ToItem).ToList();

    /// <summary>The batch's items in file order, each with what became of it in this batch (pending until the bank answered).</summary>
    public async Task<IReadOnlyList<BatchItemState>> ListItemStatesAsync(string cycleId, string batchId, CancellationToken cancellationToken) =>
        (await ItemEntitiesAsync(cycleId, batchId, cancellationToken)).Select((e, i) => new BatchItemState(
            ToItem(e, i), e.GetString("Outcome") ?? EntitlementStatuses.Pending, e.GetString("BankReason"), e.GetString("InDoubtReason"))).ToList();

    private static string ItemsFilter(string cycleId, string batchId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(cycleId, batchId)}") + " and " + StorageTables.StartsWith("RowKey", ItemPrefix);

    /// <summary>How many items the batch holds and their sum, read a page at a time (only their amounts).</summary>
    private async Task<(int Count, long Fen)> ItemTotalsAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var (count, fen) = (0, 0L);
        await foreach (var e in _batches.QueryAsync<TableEntity>(ItemsFilter(cycleId, batchId), select: ["AmountFen"], cancellationToken: cancellationToken))
        {
            count++;
            fen += e.GetInt64("AmountFen") ?? 0;
        }

        return (count, fen);
    }

    private async Task<List<TableEntity>> ItemEntitiesAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var entities = new List<TableEntity>();
        await foreach (var e in _batches.QueryAsync<TableEntity>(ItemsFilter(cycleId, batchId), cancellationToken: cancellationToken))
        {
            entities.Add(e);
        }

        return entities.OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<ReconciliationException>> ListExceptionsAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var list = new List<ReconciliationException>();
        await foreach (var e in _exceptions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(cycleId, batchId)}"), cancellationToken: cancellationToken))
        {
            list.Add(new ReconciliationException(
                $"{batchId}.{e.RowKey.Replace('|', '.')}", batchId, e.GetString("Kind") ?? "", e.GetInt32("Sequence"), e.GetInt32("FileRow"), e.GetString("MaskedId"),
                e.GetInt64("BatchAmountFen") is { } b ? FromFen(b) : null, e.GetInt64("BankAmountFen") is { } k ? FromFen(k) : null,
                e.GetString("BankStatus"), e.GetString("BankReason"))
            {
                Resolution = e.GetString("Resolution"),
                ResolutionReason = e.GetString("ResolutionReason"),
                ResolvedBy = e.GetString("ResolvedBy"),
                ResolvedAt = e.GetDateTimeOffset("ResolvedAt"),
                ItemSequence = e.GetInt32("ItemSequence"),
            });
        }

        return list;
    }

    /// <summary>Every exception of the cycle's reconciled batches: the rectification items the integrator opens.</summary>
    public async Task<IReadOnlyList<ReconciliationException>> ListCycleExceptionsAsync(string cycleId, CancellationToken cancellationToken)
    {
        var all = new List<ReconciliationException>();
        foreach (var batch in await ListBatchesAsync(cycleId, cancellationToken))
        {
            all.AddRange(await ListExceptionsAsync(cycleId, batch.Id, cancellationToken));
        }

        return all;
    }

    /// <summary>
    /// Per program, the cycle's money (with <paramref name="schoolCode"/>, of that school's students only), from the
    /// cycle's roll-up of the maintained counters: one point read.
    /// </summary>
    public Task<IReadOnlyList<ProgramTotals>> TotalsAsync(string cycleId, CancellationToken cancellationToken, string? schoolCode = null) =>
        _rows.TotalsAsync(cycleId, LedgerWorkbook.ProgramSheets.Keys, schoolCode, cancellationToken);

    /// <summary>The same figures summed from the 256 counter rows (what a refresh writes into the roll-up).</summary>
    public async Task<IReadOnlyList<ProgramTotals>> CountersTotalsAsync(string cycleId, CancellationToken cancellationToken, string? schoolCode = null) =>
        (await _rows.SumCountersAsync(cycleId, cancellationToken)).Totals(LedgerWorkbook.ProgramSheets.Keys, schoolCode);

    /// <summary>
    /// Runs a step that moves counters, then brings the roll-up up to date (<see cref="EntitlementTable.TrackingAsync"/>)
    /// with the partitions it wrote and those of <paramref name="personKeys"/> (what a redelivered step that finds
    /// nothing left to write still names), or with every partition (<paramref name="everyPartition"/>).
    /// </summary>
    private Task<T> RefreshingAsync<T>(
        string cycleId, Func<Task<T>> step, CancellationToken cancellationToken, Func<IEnumerable<string>>? personKeys = null, bool everyPartition = false) =>
        _rows.TrackingAsync(cycleId, step, personKeys is null ? null : () => personKeys().Select(k => EntitlementPartition(cycleId, k)), everyPartition, cancellationToken);

    /// <summary>The same figures by reading every entitlement row: the oracle the counters are tested against.</summary>
    public async Task<IReadOnlyList<ProgramTotals>> RecountAsync(string cycleId, CancellationToken cancellationToken, string? schoolCode = null)
    {
        var figures = new Dictionary<string, Dictionary<string, Figure>>();
        await foreach (var e in QueryEntitlementsAsync(cycleId, null, cancellationToken, schoolCode))
        {
            var program = e.GetString("Program") ?? "";
            var byStatus = figures.TryGetValue(program, out var f) ? f : figures[program] = new Dictionary<string, Figure>();
            var amount = FromFen(e.GetInt64("AmountFen"));
            var status = e.GetString("Status") ?? EntitlementStatuses.Pending;
            byStatus[status] = byStatus.GetValueOrDefault(status, Figure.Zero).Add(amount);
            if (status == EntitlementStatuses.Paid && e.GetBoolean("BackPay") == true)
            {
                byStatus["backPaid"] = byStatus.GetValueOrDefault("backPaid", Figure.Zero).Add(amount);
            }
        }

        return LedgerWorkbook.ProgramSheets.Keys.Concat(figures.Keys).Distinct().Where(figures.ContainsKey).Select(program =>
        {
            var f = figures[program];
            Figure Get(string s) => f.GetValueOrDefault(s, Figure.Zero);
            var owed = Get(EntitlementStatuses.Paid) + Get(EntitlementStatuses.Pending) + Get(EntitlementStatuses.Failed) + Get(EntitlementStatuses.Held) + Get(EntitlementStatuses.InDoubt);
            return new ProgramTotals(program, owed, Get(EntitlementStatuses.Paid), Get(EntitlementStatuses.Pending), Get(EntitlementStatuses.Failed),
                Get(EntitlementStatuses.Held), Get("backPaid"), Get(EntitlementStatuses.Cancelled), Get(EntitlementStatuses.InDoubt));
        }).ToList();
    }

    /// <summary>Per school and program: how many were paid and how much. No names, no ID numbers.</summary>
    public async Task<IReadOnlyList<DisclosureRow>> DisclosureAsync(string cycleId, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string School, string Program), (string Name, Figure Figure)>();
        await foreach (var e in QueryEntitlementsAsync(cycleId, null, cancellationToken))
        {
            if (e.GetString("Status") != EntitlementStatuses.Paid)
            {
                continue;
            }

            var key = (e.GetString("SchoolCode") ?? "", e.GetString("Program") ?? "");
            var current = rows.TryGetValue(key, out var r) ? r : (e.GetString("SchoolName") ?? "", Figure.Zero);
            rows[key] = (current.Item1, current.Item2.Add(FromFen(e.GetInt64("AmountFen"))));
        }

        return rows.OrderBy(r => r.Key.School, StringComparer.Ordinal).ThenBy(r => r.Key.Program, StringComparer.Ordinal)
            .Select(r => new DisclosureRow(r.Key.School, r.Value.Name, r.Key.Program, r.Value.Figure.Count, r.Value.Figure.Amount)).ToList();
    }

    /// <summary>
    /// Where each of the cycle's ledger keys stands (one range scan over the cycle's partitions, narrowed by program and
    /// school): the payment-status view of <see cref="PaymentStatusQueries"/>.
    /// </summary>
    public async IAsyncEnumerable<EntitlementState> EntitlementStatesAsync(
        string cycleId, string? program, string? schoolCode, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in QueryEntitlementsAsync(cycleId, program, cancellationToken, schoolCode))
        {
            var status = e.GetString("Status") ?? EntitlementStatuses.Pending;
            yield return new EntitlementState(
                PersonKeyOf(e), e.GetString("Program") ?? "", e.GetString("Name") ?? "", Rosters.IdNumber.FromStored(e.GetString("IdNumber")), e.GetString("SchoolCode") ?? "",
                e.GetString("SchoolName") ?? "", FromFen(e.GetInt64("AmountFen")), status,
                status == EntitlementStatuses.Paid ? e.GetString("PaidBatchId") : e.GetString("BatchId") ?? e.GetString("LastFailedBatchId"),
                status == EntitlementStatuses.Paid ? e.GetDateTimeOffset("PaidAt") : null,
                status == EntitlementStatuses.Failed ? e.GetString("FailureReason") : null,
                status == EntitlementStatuses.InDoubt ? e.GetString("InDoubtReason") : null,
                e.GetBoolean("BackPay") ?? false, e.GetString("Source") ?? "");
        }
    }
}
