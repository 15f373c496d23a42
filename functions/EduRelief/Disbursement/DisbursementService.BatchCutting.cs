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
        RefreshingAsync(cycleId, async () => (await CutProgramsAsync(cycleId, [program], kind, reason, actor, _ => requestId, cancellationToken))[0], cancellationToken);

    /// <summary>
    /// The bureau's cut by hand (<c>POST …/batches</c>): <see cref="CatchUpAsync"/>'s catch-up on what changed since the
    /// notice's end, then <see cref="CutBatchAsync"/> with <paramref name="accountsFor"/>, the accounts of just the
    /// children the batch may take instead of every payable child of the cycle; the roll-up is refreshed once, after both.
    /// </summary>
    public Task<CutOutcome> CutByHandAsync(
        string cycleId, string runId, string program, string kind, string? reason, string actor, string? requestId, AccountsFor accountsFor, CancellationToken cancellationToken) =>
        RefreshingAsync(cycleId, async () =>
        {
            await CatchUpRowsAsync(cycleId, runId, cancellationToken);
            return (await CutProgramsAsync(cycleId, [program], kind, reason, actor, _ => requestId, cancellationToken, accountsFor))[0];
        }, cancellationToken);

    /// <summary>Given the children some rows name, those who can be paid, and to which account.</summary>
    public delegate Task<IReadOnlyDictionary<string, Accounts.PayableAccount>> AccountsFor(IReadOnlyCollection<string> personKeys, CancellationToken cancellationToken);

    /// <summary>The payable children among those the rows name, read from the shards of the cycle's accounts they fall in.</summary>
    private AccountsFor AllPayable(string cycleId) =>
        (keys, ct) => Accounts.CycleAccounts.LoadPayableAsync(_storage, cycleId, ct, keys as IReadOnlySet<string> ?? keys.ToHashSet(StringComparer.Ordinal));

    /// <summary>
    /// A cut works through the entitlement partitions in this many groups (16 partitions each), so that it holds one
    /// group's rows, their accounts and claims at a time instead of every payable row of the county.
    /// </summary>
    private const int CutGroups = 16;

    /// <summary>
    /// <see cref="CutBatchAsync"/> for several programs at once, in groups of partitions (<see cref="CutInGroupsAsync"/>):
    /// a program's batch is started at the first group with rows it may take, so nothing to pay → no batch. A batch
    /// found open or asked for again is finished alone, as <see cref="FinishAsync"/> does.
    /// </summary>
    private async Task<IReadOnlyList<CutOutcome>> CutProgramsAsync(
        string cycleId, IReadOnlyList<string> programs, string kind, string? reason, string actor, Func<string, string?> requestIds, CancellationToken cancellationToken,
        AccountsFor? accountsFor = null)
    {
        var all = await ListBatchesAsync(cycleId, cancellationToken);
        var outcomes = new CutOutcome?[programs.Count];
        var toCut = new List<int>();
        for (var p = 0; p < programs.Count; p++)
        {
            var batches = all.Where(b => b.Program == programs[p]).ToList();
            if (requestIds(programs[p]) is { } requestId && batches.FirstOrDefault(b => b.RequestId == requestId) is { } asked)
            {
                outcomes[p] = new CutOutcome(asked.Status == BatchStatuses.Cutting ? await FinishAsync(asked, cancellationToken) : asked, false);
            }
            else if (batches.FirstOrDefault(b => b.Status == BatchStatuses.Cutting) is { } open)
            {
                outcomes[p] = new CutOutcome(await FinishAsync(open, cancellationToken), false);
            }
            else
            {
                toCut.Add(p);
            }
        }

        if (toCut.Count > 0)
        {
            var cut = await CutInGroupsAsync(
                cycleId, kind, batchId: null, filling: [], toCut.Select(p => programs[p]).ToHashSet(StringComparer.Ordinal),
                program => StartBatchAsync(cycleId, program, kind, reason, actor, requestIds(program), all.Count(b => b.Program == program), cancellationToken),
                accountsFor, cancellationToken);
            foreach (var p in toCut)
            {
                outcomes[p] = cut.GetValueOrDefault(programs[p]) ?? new CutOutcome(null, false);
            }
        }

        return outcomes.Select(o => o!).ToList();
    }

    /// <summary>
    /// Fills batches a group of entity partitions at a time (<see cref="ShardRange.Groups"/>), so that a cut holds one
    /// group's rows and accounts, never the county's: each group's rows the batches may take are read (the rows were read
    /// before the batches existed or changed; every claim is under the row's ETag, so a row changed since is looked at
    /// again, and one that became owed since waits for the next batch), claimed (a transaction per partition holds every
    /// program's rows there) and added as items before the next group is read; then every batch is sealed.
    /// <paramref name="filling"/>: batches to fill from the first group on; a program in <paramref name="unopened"/> gets
    /// its batch from <paramref name="open"/> at the first group with rows for it, and one another instance started is
    /// finished as <see cref="FinishAsync"/> does. A batch another instance sealed meanwhile takes no more rows. A cut by
    /// hand (<paramref name="accountsFor"/> given) reads the accounts of the few rows it takes by point reads: one group.
    /// </summary>
    private async Task<Dictionary<string, CutOutcome>> CutInGroupsAsync(
        string cycleId, string kind, string? batchId, Dictionary<string, Batch> filling, HashSet<string> unopened,
        Func<string, Task<(Batch Batch, bool Created)>> open, AccountsFor? accountsFor, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, CutOutcome>(StringComparer.Ordinal);
        var preFilled = filling.Keys.ToHashSet(StringComparer.Ordinal);
        var scan = new CutScan((await _holds.ListAsync(cycleId, cancellationToken)).Where(h => h.Status != HoldStatuses.Dismissed).ToList());
        // Every batch numbered before one this cut fills exists already (a batch's number counts its program's batches).
        var before = await ListBatchesAsync(cycleId, cancellationToken);
        bool Late(string batchId) => filling.Values.FirstOrDefault(b => b.Id == batchId) is { Kind: BatchKinds.Regular } batch
            && before.Any(b => b.Program == batch.Program && b.Kind == BatchKinds.Regular && string.CompareOrdinal(b.Id, batch.Id) < 0);
        foreach (var shards in ShardRange.Groups(accountsFor is null ? CutGroups : 1))
        {
            if (filling.Count == 0 && unopened.Count == 0)
            {
                break;
            }

            var programs = filling.Keys.Concat(unopened).ToHashSet(StringComparer.Ordinal);
            var (claimable, accounts) = await ClaimableAsync(cycleId, programs, kind, batchId, accountsFor ?? AllPayable(cycleId), scan, shards, cancellationToken);
            foreach (var program in claimable.Select(ProgramOf).Where(unopened.Contains).Distinct(StringComparer.Ordinal).ToList())
            {
                unopened.Remove(program);
                var (batch, created) = await open(program);
                if (created && batch.Status == BatchStatuses.Cutting)
                {
                    filling[program] = batch;
                }
                else
                {
                    outcomes[program] = new CutOutcome(batch.Status == BatchStatuses.Cutting ? await FinishAsync(batch, cancellationToken) : batch, created);
                }
            }

            var claimed = await ClaimAllAsync(claimable.Where(r => filling.ContainsKey(ProgramOf(r))).Select(r => (r, filling[ProgramOf(r)].Id)), Late, cancellationToken);
            foreach (var (program, batch) in filling.ToList())
            {
                if (await AddClaimedAsync(batch, claimed.GetValueOrDefault(batch.Id) ?? [], accounts, cancellationToken) is { } sealedWithout)
                {
                    filling.Remove(program);
                    outcomes[program] = new CutOutcome(sealedWithout, !preFilled.Contains(program));
                }
            }
        }

        foreach (var (program, batch) in filling)
        {
            outcomes[program] = new CutOutcome(await SealAsync(cycleId, batch.Id, cancellationToken), !preFilled.Contains(program));
        }

        return outcomes;
    }

    private static string ProgramOf(TableEntity entitlement) => entitlement.GetString("Program") ?? "";

    /// <summary>What a cut reads once for all its groups: the cycle's holds, and what it learnt of the batches its rows name.</summary>
    private sealed class CutScan(IReadOnlyList<ObjectionHold> holds)
    {
        public IReadOnlyList<ObjectionHold> Holds { get; } = holds;

        /// <summary>A sealed batch's members by batch id (null: the batch is cutting or gone).</summary>
        public Dictionary<string, HashSet<string>?> SealedMembers { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether a batch is reconciling, by batch id.</summary>
        public Dictionary<string, bool> Reconciling { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The batch's head and its stripes; another instance that started the same batch first makes it theirs (created false).</summary>
    private async Task<(Batch Batch, bool Created)> StartBatchAsync(
        string cycleId, string program, string kind, string? reason, string actor, string? requestId, int programBatches, CancellationToken cancellationToken)
    {
        var id = $"{program}-{programBatches + 1:D3}";
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
            // The head and its stripes at once: item chunks touch a stripe each, so they go in parallel (see AddClaimedAsync).
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

        return ((await GetBatchAsync(cycleId, id, cancellationToken))!, created);
    }

    /// <summary>
    /// For the workflow when the notice ends: the entitlements, then a regular batch per program that has anything to
    /// pay. <paramref name="stepId"/> (the step's id) makes a redelivered or retried step return the batches it cut.
    /// </summary>
    public async Task<IReadOnlyList<Batch>> CutAfterNoticeAsync(string cycleId, string runId, string stepId, CancellationToken cancellationToken)
    {
        // The preparation and the cut move counters; the roll-up is refreshed once, after both.
        await RefreshingAsync(cycleId, async () =>
        {
            await PrepareRowsAsync(cycleId, runId, cancellationToken);
            return await CutProgramsAsync(cycleId, [.. LedgerWorkbook.ProgramSheets.Keys], BatchKinds.Regular, SystemReasons.NoticeEnded, "workflow", program => $"{stepId}|{program}", cancellationToken);
        }, cancellationToken, everyPartition: true);

        // Every batch of the cycle, also one the bureau cut by hand before this step ran: "nothing to pay" must mean it.
        return await ListBatchesAsync(cycleId, cancellationToken);
    }

    /// <summary>For the workflow: every batch of the cycle is reconciled (and there is at least one), so rectification can start.</summary>
    public async Task<bool> AllReconciledAsync(string cycleId, CancellationToken cancellationToken)
    {
        var batches = await ListBatchesAsync(cycleId, cancellationToken);
        return batches.Count > 0 && batches.All(b => b.Status == BatchStatuses.Reconciled);
    }

    /// <summary>Entitlement rows of <paramref name="programs"/> in <paramref name="shards"/> this batch may take (with no batch yet: a new batch).</summary>
    /// <remarks>
    /// <paramref name="accountsFor"/>: given the children the rows name, those who can be paid and to which account
    /// (<see cref="Accounts.CycleAccounts.LoadPayableAsync"/>), also the answer's.
    /// </remarks>
    private async Task<(List<TableEntity> Rows, IReadOnlyDictionary<string, Accounts.PayableAccount> Accounts)> ClaimableAsync(
        string cycleId, IReadOnlySet<string> programs, string kind, string? batchId, AccountsFor accountsFor, CutScan scan, ShardRange shards, CancellationToken cancellationToken)
    {
        var taken = new List<TableEntity>();
        var rows = new List<TableEntity>();
        // Money reaches a family only through a usable account: a child without one is never cut (DOMAIN "Accounts").
        var withoutAccount = new List<TableEntity>();
        // Only pending and failed rows can be taken: storage leaves out the paid, held, cancelled and in-doubt ones.
        var program = programs.Count == 1 ? programs.Single() : null;
        await foreach (var e in _rows.QueryAsync(cycleId, program, cancellationToken, statuses: Takeable, shards: shards))
        {
            var status = e.GetString("Status");
            var inBatch = e.GetString("BatchId");
            if (!programs.Contains(ProgramOf(e)))
            {
                continue;
            }

            if (kind == BatchKinds.BackPay && e.GetBoolean("BackPay") != true && !(batchId is not null && inBatch == batchId))
            {
                continue;
            }

            // An objection that arrived since the entitlements were last prepared holds its person all the same.
            var claimedByThisBatch = batchId is not null && inBatch == batchId;
            if (!claimedByThisBatch && scan.Holds.Any(h => h.Covers(e.GetString("SchoolCode") ?? "", e.GetString("Name") ?? "")))
            {
                continue;
            }

            // A failure is owed again once the batch that failed it is reconciled: a person is in at most one open batch.
            // An in-doubt row is neither pending nor failed: it stays with its batch until resolved.
            var take = (status == EntitlementStatuses.Failed && !await FailedInOpenBatchAsync(cycleId, e, scan.Reconciling, cancellationToken))
                || (status == EntitlementStatuses.Pending && (inBatch is null || inBatch == batchId))
                || (status == EntitlementStatuses.Pending && await IsOrphanAsync(cycleId, inBatch!, e, scan.SealedMembers, cancellationToken));
            if (take)
            {
                taken.Add(e);
            }
        }

        var accounts = await accountsFor(taken.Select(PersonKeyOf).ToHashSet(StringComparer.Ordinal), cancellationToken);
        foreach (var e in taken)
        {
            var claimedByThisBatch = batchId is not null && e.GetString("BatchId") == batchId;
            (claimedByThisBatch || accounts.ContainsKey(PersonKeyOf(e)) ? rows : withoutAccount).Add(e);
        }

        if (kind == BatchKinds.Regular)
        {
            await MarkForBackPayAsync(withoutAccount, SystemReasons.NoUsableAccount, cancellationToken);
        }

        return (rows, accounts);
    }

    private static readonly string[] Takeable = [EntitlementStatuses.Pending, EntitlementStatuses.Failed];

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
    private async Task<Batch> FinishAsync(Batch batch, CancellationToken cancellationToken) =>
        (await CutInGroupsAsync(
            batch.CycleId, batch.Kind, batch.Id, new(StringComparer.Ordinal) { [batch.Program] = batch }, [], _ => Task.FromResult((batch, false)), null, cancellationToken))[batch.Program].Batch!;

    /// <summary>
    /// Claims rows for their batches: each partition's rows (of any batch) up to 99 in one transaction, many partitions
    /// at once. The answer is, per batch, the rows that are now its own. A row that was never in a batch, claimed by a
    /// regular batch after its program's first (<paramref name="late"/>), is 补发 (<see cref="OwedLate"/>).
    /// </summary>
    private async Task<Dictionary<string, List<TableEntity>>> ClaimAllAsync(IEnumerable<(TableEntity Row, string BatchId)> rows, Func<string, bool> late, CancellationToken cancellationToken)
    {
        var claimed = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        var chunks = rows.GroupBy(r => r.Row.PartitionKey).SelectMany(g => g.Chunk(EntitlementTable.RowsPerTransaction));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var mine = await ClaimChunkAsync(chunk, late, ct);
            lock (claimed)
            {
                foreach (var (row, batchId) in mine)
                {
                    (claimed.TryGetValue(batchId, out var list) ? list : claimed[batchId] = []).Add(row);
                }
            }
        });
        return claimed;
    }

    /// <summary>
    /// Adds claimed rows as items: null when they are in. A batch another instance sealed without them is answered
    /// instead, once they went back (a row whose release is lost, in a crash or a race, is an orphan the next cut
    /// takes, since the sealed batch lacks it).
    /// </summary>
    private async Task<Batch?> AddClaimedAsync(Batch batch, List<TableEntity> claimed, IReadOnlyDictionary<string, Accounts.PayableAccount> accounts, CancellationToken cancellationToken)
    {
        var itemChunks = claimed.OrderBy(e => e.RowKey, StringComparer.Ordinal).Chunk(ItemsPerTransaction).Select((rows, n) => (Rows: rows, Stripe: StripeRow(n % Stripes)));
        var stopped = 0;
        await Parallel.ForEachAsync(itemChunks, new ParallelOptions { MaxDegreeOfParallelism = Stripes, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (Volatile.Read(ref stopped) == 0 && !await AddItemsAsync(batch, [.. chunk.Rows], chunk.Stripe, accounts, ct))
            {
                Interlocked.Exchange(ref stopped, 1);
            }
        });
        if (stopped == 0)
        {
            return null;
        }

        var members = (await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken)).Select(i => i.PersonKey).ToHashSet();
        await _rows.CommitAllAsync(claimed.Where(r => !members.Contains(PersonKeyOf(r))).Select(r =>
        {
            var released = new TableEntity(r) { ["Status"] = EntitlementStatuses.Pending };
            released.Remove("BatchId");
            return new EntitlementWrite(r, released);
        }), cancellationToken);
        return (await GetBatchAsync(batch.CycleId, batch.Id, cancellationToken))!;
    }

    /// <summary>Claims up to 99 rows of one partition (each for its batch) in one transaction, each under its ETag; on a conflict, row by row.</summary>
    private async Task<IReadOnlyList<(TableEntity Row, string BatchId)>> ClaimChunkAsync((TableEntity Row, string BatchId)[] rows, Func<string, bool> late, CancellationToken cancellationToken)
    {
        static bool Mine(TableEntity r, string batchId) => r.GetString("Status") == EntitlementStatuses.Pending && r.GetString("BatchId") == batchId;
        var toClaim = rows.Where(r => !Mine(r.Row, r.BatchId)).ToList();
        var already = rows.Where(r => Mine(r.Row, r.BatchId)).ToList();
        if (toClaim.Count == 0)
        {
            return already;
        }

        var updated = toClaim.Select(r =>
        {
            var copy = Claimed(r.Row, r.BatchId, late);
            copy.ETag = r.Row.ETag;
            return (Row: copy, r.BatchId);
        }).ToList();
        if (await _rows.CommitAsync(toClaim.Zip(updated, (before, after) => new EntitlementWrite(before.Row, after.Row)).ToList(), cancellationToken) is null)
        {
            return [.. already, .. updated];
        }

        // Another writer changed a row: claim them one by one.
        var mine = new List<(TableEntity, string)>(already);
        foreach (var (row, batchId) in toClaim)
        {
            if (await ClaimAsync(row, batchId, late, cancellationToken) is { } claimed)
            {
                mine.Add((claimed, batchId));
            }
        }

        return mine;
    }

    /// <summary>Sets the row's batch under its ETag; null when another writer changed it first and it is not ours now.</summary>
    private async Task<TableEntity?> ClaimAsync(TableEntity row, string batchId, Func<string, bool> late, CancellationToken cancellationToken)
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

            var claimed = Claimed(row, batchId, late);
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
    /// The row as <paramref name="batchId"/> claims it. A row that was never in a batch and has no 补发 reason of its own,
    /// claimed by a regular batch after its program's first, was missed by the first (DOMAIN: late-confirmed entitlements
    /// are paid as 补发): it is marked so in the same write as the claim. The cut's own mark of a child without an
    /// account can lose a race, and a preparation can add a row behind a cut; this holds whatever the interleaving.
    /// A failed row (<c>LastFailedBatchId</c>) or one a lost seal released stays what it was: a retry, not 补发.
    /// </summary>
    private static TableEntity Claimed(TableEntity row, string batchId, Func<string, bool> late)
    {
        var claimed = new TableEntity(row) { ["Status"] = EntitlementStatuses.Pending, ["BatchId"] = batchId };
        if (OwedLate(row, batchId, late))
        {
            claimed["BackPay"] = true;
            claimed["BackPayReason"] = SystemReasons.AfterRegularBatch;
        }

        return claimed;
    }

    private static bool OwedLate(TableEntity row, string batchId, Func<string, bool> late) =>
        row.GetBoolean("BackPay") != true && row.GetString("BatchId") is null && row.GetString("LastFailedBatchId") is null && late(batchId);

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

            var (count, totalFen) = await ItemTotalsAsync(cycleId, batchId, cancellationToken);
            var now = _clock.GetUtcNow();
            head["Status"] = BatchStatuses.Sealed;
            head["Count"] = count;
            head["TotalFen"] = totalFen;
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
