using Azure;
using Azure.Data.Tables;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Storage;

namespace EduRelief.Disbursement;

/// <summary>Batch cutting: which rows a batch takes, claiming them in entity-group batches, adding items by stripe, sealing.</summary>
public sealed partial class DisbursementService
{
    /// <summary>
    /// Cuts the next batch of <paramref name="program"/>: every pending row in no batch, every failed row (the bank's
    /// failures go into the next batch), and rows a crashed cut left claimed but outside its sealed batch. A 补发 batch
    /// takes only rows confirmed after the regular batch. Safe to repeat and to run on two instances at once: while a
    /// batch of the program is being cut, every caller finishes that one, and <paramref name="requestId"/> (a workflow
    /// step's id) returns the batch it cut before. Nothing to pay → no batch.
    /// </summary>
    public Task<CutOutcome> CutBatchAsync(string cycleId, string program, string kind, string? reason, string actor, string? requestId, CancellationToken cancellationToken) =>
        RefreshingAsync(cycleId, () => CutAsync(cycleId, program, kind, reason, actor, requestId, cancellationToken), cancellationToken);

    private async Task<CutOutcome> CutAsync(string cycleId, string program, string kind, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var batches = (await ListBatchesAsync(cycleId, cancellationToken)).Where(b => b.Program == program).ToList();
        if (requestId is not null && batches.FirstOrDefault(b => b.RequestId == requestId) is { } asked)
        {
            return new CutOutcome(asked.Status == BatchStatuses.Cutting ? await FinishAsync(asked, cancellationToken) : asked, false);
        }

        if (batches.FirstOrDefault(b => b.Status == BatchStatuses.Cutting) is { } open)
        {
            return new CutOutcome(await FinishAsync(open, cancellationToken), false);
        }

        var accounts = await Accounts.CycleAccounts.LoadPayableAsync(_storage, cycleId, cancellationToken);
        var claimable = await ClaimableAsync(cycleId, program, kind, batchId: null, accounts, cancellationToken);
        if (claimable.Count == 0)
        {
            return new CutOutcome(null, false);
        }

        var id = $"{program}-{batches.Count + 1:D3}";
        var head = new TableEntity(BatchPartition(cycleId, id), Head)
        {
            ["CycleId"] = cycleId,
            ["Program"] = program,
            ["Kind"] = kind,
            ["Reason"] = reason,
            ["Status"] = BatchStatuses.Cutting,
            ["CreatedBy"] = actor,
            ["CreatedAt"] = _clock.GetUtcNow(),
            ["RequestId"] = requestId,
        };
        var created = true;
        try
        {
            // The head and its stripes at once: item chunks touch a stripe each, so they go in parallel (see FinishAsync).
            await _batches.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Add, head),
                 .. Enumerable.Range(0, Stripes).Select(s => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(head.PartitionKey, StripeRow(s))))],
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Another instance started the same batch: finish it with them, never start a second one.
            created = false;
        }

        await FaultAsync("batch.created");
        var batch = (await GetBatchAsync(cycleId, id, cancellationToken))!;
        return new CutOutcome(batch.Status == BatchStatuses.Cutting ? await FinishAsync(batch, cancellationToken) : batch, created);
    }

    /// <summary>
    /// For the workflow when the notice ends: the entitlements, then a regular batch per program that has anything to
    /// pay. <paramref name="stepId"/> (the step's id) makes a redelivered or retried step return the batches it cut.
    /// </summary>
    public async Task<IReadOnlyList<Batch>> CutAfterNoticeAsync(string cycleId, string runId, string stepId, CancellationToken cancellationToken)
    {
        await PrepareAsync(cycleId, runId, cancellationToken);
        foreach (var program in LedgerWorkbook.ProgramSheets.Keys)
        {
            await CutBatchAsync(cycleId, program, BatchKinds.Regular, "notice ended", "workflow", $"{stepId}|{program}", cancellationToken);
        }

        // Every batch of the cycle, also one the bureau cut by hand before this step ran: "nothing to pay" must mean it.
        return await ListBatchesAsync(cycleId, cancellationToken);
    }

    /// <summary>For the workflow: every batch of the cycle is reconciled (and there is at least one), so rectification can start.</summary>
    public async Task<bool> AllReconciledAsync(string cycleId, CancellationToken cancellationToken)
    {
        var batches = await ListBatchesAsync(cycleId, cancellationToken);
        return batches.Count > 0 && batches.All(b => b.Status == BatchStatuses.Reconciled);
    }

    /// <summary>Entitlement rows this batch may take (or, with no batch yet, whether there is anything to cut).</summary>
    /// <remarks><paramref name="accounts"/>: the children who can be paid and to which account (<see cref="Accounts.CycleAccounts.LoadPayableAsync"/>).</remarks>
    private async Task<List<TableEntity>> ClaimableAsync(
        string cycleId, string program, string kind, string? batchId, IReadOnlyDictionary<string, Accounts.PayableAccount> accounts, CancellationToken cancellationToken)
    {
        var sealedMembers = new Dictionary<string, HashSet<string>?>();
        var reconciling = new Dictionary<string, bool>();
        var rows = new List<TableEntity>();
        // Money reaches a family only through a usable account: a child without one is never cut (DOMAIN "Accounts").
        var withoutAccount = new List<TableEntity>();
        // An objection that arrived since the entitlements were last prepared holds its person all the same.
        var cycleHolds = (await _holds.ListAsync(cycleId, cancellationToken)).Where(h => h.Status != HoldStatuses.Dismissed).ToList();
        await foreach (var e in QueryEntitlementsAsync(cycleId, program, cancellationToken))
        {
            var status = e.GetString("Status");
            var inBatch = e.GetString("BatchId");
            if (kind == BatchKinds.BackPay && e.GetBoolean("BackPay") != true && inBatch != batchId)
            {
                continue;
            }

            if (inBatch != batchId && cycleHolds.Any(h => h.Covers(e.GetString("SchoolCode") ?? "", e.GetString("Name") ?? "")))
            {
                continue;
            }

            // A failure is owed again once the batch that failed it is reconciled: a person is in at most one open batch.
            // An in-doubt row is neither pending nor failed: it stays with its batch until resolved.
            var take = (status == EntitlementStatuses.Failed && !await FailedInOpenBatchAsync(cycleId, e, reconciling, cancellationToken))
                || (status == EntitlementStatuses.Pending && (inBatch is null || inBatch == batchId))
                || (status == EntitlementStatuses.Pending && await IsOrphanAsync(cycleId, inBatch!, e, sealedMembers, cancellationToken));
            var claimedByThisBatch = batchId is not null && inBatch == batchId;
            if (take && !claimedByThisBatch && !accounts.ContainsKey(PersonKeyOf(e)))
            {
                withoutAccount.Add(e);
            }
            else if (take)
            {
                rows.Add(e);
            }
        }

        if (kind == BatchKinds.Regular)
        {
            await MarkForBackPayAsync(withoutAccount, "no usable account when the regular batch was cut", cancellationToken);
        }

        return rows;
    }

    /// <summary>
    /// Rows a regular batch leaves out for want of an account are owed as 补发: the next back-pay batch takes them once
    /// the account is usable. A row someone changed meanwhile is left as it is (the next cut looks again).
    /// </summary>
    private async Task MarkForBackPayAsync(IEnumerable<TableEntity> rows, string reason, CancellationToken cancellationToken)
    {
        await _rows.CommitAllAsync(
            rows.Where(r => r.GetBoolean("BackPay") != true).Select(r => new EntitlementWrite(r, new TableEntity(r) { ["BackPay"] = true, ["BackPayReason"] = reason })),
            cancellationToken);
    }

    /// <summary>The batch whose result failed this row is still reconciling (a result crashed part-way, or is being applied now).</summary>
    private async Task<bool> FailedInOpenBatchAsync(string cycleId, TableEntity e, Dictionary<string, bool> cache, CancellationToken cancellationToken)
    {
        if (e.GetString("LastFailedBatchId") is not { } failedIn)
        {
            return false;
        }

        if (!cache.TryGetValue(failedIn, out var open))
        {
            open = cache[failedIn] = (await GetBatchAsync(cycleId, failedIn, cancellationToken))?.Status == BatchStatuses.Reconciling;
        }

        return open;
    }

    /// <summary>A row claimed by a cut that lost the race to seal: its batch is sealed without it.</summary>
    private async Task<bool> IsOrphanAsync(string cycleId, string batchId, TableEntity e, Dictionary<string, HashSet<string>?> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(batchId, out var members))
        {
            var batch = await GetBatchAsync(cycleId, batchId, cancellationToken);
            members = batch is null || batch.Status == BatchStatuses.Cutting
                ? null
                : (await ListItemsAsync(cycleId, batchId, cancellationToken)).Select(i => i.PersonKey).ToHashSet();
            cache[batchId] = members;
        }

        return members is not null && !members.Contains(PersonKeyOf(e));
    }

    /// <summary>Claims the batch's rows, adds them as items, and seals. Any instance may run it, any number of times.</summary>
    private async Task<Batch> FinishAsync(Batch batch, CancellationToken cancellationToken)
    {
        // One read of the payable accounts decides both who is claimed and the account each item carries.
        var accounts = await Accounts.CycleAccounts.LoadPayableAsync(_storage, batch.CycleId, cancellationToken);
        var claimable = await ClaimableAsync(batch.CycleId, batch.Program, batch.Kind, batch.Id, accounts, cancellationToken);
        var claimed = new List<TableEntity>();
        var chunks = claimable.GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(EntitlementTable.RowsPerTransaction));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var mine = await ClaimChunkAsync(chunk, batch.Id, ct);
            lock (claimed)
            {
                claimed.AddRange(mine);
            }
        });

        await FaultAsync("rows.claimed");
        var itemChunks = claimed.OrderBy(e => e.RowKey, StringComparer.Ordinal).Chunk(ItemsPerTransaction).Select((rows, n) => (Rows: rows, Stripe: StripeRow(n % Stripes)));
        var stopped = 0;
        await Parallel.ForEachAsync(itemChunks, new ParallelOptions { MaxDegreeOfParallelism = Stripes, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (Volatile.Read(ref stopped) == 0 && !await AddItemsAsync(batch, [.. chunk.Rows], chunk.Stripe, accounts, ct))
            {
                Interlocked.Exchange(ref stopped, 1);
            }
        });
        if (stopped != 0)
        {
            // Sealed by another instance without these rows: give them back for the next batch. A row whose
            // release is lost (a crash, a race) is an orphan the next cut takes, since the sealed batch lacks it.
            var members = (await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken)).Select(i => i.PersonKey).ToHashSet();
            await _rows.CommitAllAsync(claimed.Where(r => !members.Contains(PersonKeyOf(r))).Select(r =>
            {
                var released = new TableEntity(r) { ["Status"] = EntitlementStatuses.Pending };
                released.Remove("BatchId");
                return new EntitlementWrite(r, released);
            }), cancellationToken);
            return (await GetBatchAsync(batch.CycleId, batch.Id, cancellationToken))!;
        }

        await FaultAsync("items.added");
        return await SealAsync(batch.CycleId, batch.Id, cancellationToken);
    }

    /// <summary>Claims up to 100 rows of one partition in one transaction, each under its ETag; on a conflict, row by row.</summary>
    private async Task<IReadOnlyList<TableEntity>> ClaimChunkAsync(TableEntity[] rows, string batchId, CancellationToken cancellationToken)
    {
        var toClaim = rows.Where(r => !(r.GetString("Status") == EntitlementStatuses.Pending && r.GetString("BatchId") == batchId)).ToList();
        var already = rows.Except(toClaim).ToList();
        if (toClaim.Count == 0)
        {
            return already;
        }

        var updated = toClaim.Select(r =>
        {
            var copy = new TableEntity(r) { ETag = r.ETag };
            copy["Status"] = EntitlementStatuses.Pending;
            copy["BatchId"] = batchId;
            return copy;
        }).ToList();
        if (await _rows.CommitAsync(toClaim.Zip(updated, (before, after) => new EntitlementWrite(before, after)).ToList(), cancellationToken) is null)
        {
            return [.. already, .. updated];
        }

        // Another writer changed a row: claim them one by one.
        var mine = new List<TableEntity>(already);
        foreach (var row in toClaim)
        {
            if (await ClaimAsync(row, batchId, cancellationToken) is { } claimed)
            {
                mine.Add(claimed);
            }
        }

        return mine;
    }

    /// <summary>Sets the row's batch under its ETag; null when another writer changed it first and it is not ours now.</summary>
    private async Task<TableEntity?> ClaimAsync(TableEntity row, string batchId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var status = row.GetString("Status");
            var inBatch = row.GetString("BatchId");
            if (status == EntitlementStatuses.Pending && inBatch == batchId)
            {
                return row;
            }

            if (status is not (EntitlementStatuses.Pending or EntitlementStatuses.Failed) || (status == EntitlementStatuses.Pending && inBatch is not null && attempt > 0))
            {
                return null;
            }

            var claimed = new TableEntity(row) { ["Status"] = EntitlementStatuses.Pending, ["BatchId"] = batchId };
            if (await _rows.TryWriteAsync(row, claimed, cancellationToken))
            {
                return claimed;
            }

            var fresh = await _rows.Table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
            if (!fresh.HasValue)
            {
                return null;
            }

            row = fresh.Value!;
        }

        return null;
    }

    /// <summary>
    /// Adds items in one transaction with a touch of <paramref name="stripe"/> under the ETag read before the head was
    /// seen cutting (a batch cut before stripes existed: of the head); false once the batch is sealed.
    /// </summary>
    private async Task<bool> AddItemsAsync(Batch batch, List<TableEntity> rows, string stripe, IReadOnlyDictionary<string, Accounts.PayableAccount> accounts, CancellationToken cancellationToken)
    {
        var partition = BatchPartition(batch.CycleId, batch.Id);
        while (true)
        {
            var guard = await _batches.GetEntityIfExistsAsync<TableEntity>(partition, stripe, cancellationToken: cancellationToken);
            var head = await _batches.GetEntityAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken);
            if (head.Value.GetString("Status") != BatchStatuses.Cutting)
            {
                return rows.Count == 0 || await AllMembersAsync(batch, rows, cancellationToken);
            }

            if (rows.Count == 0)
            {
                return true;
            }

            var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ItemEntity(partition, r, accounts.GetValueOrDefault(PersonKeyOf(r))))).ToList();
            actions.Add(guard.HasValue
                ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, stripe) { ["TouchedAt"] = _clock.GetUtcNow() }, guard.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, Head) { ["TouchedAt"] = _clock.GetUtcNow() }, head.Value.ETag));
            try
            {
                await _batches.SubmitTransactionAsync(actions, cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                // Another instance added items or sealed: look again.
            }
        }
    }

    private async Task<bool> AllMembersAsync(Batch batch, List<TableEntity> rows, CancellationToken cancellationToken)
    {
        var members = (await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken)).Select(i => i.PersonKey).ToHashSet();
        return rows.All(r => members.Contains(PersonKeyOf(r)));
    }

    /// <summary>A batch row: the entitlement and the account it is paid to, as the payment file carries them.</summary>
    private static TableEntity ItemEntity(string partition, TableEntity row, Accounts.PayableAccount? account) =>
        new(partition, ItemPrefix + PersonKeyOf(row))
        {
            ["Name"] = row.GetString("Name"),
            ["IdNumber"] = row.GetString("IdNumber"),
            ["SchoolCode"] = row.GetString("SchoolCode"),
            ["SchoolName"] = row.GetString("SchoolName"),
            ["Program"] = row.GetString("Program"),
            ["AmountFen"] = row.GetInt64("AmountFen"),
            ["BackPay"] = row.GetBoolean("BackPay") ?? false,
            ["BackPayReason"] = row.GetString("BackPayReason"),
            ["AccountHolder"] = account?.Holder,
            ["AccountNumber"] = account?.Number,
            ["Bank"] = account?.Bank,
        };

    /// <summary>
    /// Freezes the item set: the head is replaced, and every stripe touched, under the ETags read before the items were
    /// listed, in one transaction; an item chunk added meanwhile changed one of them, and the seal looks again.
    /// </summary>
    private async Task<Batch> SealAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var partition = BatchPartition(cycleId, batchId);
        while (true)
        {
            var head = (await _batches.GetEntityAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken)).Value;
            if (head.GetString("Status") != BatchStatuses.Cutting)
            {
                return ToBatch(head);
            }

            var stripes = new List<TableEntity>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and " + StorageTables.StartsWith("RowKey", StripePrefix);
            await foreach (var stripe in _batches.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                stripes.Add(stripe);
            }

            var items = await ListItemsAsync(cycleId, batchId, cancellationToken);
            var now = _clock.GetUtcNow();
            head["Status"] = BatchStatuses.Sealed;
            head["Count"] = items.Count;
            head["TotalFen"] = items.Sum(i => ToFen(i.Amount));
            head["SealedAt"] = now;
            try
            {
                await _batches.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.UpdateReplace, head, head.ETag),
                     .. stripes.Select(x => new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, x.RowKey) { ["TouchedAt"] = now }, x.ETag))],
                    cancellationToken);
                return (await GetBatchAsync(cycleId, batchId, cancellationToken))!;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                // Items were added or another instance sealed: look again.
            }
        }
    }
}
