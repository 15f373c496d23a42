using EduRelief.Eligibility;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>Reconciliation: taking a bank result (202), applying it as the cycle's step, and resolving rows in doubt.</summary>
public sealed partial class DisbursementService
{
    /// <summary>
    /// Takes the bank's result for a sealed batch: the file is stored (content-addressed, private) and the batch moves
    /// from sealed to reconciling with the file's hash, under the head's ETag, so the first writer wins. Only the
    /// request that moved it answers <see cref="AcceptStatus.Accepted"/>; the same file again answers AlreadyAccepted
    /// (still reconciling) or AlreadyReconciled; another file after the first, DifferentFile. The ledger is not touched
    /// here: <see cref="ApplyResultAsync"/> does that, as the cycle's step.
    /// </summary>
    public async Task<ResultAcceptance> AcceptResultAsync(string cycleId, string batchId, byte[] file, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var partition = BatchPartition(cycleId, batchId);
        while (true)
        {
            if (Keys.Safe(batchId) != batchId || await _batches.GetEntityIfExistsAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken) is not { HasValue: true } found)
            {
                return new ResultAcceptance(AcceptStatus.NotFound, null);
            }

            var head = found.Value!;
            var status = head.GetString("Status");
            var same = head.GetString("ResultHash") == hash;
            if (status == BatchStatuses.Cutting)
            {
                return new ResultAcceptance(AcceptStatus.NotSealed, ToBatch(head));
            }

            if (status is BatchStatuses.Reconciling or BatchStatuses.Reconciled && !same)
            {
                return new ResultAcceptance(AcceptStatus.DifferentFile, ToBatch(head));
            }

            if (status == BatchStatuses.Reconciled)
            {
                return new ResultAcceptance(AcceptStatus.AlreadyReconciled, ToBatch(head));
            }

            await SaveBlobAsync(ResultBlob(hash), file, "text/csv", cancellationToken);
            if (status == BatchStatuses.Reconciling)
            {
                return new ResultAcceptance(AcceptStatus.AlreadyAccepted, ToBatch(head));
            }

            head["Status"] = BatchStatuses.Reconciling;
            head["ResultHash"] = hash;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                return new ResultAcceptance(AcceptStatus.Accepted, (await GetBatchAsync(cycleId, batchId, cancellationToken))!);
            }
        }
    }

    private static string ResultBlob(string hash) => $"result/sha256/{hash}";

    /// <summary>
    /// The cycle's step: applies the stored result of a reconciling batch; a batch reconciled already is answered as it
    /// is. Idempotent, so a redelivered or retried step (or one a crash cut short) finishes the same reconciliation.
    /// </summary>
    public async Task<Batch?> ApplyResultAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var found = await _batches.GetEntityIfExistsAsync<TableEntity>(BatchPartition(cycleId, batchId), Head, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value!.GetString("Status") != BatchStatuses.Reconciling)
        {
            return found.HasValue ? ToBatch(found.Value!) : null;
        }

        var file = (await _files.GetBlobClient(ResultBlob(found.Value.GetString("ResultHash")!)).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        var (rows, errors) = BankFiles.ParseResult(file);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The stored result of batch {batchId} does not parse: {string.Join("; ", errors.Keys)}");
        }

        return await ApplyAsync(cycleId, batchId, found.Value, rows, cancellationToken);
    }

    /// <summary>
    /// Accepts and applies the bank's result in one call (<see cref="AcceptResultAsync"/>, then the work of
    /// <see cref="ApplyResultAsync"/>): only the request that moved the batch to reconciling answers
    /// <see cref="ReconcileStatus.Reconciled"/>; any other request with the same file finishes a reconciliation left
    /// part-way, idempotently, and answers Unchanged.
    /// </summary>
    public async Task<ReconcileOutcome> ReconcileAsync(string cycleId, string batchId, byte[] file, IReadOnlyList<BankResultRow> rows, CancellationToken cancellationToken)
    {
        var accepted = await AcceptResultAsync(cycleId, batchId, file, cancellationToken);
        switch (accepted.Status)
        {
            case AcceptStatus.NotFound:
                return new ReconcileOutcome(ReconcileStatus.NotFound, null, []);
            case AcceptStatus.NotSealed:
                return new ReconcileOutcome(ReconcileStatus.NotSealed, accepted.Batch, []);
            case AcceptStatus.DifferentFile or AcceptStatus.AlreadyReconciled:
                return new ReconcileOutcome(
                    accepted.Status == AcceptStatus.DifferentFile ? ReconcileStatus.DifferentFile : ReconcileStatus.Unchanged,
                    accepted.Batch, await ListExceptionsAsync(cycleId, batchId, cancellationToken));
        }

        var head = (await _batches.GetEntityAsync<TableEntity>(BatchPartition(cycleId, batchId), Head, cancellationToken: cancellationToken)).Value;
        var batch = head.GetString("Status") == BatchStatuses.Reconciling ? await ApplyAsync(cycleId, batchId, head, rows, cancellationToken) : ToBatch(head);
        return new ReconcileOutcome(
            accepted.Status == AcceptStatus.Accepted ? ReconcileStatus.Reconciled : ReconcileStatus.Unchanged, batch, await ListExceptionsAsync(cycleId, batchId, cancellationToken));
    }

    /// <summary>
    /// The whole file is decided first (<see cref="ReconciliationPlan"/>), then written: each item's outcome on the batch
    /// row (once), the exceptions (once), then the ledger (<see cref="ApplyDecisionsAsync"/>): paid rows get a payment row
    /// (insert-only) and become paid, failed rows stay owed with the bank's reason for the next batch, and rows the file
    /// leaves unclear are in doubt, tied to this batch until a person resolves them. Last, the head: reconciled.
    /// </summary>
    private async Task<Batch> ApplyAsync(string cycleId, string batchId, TableEntity head, IReadOnlyList<BankResultRow> rows, CancellationToken cancellationToken)
    {
        var partition = BatchPartition(cycleId, batchId);
        var entities = await ItemEntitiesAsync(cycleId, batchId, cancellationToken);
        var plan = ReconciliationPlan.Decide(entities.Select(ToItem).ToList(), rows);
        await RecordOutcomesAsync(entities, plan.Items, cancellationToken);
        await AddExceptionsAsync(plan.Exceptions.Select(e => ExceptionEntity(partition, e.Key, e.Kind, e.Row, e.Item)), cancellationToken);

        var alreadyPaid = await RefreshingAsync(cycleId, async () =>
        {
            var refused = await ApplyDecisionsAsync(cycleId, batchId, plan.Items, rows, cancellationToken);
            await AddExceptionsAsync(refused.Select(e => ExceptionEntity(partition, e.Key, e.Kind, e.Row, e.Item)), cancellationToken);
            return refused;
        }, cancellationToken, () => plan.Items.Select(d => d.Item.PersonKey));

        Figure Sum(PlannedOutcome outcome) => plan.Items.Where(d => d.Outcome == outcome).Aggregate(Figure.Zero, (f, d) => f.Add(d.Item.Amount));
        var paid = Sum(PlannedOutcome.Paid) + new Figure(-alreadyPaid.Count, -alreadyPaid.Sum(e => e.Item!.Amount));
        var (failed, inDoubt) = (Sum(PlannedOutcome.Failed), Sum(PlannedOutcome.InDoubt) + Sum(PlannedOutcome.NotReturned));
        while (head.GetString("Status") != BatchStatuses.Reconciled)
        {
            head["Status"] = BatchStatuses.Reconciled;
            head["ReconciledAt"] = _clock.GetUtcNow();
            head["PaidCount"] = paid.Count;
            head["PaidFen"] = paid.Amount.Fen;
            head["FailedCount"] = failed.Count;
            head["FailedFen"] = failed.Amount.Fen;
            head["InDoubtCount"] = inDoubt.Count;
            head["InDoubtFen"] = inDoubt.Amount.Fen;
            head["ExceptionCount"] = plan.Exceptions.Count + alreadyPaid.Count;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                break;
            }

            head = (await _batches.GetEntityAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken)).Value;
        }

        return (await GetBatchAsync(cycleId, batchId, cancellationToken))!;
    }

    /// <summary>
    /// The plan's effect on the ledger, in entity-group transactions per partition: first the payment rows of the paid
    /// (insert-only; a key another batch paid is refused by storage and answered as <c>alreadyPaid</c>), then every
    /// entitlement row with its partition's counter, each under the ETag read for it. A row someone changed meanwhile is
    /// done again alone; a row already moved on (a repeated file) is left as it is.
    /// </summary>
    private async Task<List<PlannedException>> ApplyDecisionsAsync(
        string cycleId, string batchId, IReadOnlyList<ItemDecision> decisions, IReadOnlyList<BankResultRow> rows, CancellationToken cancellationToken)
    {
        var paidAt = _clock.GetUtcNow();
        var refusedKeys = await AddPaymentsAsync(cycleId, batchId, decisions.Where(d => d.Outcome == PlannedOutcome.Paid).Select(d => d.Item), paidAt, cancellationToken);
        var alreadyPaid = decisions.Where(d => refusedKeys.Contains(d.Item.PersonKey + "|" + d.Item.Program))
            .Select(d => new PlannedException(ReconciliationKinds.AlreadyPaid, rows.First(r => r.IdNumber == d.Item.IdNumber.Value && r.Sequence == d.Item.Sequence), d.Item)).ToList();

        var current = new Dictionary<(string, string), TableEntity>();
        foreach (var program in decisions.Select(d => d.Item.Program).Distinct())
        {
            await foreach (var e in QueryEntitlementsAsync(cycleId, program, cancellationToken))
            {
                current[(program, PersonKeyOf(e))] = e;
            }
        }

        var writes = new List<(EntitlementWrite Write, ItemDecision Decision)>();
        foreach (var d in decisions.Where(d => !refusedKeys.Contains(d.Item.PersonKey + "|" + d.Item.Program)))
        {
            if (current.TryGetValue((d.Item.Program, d.Item.PersonKey), out var row) && Change(d, batchId, paidAt) is var (from, change) && From(row, batchId, from))
            {
                var after = new TableEntity(row);
                change(after);
                writes.Add((new EntitlementWrite(row, after), d));
            }
        }

        var refused = (await _rows.CommitAllAsync(writes.Select(w => w.Write), cancellationToken)).ToHashSet();
        await Parallel.ForEachAsync(writes.Where(w => refused.Contains(w.Write)), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (w, ct) =>
        {
            if (w.Decision.Outcome == PlannedOutcome.Paid)
            {
                await MarkEntitlementPaidAsync(cycleId, batchId, w.Decision.Item, paidAt, ct);
            }
            else
            {
                var (from, change) = Change(w.Decision, batchId, paidAt);
                await MoveInBatchAsync(cycleId, batchId, w.Decision.Item, from, change, ct);
            }
        });
        return alreadyPaid;
    }

    /// <summary>
    /// Payment rows for <paramref name="items"/>, in transactions per partition; the answer is the keys
    /// (<c>{person key}|{program}</c>) another batch paid before (this batch's own rows, from an earlier attempt, are fine).
    /// </summary>
    private async Task<HashSet<string>> AddPaymentsAsync(string cycleId, string batchId, IEnumerable<BatchItem> items, DateTimeOffset paidAt, CancellationToken cancellationToken)
    {
        var refused = new HashSet<string>();
        var rows = items.Select(i => (Item: i, Row: new TableEntity(EntitlementPartition(cycleId, i.PersonKey), EntitlementRow(i.Program, i.PersonKey))
        {
            ["BatchId"] = batchId,
            ["Sequence"] = i.Sequence,
            ["AmountFen"] = i.Amount.Fen,
            ["PaidAt"] = paidAt,
        }));
        var chunks = rows.GroupBy(r => r.Row.PartitionKey).SelectMany(g => g.Chunk(StorageTables.MaxActions));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await _payments.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r.Row)), ct);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // Some were added before: row by row.
            }

            foreach (var (item, row) in chunk)
            {
                if (!await AddPaymentAsync(row, batchId, ct))
                {
                    lock (refused)
                    {
                        refused.Add(item.PersonKey + "|" + item.Program);
                    }
                }
            }
        });
        return refused;
    }

    /// <summary>The payment row (insert-only); false when another batch paid the key.</summary>
    private async Task<bool> AddPaymentAsync(TableEntity payment, string batchId, CancellationToken cancellationToken)
    {
        try
        {
            await _payments.AddEntityAsync(payment, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await _payments.GetEntityAsync<TableEntity>(payment.PartitionKey, payment.RowKey, cancellationToken: cancellationToken);
            return existing.Value.GetString("BatchId") == batchId;
        }
    }

    /// <summary>What a decision does to the entitlement: the statuses it applies to (while in this batch) and the change.</summary>
    private static (string[] From, Action<TableEntity> Change) Change(ItemDecision d, string batchId, DateTimeOffset paidAt) => d.Outcome switch
    {
        PlannedOutcome.Paid => (PaidFrom, PaidChange(batchId, paidAt)),
        PlannedOutcome.Failed => (FailedFrom, FailedChange(batchId, d.BankReason!)),
        _ => (InDoubtFrom, InDoubtChange(d.Why!)),
    };

    /// <summary>A paid row is paid whatever it was (the payment row, insert-only, decided that); the others only while in this batch.</summary>
    private static readonly string[] PaidFrom = [EntitlementStatuses.Pending, EntitlementStatuses.Failed, EntitlementStatuses.InDoubt, EntitlementStatuses.Held, EntitlementStatuses.Cancelled];

    private static readonly string[] FailedFrom = [EntitlementStatuses.Pending, EntitlementStatuses.InDoubt];

    private static readonly string[] InDoubtFrom = [EntitlementStatuses.Pending];

    private static bool From(TableEntity row, string batchId, string[] from) =>
        from.Contains(row.GetString("Status")) && (from == PaidFrom || row.GetString("BatchId") == batchId);

    private static Action<TableEntity> PaidChange(string batchId, DateTimeOffset paidAt) => row =>
    {
        row["Status"] = EntitlementStatuses.Paid;
        row["PaidBatchId"] = batchId;
        row["PaidAt"] = paidAt;
        row.Remove("BatchId");
    };

    private static Action<TableEntity> FailedChange(string batchId, string reason) => row =>
    {
        row["Status"] = EntitlementStatuses.Failed;
        row["Attempts"] = (row.GetInt32("Attempts") ?? 0) + 1;
        row["FailureReason"] = reason;
        row["LastFailedBatchId"] = batchId;
        row.Remove("BatchId");
    };

    private static Action<TableEntity> InDoubtChange(string why) => row =>
    {
        row["Status"] = EntitlementStatuses.InDoubt;
        row["InDoubtReason"] = why;
    };

    /// <summary>
    /// Each item's outcome in this batch, on its batch row, under the ETag read before deciding: a row that has an
    /// outcome (written by a concurrent request with the same file, or since changed by a resolution) keeps it.
    /// </summary>
    private async Task RecordOutcomesAsync(List<TableEntity> entities, IReadOnlyList<ItemDecision> decisions, CancellationToken cancellationToken)
    {
        var updates = decisions.Where(d => entities[d.Item.Sequence - 1].GetString("Outcome") is null).Select(d => new TableEntity(entities[d.Item.Sequence - 1].PartitionKey, entities[d.Item.Sequence - 1].RowKey)
        {
            ["Outcome"] = d.Status,
            ["BankReason"] = Rectification.SensitiveText.MaskIdNumbers(d.BankReason),
            ["InDoubtReason"] = d.Why,
            ETag = entities[d.Item.Sequence - 1].ETag,
        });
        await Parallel.ForEachAsync(updates.Chunk(StorageTables.MaxActions), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await _batches.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, e, e.ETag)), ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                foreach (var e in chunk)
                {
                    await TryMergeAsync(_batches, e, e.ETag, ct);
                }
            }
        });
    }

    private static async Task TryMergeAsync(TableClient table, TableEntity entity, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Written first by another request: that outcome stands.
        }
    }

    /// <summary>Exceptions are added, never replaced: the resolution a person merged into one survives a late request with the same file.</summary>
    private async Task AddExceptionsAsync(IEnumerable<TableEntity> exceptions, CancellationToken cancellationToken)
    {
        foreach (var chunk in exceptions.Chunk(100))
        {
            try
            {
                await _exceptions.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                foreach (var e in chunk)
                {
                    try
                    {
                        await _exceptions.AddEntityAsync(e, cancellationToken);
                    }
                    catch (RequestFailedException conflict) when (conflict.Status == 409)
                    {
                        // Added before by the same file.
                    }
                }
            }
        }
    }

    /// <summary>
    /// An exception row: what the bank's row said (masked) and, in <c>ItemSequence</c>, the batch row it is about
    /// (the person it names), which a resolution of that row marks resolved.
    /// </summary>
    private static TableEntity ExceptionEntity(string partition, string rowKey, string kind, BankResultRow? row, BatchItem? item) => new(partition, rowKey)
    {
        ["Kind"] = kind,
        ["Sequence"] = row?.Sequence ?? item?.Sequence,
        ["ItemSequence"] = item?.Sequence,
        ["FileRow"] = row?.FileRow,
        ["MaskedId"] = MaskAny(row?.IdNumber ?? item!.IdNumber.Value),
        ["BatchAmountFen"] = item is null ? null : item.Amount.Fen,
        ["BankAmountFen"] = row is null ? null : row.Amount.Fen,
        ["BankStatus"] = row is null ? null : row.Success ? BankFiles.Success : BankFiles.Failure,
        // The bank's free text may quote an ID number: kept masked, as every answer shows it.
        ["BankReason"] = Rectification.SensitiveText.MaskIdNumbers(row?.Reason),
    };

    private static string MaskAny(string id) => id.Length == IdNumbers.Length18 ? string.Concat(id.AsSpan(0, 6), "********", id.AsSpan(14, 4)) : "******";

    /// <summary>
    /// A person's word on a batch row the bank's file left in doubt, once they asked the bank: <paramref name="paid"/>
    /// when the money arrived (a payment row, insert-only, and paid), otherwise the row is owed again (failed) and the
    /// next batch takes it. The resolution is stored once, with Add: the first writer wins. The same outcome again
    /// answers the recorded resolution, another outcome <see cref="ResolveStatus.Conflict"/> with the recorded one; both
    /// finish the recorded resolution's effects (idempotent) if a crash cut them short, and apply nothing twice.
    /// </summary>
    public async Task<ResolveOutcome> ResolveAsync(string cycleId, string batchId, int sequence, bool paid, string reason, string actor, CancellationToken cancellationToken)
    {
        if (await GetBatchAsync(cycleId, batchId, cancellationToken) is not { Status: BatchStatuses.Reconciled })
        {
            return new ResolveOutcome(ResolveStatus.NotReconciled, null);
        }

        var entities = await ItemEntitiesAsync(cycleId, batchId, cancellationToken);
        if (sequence < 1 || sequence > entities.Count)
        {
            return new ResolveOutcome(ResolveStatus.NotFound, null);
        }

        var item = ToItem(entities[sequence - 1], sequence - 1);
        var key = (Partition: BatchPartition(cycleId, batchId), Row: ResolutionPrefix + item.PersonKey);
        var recorded = await GetResolutionAsync(key.Partition, key.Row, cancellationToken);
        var fresh = false;
        if (recorded is null)
        {
            if (entities[sequence - 1].GetString("Outcome") != EntitlementStatuses.InDoubt)
            {
                return new ResolveOutcome(ResolveStatus.NothingToResolve, null);
            }

            var mine = new ItemResolution(paid ? "paid" : "unpaid", Rectification.SensitiveText.MaskIdNumbers(reason), actor, _clock.GetUtcNow());
            try
            {
                await _batches.AddEntityAsync(
                    new TableEntity(key.Partition, key.Row) { ["Outcome"] = mine.Outcome, ["Reason"] = mine.Reason, ["ResolvedBy"] = mine.ResolvedBy, ["ResolvedAt"] = mine.ResolvedAt },
                    cancellationToken);
                (recorded, fresh) = (mine, true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                recorded = await GetResolutionAsync(key.Partition, key.Row, cancellationToken);
            }
        }

        // The recorded resolution's effects are finished whoever asks, also when a crash cut its writer short and the
        // next request asks for the other outcome.
        await RefreshingAsync(cycleId, async () =>
        {
            await ApplyResolutionAsync(cycleId, batchId, item, recorded!, cancellationToken);
            return true;
        }, cancellationToken, () => [item.PersonKey]);
        return new ResolveOutcome(
            recorded!.Outcome != (paid ? "paid" : "unpaid") ? ResolveStatus.Conflict : fresh ? ResolveStatus.Resolved : ResolveStatus.AlreadyResolved, recorded);
    }

    private const string ResolutionPrefix = "resolution|";

    private async Task<ItemResolution?> GetResolutionAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var e = await _batches.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return e.HasValue
            ? new ItemResolution(e.Value!.GetString("Outcome") ?? "", e.Value.GetString("Reason") ?? "", e.Value.GetString("ResolvedBy") ?? "", e.Value.GetDateTimeOffset("ResolvedAt") ?? default)
            : null;
    }

    /// <summary>
    /// The recorded resolution's effects, each idempotent: the entitlement, then the batch row's outcome (so a crash
    /// between them leaves the row shown in doubt and a person's repeat finishes it), then the exceptions about the row.
    /// </summary>
    private async Task ApplyResolutionAsync(string cycleId, string batchId, BatchItem item, ItemResolution resolution, CancellationToken cancellationToken)
    {
        var paid = resolution.Outcome == "paid";
        var partition = BatchPartition(cycleId, batchId);
        if (paid)
        {
            await MarkPaidAsync(cycleId, batchId, item, cancellationToken);
        }
        else
        {
            await MarkFailedAsync(cycleId, batchId, item, resolution.Reason, cancellationToken);
        }

        await _batches.UpdateEntityAsync(
            new TableEntity(partition, ItemPrefix + item.PersonKey) { ["Outcome"] = paid ? EntitlementStatuses.Paid : EntitlementStatuses.Failed },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);

        foreach (var e in (await ListExceptionsAsync(cycleId, batchId, cancellationToken)).Where(e => e.ItemSequence == item.Sequence && e.Kind != ReconciliationKinds.DuplicateRow))
        {
            await _exceptions.UpdateEntityAsync(
                new TableEntity(partition, e.Id[(batchId.Length + 1)..].Replace('.', '|'))
                {
                    ["Resolution"] = resolution.Outcome,
                    ["ResolutionReason"] = resolution.Reason,
                    ["ResolvedBy"] = resolution.ResolvedBy,
                    ["ResolvedAt"] = resolution.ResolvedAt,
                },
                ETag.All,
                TableUpdateMode.Merge,
                cancellationToken);
        }
    }

    /// <summary>The payment row first (insert-only: a second success for the key is refused by storage), then the entitlement.</summary>
    private async Task<bool> MarkPaidAsync(string cycleId, string batchId, BatchItem item, CancellationToken cancellationToken)
    {
        var (pk, rk) = (EntitlementPartition(cycleId, item.PersonKey), EntitlementRow(item.Program, item.PersonKey));
        var now = _clock.GetUtcNow();
        if (!await AddPaymentAsync(new TableEntity(pk, rk) { ["BatchId"] = batchId, ["Sequence"] = item.Sequence, ["AmountFen"] = item.Amount.Fen, ["PaidAt"] = now }, batchId, cancellationToken))
        {
            return false;
        }

        await MarkEntitlementPaidAsync(cycleId, batchId, item, now, cancellationToken);
        return true;
    }

    /// <summary>The entitlement becomes paid (its payment row is written): whatever it was, once.</summary>
    private async Task MarkEntitlementPaidAsync(string cycleId, string batchId, BatchItem item, DateTimeOffset paidAt, CancellationToken cancellationToken)
    {
        var (pk, rk) = (EntitlementPartition(cycleId, item.PersonKey), EntitlementRow(item.Program, item.PersonKey));
        while (true)
        {
            var row = (await _rows.Table.GetEntityAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken)).Value;
            if (row.GetString("Status") == EntitlementStatuses.Paid)
            {
                return;
            }

            var paid = new TableEntity(row);
            PaidChange(batchId, paidAt)(paid);
            if (await _rows.TryWriteAsync(row, paid, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Owed again: the row leaves the batch (pending in it, or in doubt and resolved unpaid) and the next batch takes it.</summary>
    private Task MarkFailedAsync(string cycleId, string batchId, BatchItem item, string reason, CancellationToken cancellationToken) =>
        MoveInBatchAsync(cycleId, batchId, item, FailedFrom, FailedChange(batchId, reason), cancellationToken);

    /// <summary>Changes the entitlement under its ETag while it is in <paramref name="from"/> and still in this batch; otherwise it was applied before (a repeated file) or moved on.</summary>
    private async Task MoveInBatchAsync(string cycleId, string batchId, BatchItem item, string[] from, Action<TableEntity> change, CancellationToken cancellationToken)
    {
        var (pk, rk) = (EntitlementPartition(cycleId, item.PersonKey), EntitlementRow(item.Program, item.PersonKey));
        while (true)
        {
            var row = (await _rows.Table.GetEntityAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken)).Value;
            if (!from.Contains(row.GetString("Status")) || row.GetString("BatchId") != batchId)
            {
                return;
            }

            var changed = new TableEntity(row);
            change(changed);
            if (await _rows.TryWriteAsync(row, changed, cancellationToken))
            {
                return;
            }
        }
    }
}
