using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>
/// Payment of a cycle's ledger. The ledger key (cycle, person, program) is a storage key twice over, so that no retried
/// step, second instance or repeated request can pay it twice:
/// <list type="bullet">
/// <item><c>entitlements</c>: one row per ledger key, PK <c>{cycle}|{2 hex of the person key}</c>, RK <c>{program}|{person key}</c>.
/// Every status change is a Replace guarded by the row's ETag; a row is claimed into at most one open batch.</item>
/// <item><c>payments</c>: one row per successful payment under the same keys, written with Add (insert-only): a
/// second success for the same key is a 409 from storage and becomes an <c>alreadyPaid</c> exception.</item>
/// <item><c>batches</c>: PK <c>{cycle}|{batchId}</c>, RK <c>head</c> (the batch) and <c>i|{person key}</c> (its items). Items
/// are added in entity-group transactions that also touch the head under its ETag, and sealing replaces the head under
/// the ETag it read before listing the items: the item set a sealed batch holds is frozen, and a claim that lost the
/// race is released.</item>
/// </list>
/// The person key is a hash of the ID number: the number itself is in no key and no URL.
/// </summary>
public sealed class DisbursementService(StorageAccount storage, EligibilityStore ledger, ObjectionHoldStore holds, TimeProvider clock)
{
    private const string Head = "head";
    private const string ItemPrefix = "i|";
    private const int ItemsPerTransaction = 99;
    private const int Parallelism = 16;

    private readonly TableClient _entitlements = storage.Table("entitlements");
    private readonly TableClient _payments = storage.Table("payments");
    private readonly TableClient _batches = storage.Table("batches");
    private readonly TableClient _exceptions = storage.Table("reconciliation");
    private readonly TableClient _downloads = storage.Table("downloads");
    private readonly BlobContainerClient _files = storage.Blobs.GetBlobContainerClient(storage.ContainerName("bankfiles"));

    /// <summary>Tests inject crashes here: called between storage writes with the name of the point reached.</summary>
    public Func<string, Task>? FaultInjector { get; init; }

    public async Task CreateStorageAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { _entitlements, _payments, _batches, _exceptions, _downloads })
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        // Payment files carry full ID numbers: the container is private.
        await _files.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
    }

    /// <summary>A stable, non-reversible-by-reading key for a person: the first 32 hex digits of SHA-256 of the number.</summary>
    public static string PersonKey(string idNumber) => PersonKeys.Of(idNumber);

    private static string EntitlementPartition(string cycleId, string personKey) => $"{cycleId}|{personKey[..2]}";

    private static string EntitlementRow(string program, string personKey) => $"{program}|{personKey}";

    private static string BatchPartition(string cycleId, string batchId) => $"{cycleId}|{batchId}";

    private Task FaultAsync(string point) => FaultInjector?.Invoke(point) ?? Task.CompletedTask;

    // ---------------------------------------------------------------- entitlements

    /// <summary>
    /// Brings the entitlements in line with the ledger of <paramref name="runId"/> and the objection holds. Idempotent:
    /// rows that exist are not rewritten except to follow a hold (open → held; dismissed → pending, as 补发 when the
    /// program's regular batch was cut already; upheld → cancelled). Rows in a batch are not touched.
    /// </summary>
    public async Task<int> PrepareAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        var cycleHolds = await holds.ListAsync(cycleId, cancellationToken);
        var regularCut = (await ListBatchesAsync(cycleId, cancellationToken)).Where(b => b.Kind == BatchKinds.Regular).Select(b => b.Program).ToHashSet();
        var existing = new Dictionary<(string, string), TableEntity>();
        await foreach (var e in QueryEntitlementsAsync(cycleId, null, cancellationToken))
        {
            existing[(e.PartitionKey, e.RowKey)] = e;
        }

        var changed = 0;
        var fresh = new Dictionary<(string, string), TableEntity>();
        foreach (var program in LedgerWorkbook.ProgramSheets.Keys)
        {
            await foreach (var row in ledger.AllLedgerAsync(cycleId, runId, program, cancellationToken))
            {
                var target = HoldTarget(cycleHolds, row.SchoolCode, row.Name);
                var key = PersonKey(row.IdNumber);
                var (pk, rk) = (EntitlementPartition(cycleId, key), EntitlementRow(program, key));
                if (!existing.TryGetValue((pk, rk), out var entity))
                {
                    var backPay = target == EntitlementStatuses.Pending && regularCut.Contains(program);
                    var reason = backPay ? (row.Source == "review" ? "confirmed by review after the regular batch was cut" : "confirmed after the regular batch was cut") : null;
                    fresh.TryAdd((pk, rk), NewEntitlement(cycleId, new Payable(row.Name, row.IdNumber, row.SchoolCode, row.SchoolName, program, row.Amount), target, backPay, reason, row.Source));
                    continue;
                }

                if (await FollowHoldAsync(entity, target, regularCut.Contains(program), cancellationToken))
                {
                    changed++;
                }
            }
        }

        // New rows in transactions of up to 100 per partition, many partitions at once; a transaction that meets a row
        // another instance added meanwhile falls back to adding its rows one by one.
        var added = 0;
        var chunks = fresh.Values.GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(100));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var n = 0;
            try
            {
                await _entitlements.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
                n = chunk.Length;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                foreach (var e in chunk)
                {
                    n += await TryAddAsync(e, ct) ? 1 : 0;
                }
            }

            Interlocked.Add(ref added, n);
        });

        return changed + added;
    }

    /// <summary>
    /// An entitlement confirmed after batches were cut (a correction from rectification, a child enrolled after
    /// 控辍保学 follow-up): owed at once, paid as 补发 with <paramref name="reason"/>. False when the ledger key exists.
    /// </summary>
    public async Task<bool> AddLateAsync(string cycleId, Payable payable, string reason, CancellationToken cancellationToken)
    {
        var target = HoldTarget(await holds.ListAsync(cycleId, cancellationToken), payable.SchoolCode, payable.Name);
        return await AddEntitlementAsync(cycleId, payable, target, backPay: true, reason, "late", cancellationToken);
    }

    private static string HoldTarget(IReadOnlyList<ObjectionHold> cycleHolds, string schoolCode, string name)
    {
        var covering = cycleHolds.Where(h => h.Covers(schoolCode, name)).ToList();
        return covering.Any(h => h.Status == HoldStatuses.Open) ? EntitlementStatuses.Held
            : covering.Any(h => h.Status == HoldStatuses.Upheld) ? EntitlementStatuses.Cancelled
            : EntitlementStatuses.Pending;
    }

    private Task<bool> AddEntitlementAsync(string cycleId, Payable p, string status, bool backPay, string? reason, string source, CancellationToken cancellationToken) =>
        TryAddAsync(NewEntitlement(cycleId, p, status, backPay, reason, source), cancellationToken);

    private TableEntity NewEntitlement(string cycleId, Payable p, string status, bool backPay, string? reason, string source)
    {
        var key = PersonKey(p.IdNumber);
        var entity = new TableEntity(EntitlementPartition(cycleId, key), EntitlementRow(p.Program, key))
        {
            ["Name"] = p.Name,
            ["IdNumber"] = p.IdNumber,
            ["SchoolCode"] = p.SchoolCode,
            ["SchoolName"] = p.SchoolName,
            ["Program"] = p.Program,
            ["AmountFen"] = ToFen(p.Amount),
            ["Status"] = status,
            ["Attempts"] = 0,
            ["BackPay"] = backPay,
            ["Source"] = source,
            ["ConfirmedAt"] = clock.GetUtcNow(),
        };
        if (reason is not null)
        {
            entity["BackPayReason"] = reason;
        }

        return entity;
    }

    private async Task<bool> TryAddAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await _entitlements.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private async Task<bool> FollowHoldAsync(TableEntity entity, string target, bool regularCut, CancellationToken cancellationToken)
    {
        var status = entity.GetString("Status");
        var unbatched = entity.GetString("BatchId") is null;
        // A failed payment stays failed (owed, for the next batch) unless a hold now covers it.
        if (status == target || status is EntitlementStatuses.Paid or EntitlementStatuses.Cancelled or EntitlementStatuses.InDoubt || (status == EntitlementStatuses.Pending && !unbatched)
            || (status == EntitlementStatuses.Failed && target == EntitlementStatuses.Pending))
        {
            return false;
        }

        if (status == EntitlementStatuses.Held && target == EntitlementStatuses.Pending && regularCut)
        {
            entity["BackPay"] = true;
            entity["BackPayReason"] = "objection dismissed after the regular batch was cut";
        }

        entity["Status"] = target;
        return await TryReplaceAsync(_entitlements, entity, cancellationToken);
    }

    private static async Task<bool> TryReplaceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Each person the cycle's entitlements name (once, whatever the programs), with their school: the accounts check's view.</summary>
    public async IAsyncEnumerable<(string PersonKey, string IdNumber, string Name, string SchoolCode, string SchoolName)> EntitledPeopleAsync(
        string cycleId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in _entitlements.QueryAsync<TableEntity>(StorageTables.StartsWith("PartitionKey", cycleId + "|"), select: ["RowKey", "IdNumber", "Name", "SchoolCode", "SchoolName"], cancellationToken: cancellationToken))
        {
            if (seen.Add(PersonKeyOf(e)))
            {
                yield return (PersonKeyOf(e), e.GetString("IdNumber") ?? "", e.GetString("Name") ?? "", e.GetString("SchoolCode") ?? "", e.GetString("SchoolName") ?? "");
            }
        }
    }

    /// <summary>Entitlements whose payment the bank refused twice or more and that are still owed: each needs a person to look.</summary>
    public async Task<IReadOnlyList<RepeatedFailure>> RepeatedFailuresAsync(string cycleId, CancellationToken cancellationToken)
    {
        var failures = new List<RepeatedFailure>();
        await foreach (var row in QueryEntitlementsAsync(cycleId, null, cancellationToken))
        {
            if (row.GetInt32("Attempts") is >= 2 and var attempts && row.GetString("Status") is EntitlementStatuses.Failed or EntitlementStatuses.Pending)
            {
                failures.Add(new RepeatedFailure(
                    $"{row.PartitionKey[(cycleId.Length + 1)..]}.{row.RowKey.Replace('|', '.')}", row.GetString("Program") ?? "", row.GetString("Name") ?? "",
                    row.GetString("SchoolCode") ?? "", attempts, row.GetString("FailureReason")));
            }
        }

        return failures;
    }

    private IAsyncEnumerable<TableEntity> QueryEntitlementsAsync(string cycleId, string? program, CancellationToken cancellationToken, string? schoolCode = null)
    {
        var filter = StorageTables.StartsWith("PartitionKey", cycleId + "|");
        if (program is not null)
        {
            filter += " and " + StorageTables.StartsWith("RowKey", program + "|");
        }

        if (schoolCode is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SchoolCode eq {schoolCode}");
        }

        return _entitlements.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken);
    }


    // ---------------------------------------------------------------- batches

    /// <summary>
    /// Cuts the next batch of <paramref name="program"/>: every pending row in no batch, every failed row (the bank's
    /// failures go into the next batch), and rows a crashed cut left claimed but outside its sealed batch. A 补发 batch
    /// takes only rows confirmed after the regular batch. Safe to repeat and to run on two instances at once: while a
    /// batch of the program is being cut, every caller finishes that one, and <paramref name="requestId"/> (a workflow
    /// step's id) returns the batch it cut before. Nothing to pay → no batch.
    /// </summary>
    public async Task<CutOutcome> CutBatchAsync(string cycleId, string program, string kind, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
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

        var accounts = await Accounts.CycleAccounts.LoadPayableAsync(storage, cycleId, cancellationToken);
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
            ["CreatedAt"] = clock.GetUtcNow(),
            ["RequestId"] = requestId,
        };
        var created = true;
        try
        {
            await _batches.AddEntityAsync(head, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
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
        var cycleHolds = (await holds.ListAsync(cycleId, cancellationToken)).Where(h => h.Status != HoldStatuses.Dismissed).ToList();
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
        foreach (var row in rows.Where(r => r.GetBoolean("BackPay") != true))
        {
            var copy = new TableEntity(row) { ETag = row.ETag, ["BackPay"] = true, ["BackPayReason"] = reason };
            await TryReplaceAsync(_entitlements, copy, cancellationToken);
        }
    }

    /// <summary>The person key of an entitlement row (RK <c>{program}|{person key}</c>).</summary>
    private static string PersonKeyOf(TableEntity entitlement) => entitlement.RowKey[(entitlement.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..];

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
        var accounts = await Accounts.CycleAccounts.LoadPayableAsync(storage, batch.CycleId, cancellationToken);
        var claimable = await ClaimableAsync(batch.CycleId, batch.Program, batch.Kind, batch.Id, accounts, cancellationToken);
        var claimed = new List<TableEntity>();
        var chunks = claimable.GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(100));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var mine = await ClaimChunkAsync(chunk, batch.Id, ct);
            lock (claimed)
            {
                claimed.AddRange(mine);
            }
        });

        await FaultAsync("rows.claimed");
        foreach (var chunk in claimed.OrderBy(e => e.RowKey, StringComparer.Ordinal).Chunk(ItemsPerTransaction))
        {
            if (!await AddItemsAsync(batch, [.. chunk], accounts, cancellationToken))
            {
                // Sealed by another instance without these rows: give them back for the next batch. A row whose
                // release is lost (a crash, a race) is an orphan the next cut takes, since the sealed batch lacks it.
                var members = (await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken)).Select(i => i.PersonKey).ToHashSet();
                foreach (var row in claimed.Where(r => !members.Contains(PersonKeyOf(r))))
                {
                    row["Status"] = EntitlementStatuses.Pending;
                    row.Remove("BatchId");
                    await TryReplaceAsync(_entitlements, row, cancellationToken);
                }

                return (await GetBatchAsync(batch.CycleId, batch.Id, cancellationToken))!;
            }
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
        try
        {
            var responses = await _entitlements.SubmitTransactionAsync(updated.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateReplace, e, e.ETag)), cancellationToken);
            for (var i = 0; i < updated.Count; i++)
            {
                updated[i].ETag = responses.Value[i].Headers.ETag ?? updated[i].ETag;
            }

            return [.. already, .. updated];
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412)
        {
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

            row["Status"] = EntitlementStatuses.Pending;
            row["BatchId"] = batchId;
            try
            {
                var response = await _entitlements.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                row.ETag = response.Headers.ETag ?? row.ETag;
                return row;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                var fresh = await _entitlements.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
                if (!fresh.HasValue)
                {
                    return null;
                }

                row = fresh.Value!;
            }
        }

        return null;
    }

    /// <summary>Adds items in one transaction with a touch of the head under its ETag; false once the batch is sealed.</summary>
    private async Task<bool> AddItemsAsync(Batch batch, List<TableEntity> rows, IReadOnlyDictionary<string, Accounts.PayableAccount> accounts, CancellationToken cancellationToken)
    {
        var partition = BatchPartition(batch.CycleId, batch.Id);
        while (true)
        {
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
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, Head) { ["TouchedAt"] = clock.GetUtcNow() }, head.Value.ETag));
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

    /// <summary>Freezes the item set: the head is replaced under the ETag read before the items were listed.</summary>
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

            var items = await ListItemsAsync(cycleId, batchId, cancellationToken);
            head["Status"] = BatchStatuses.Sealed;
            head["Count"] = items.Count;
            head["TotalFen"] = items.Sum(i => ToFen(i.Amount));
            head["SealedAt"] = clock.GetUtcNow();
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                return (await GetBatchAsync(cycleId, batchId, cancellationToken))!;
            }
        }
    }

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

    private async Task<List<TableEntity>> ItemEntitiesAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(cycleId, batchId)}") + " and " + StorageTables.StartsWith("RowKey", ItemPrefix);
        var entities = new List<TableEntity>();
        await foreach (var e in _batches.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entities.Add(e);
        }

        return entities.OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
    }

    private static BatchItem ToItem(TableEntity e, int index) => new(
        index + 1, e.RowKey[ItemPrefix.Length..], e.GetString("Name") ?? "", e.GetString("IdNumber") ?? "", e.GetString("SchoolCode") ?? "",
        e.GetString("SchoolName") ?? "", e.GetString("Program") ?? "", FromFen(e.GetInt64("AmountFen")), e.GetBoolean("BackPay") ?? false,
        e.GetString("BackPayReason"))
    {
        Account = e.GetString("AccountNumber") is { } number ? new Accounts.PayableAccount(e.GetString("AccountHolder") ?? "", number, e.GetString("Bank") ?? "") : null,
    };

    private static Batch ToBatch(TableEntity e)
    {
        var reconciled = e.GetString("Status") == BatchStatuses.Reconciled;
        return new Batch(
            e.PartitionKey[(e.PartitionKey.IndexOf('|', StringComparison.Ordinal) + 1)..], e.GetString("CycleId") ?? "", e.GetString("Program") ?? "",
            e.GetString("Kind") ?? BatchKinds.Regular, e.GetString("Reason"), e.GetString("Status") ?? BatchStatuses.Cutting,
            e.GetInt32("Count") ?? 0, FromFen(e.GetInt64("TotalFen")), e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("CreatedAt") ?? default,
            e.GetDateTimeOffset("SealedAt"), e.GetString("RequestId"), e.GetString("FileHash"), e.GetInt32("Downloads") ?? 0, e.GetString("ResultHash"),
            e.GetDateTimeOffset("ReconciledAt"),
            reconciled ? new BatchFigures(e.GetInt32("PaidCount") ?? 0, FromFen(e.GetInt64("PaidFen")), e.GetInt32("FailedCount") ?? 0, FromFen(e.GetInt64("FailedFen")), e.GetInt32("ExceptionCount") ?? 0)
            {
                InDoubt = new Figure(e.GetInt32("InDoubtCount") ?? 0, FromFen(e.GetInt64("InDoubtFen"))),
            } : null,
            e.ETag);
    }

    // ---------------------------------------------------------------- payment file

    /// <summary>
    /// The sealed batch's payment file (full ID numbers), stored once in the private container by its SHA-256, and the
    /// download recorded (actor, time, file hash) before the bytes are handed out. Null when the batch is not sealed.
    /// </summary>
    public async Task<(byte[] File, string Sha256)?> DownloadPaymentFileAsync(Batch batch, string actor, CancellationToken cancellationToken)
    {
        if (batch.Status == BatchStatuses.Cutting)
        {
            return null;
        }

        var bytes = BankFiles.WritePaymentFile(await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken));
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await SaveBlobAsync($"payment/sha256/{hash}", bytes, "text/csv; charset=GB18030", cancellationToken);
        var now = clock.GetUtcNow();
        await _downloads.AddEntityAsync(
            new TableEntity(BatchPartition(batch.CycleId, batch.Id), $"{DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks:D19}|{Guid.NewGuid():N}")
            {
                ["Actor"] = actor,
                ["At"] = now,
                ["FileHash"] = hash,
            },
            cancellationToken);

        // The head counts downloads; a lost race only delays the count, the download rows are the record.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var head = (await _batches.GetEntityAsync<TableEntity>(BatchPartition(batch.CycleId, batch.Id), Head, cancellationToken: cancellationToken)).Value;
            head["FileHash"] = hash;
            head["Downloads"] = (head.GetInt32("Downloads") ?? 0) + 1;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                break;
            }
        }

        return (bytes, hash);
    }

    public async Task<IReadOnlyList<(string Actor, DateTimeOffset At, string FileHash)>> ListDownloadsAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var list = new List<(string, DateTimeOffset, string)>();
        await foreach (var e in _downloads.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(cycleId, batchId)}"), cancellationToken: cancellationToken))
        {
            list.Add((e.GetString("Actor") ?? "", e.GetDateTimeOffset("At") ?? default, e.GetString("FileHash") ?? ""));
        }

        return list;
    }

    private async Task SaveBlobAsync(string name, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await _files.GetBlobClient(name).UploadAsync(new BinaryData(bytes), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Content-addressed: stored before, the same bytes.
        }
    }

    // ---------------------------------------------------------------- reconciliation

    /// <summary>
    /// Applies the bank's result (already parsed) to a sealed batch. The same file again changes nothing; another file
    /// after the first is refused. The whole file is decided first (<see cref="ReconciliationPlan"/>), then written:
    /// each item's outcome on the batch row (once), the exceptions (once), then the entitlements: paid rows get a payment
    /// row (insert-only) and become paid, failed rows stay owed with the bank's reason for the next batch, and rows the
    /// file leaves unclear are in doubt, tied to this batch until a person resolves them. Only the request that moved
    /// the batch from sealed to reconciling (under the head's ETag) answers <see cref="ReconcileStatus.Reconciled"/>;
    /// any other request with the same file finishes a reconciliation left part-way, idempotently, and answers Unchanged.
    /// </summary>
    public async Task<ReconcileOutcome> ReconcileAsync(string cycleId, string batchId, byte[] file, IReadOnlyList<BankResultRow> rows, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var partition = BatchPartition(cycleId, batchId);
        var claimed = false;
        TableEntity head;
        while (true)
        {
            if (Keys.Safe(batchId) != batchId || await _batches.GetEntityIfExistsAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken) is not { HasValue: true } found)
            {
                return new ReconcileOutcome(ReconcileStatus.NotFound, null, []);
            }

            head = found.Value!;
            var status = head.GetString("Status");
            var same = head.GetString("ResultHash") == hash;
            if (status == BatchStatuses.Cutting)
            {
                return new ReconcileOutcome(ReconcileStatus.NotSealed, ToBatch(head), []);
            }

            if (status is BatchStatuses.Reconciling or BatchStatuses.Reconciled && !same)
            {
                return new ReconcileOutcome(ReconcileStatus.DifferentFile, ToBatch(head), await ListExceptionsAsync(cycleId, batchId, cancellationToken));
            }

            if (status == BatchStatuses.Reconciled)
            {
                return new ReconcileOutcome(ReconcileStatus.Unchanged, ToBatch(head), await ListExceptionsAsync(cycleId, batchId, cancellationToken));
            }

            await SaveBlobAsync($"result/sha256/{hash}", file, "text/csv", cancellationToken);
            if (status == BatchStatuses.Reconciling)
            {
                break;
            }

            head["Status"] = BatchStatuses.Reconciling;
            head["ResultHash"] = hash;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                claimed = true;
                break;
            }
        }

        await FaultAsync("result.accepted");
        var entities = await ItemEntitiesAsync(cycleId, batchId, cancellationToken);
        var plan = ReconciliationPlan.Decide(entities.Select(ToItem).ToList(), rows);
        await RecordOutcomesAsync(entities, plan.Items, cancellationToken);
        await AddExceptionsAsync(plan.Exceptions.Select(e => ExceptionEntity(partition, e.Key, e.Kind, e.Row, e.Item)), cancellationToken);
        await FaultAsync("outcomes.recorded");

        var alreadyPaid = new List<PlannedException>();
        await Parallel.ForEachAsync(plan.Items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (d, ct) =>
        {
            switch (d.Outcome)
            {
                case PlannedOutcome.Paid when !await MarkPaidAsync(cycleId, batchId, d.Item, ct):
                    var row = rows.First(r => r.IdNumber == d.Item.IdNumber && r.Sequence == d.Item.Sequence);
                    lock (alreadyPaid)
                    {
                        alreadyPaid.Add(new PlannedException(ReconciliationKinds.AlreadyPaid, row, d.Item));
                    }

                    break;
                case PlannedOutcome.Failed:
                    await MarkFailedAsync(cycleId, batchId, d.Item, d.BankReason!, ct);
                    break;
                case PlannedOutcome.InDoubt or PlannedOutcome.NotReturned:
                    await MarkInDoubtAsync(cycleId, batchId, d.Item, d.Why!, ct);
                    break;
            }
        });
        await AddExceptionsAsync(alreadyPaid.Select(e => ExceptionEntity(partition, e.Key, e.Kind, e.Row, e.Item)), cancellationToken);

        await FaultAsync("rows.applied");
        Figure Sum(PlannedOutcome outcome) => plan.Items.Where(d => d.Outcome == outcome).Aggregate(Figure.Zero, (f, d) => f.Add(d.Item.Amount));
        var paid = Sum(PlannedOutcome.Paid) + new Figure(-alreadyPaid.Count, -alreadyPaid.Sum(e => e.Item!.Amount));
        var (failed, inDoubt) = (Sum(PlannedOutcome.Failed), Sum(PlannedOutcome.InDoubt) + Sum(PlannedOutcome.NotReturned));
        while (head.GetString("Status") != BatchStatuses.Reconciled)
        {
            head["Status"] = BatchStatuses.Reconciled;
            head["ReconciledAt"] = clock.GetUtcNow();
            head["PaidCount"] = paid.Count;
            head["PaidFen"] = ToFen(paid.Amount);
            head["FailedCount"] = failed.Count;
            head["FailedFen"] = ToFen(failed.Amount);
            head["InDoubtCount"] = inDoubt.Count;
            head["InDoubtFen"] = ToFen(inDoubt.Amount);
            head["ExceptionCount"] = plan.Exceptions.Count + alreadyPaid.Count;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                break;
            }

            head = (await _batches.GetEntityAsync<TableEntity>(partition, Head, cancellationToken: cancellationToken)).Value;
        }

        return new ReconcileOutcome(claimed ? ReconcileStatus.Reconciled : ReconcileStatus.Unchanged, (await GetBatchAsync(cycleId, batchId, cancellationToken))!, await ListExceptionsAsync(cycleId, batchId, cancellationToken));
    }

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
        foreach (var chunk in updates.Chunk(100))
        {
            try
            {
                await _batches.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, e, e.ETag)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                foreach (var e in chunk)
                {
                    await TryMergeAsync(_batches, e, e.ETag, cancellationToken);
                }
            }
        }
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
        ["MaskedId"] = MaskAny(row?.IdNumber ?? item!.IdNumber),
        ["BatchAmountFen"] = item is null ? null : ToFen(item.Amount),
        ["BankAmountFen"] = row is null ? null : ToFen(row.Amount),
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

            var mine = new ItemResolution(paid ? "paid" : "unpaid", Rectification.SensitiveText.MaskIdNumbers(reason), actor, clock.GetUtcNow());
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
        await FaultAsync("resolution.recorded");
        await ApplyResolutionAsync(cycleId, batchId, item, recorded!, cancellationToken);
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
        try
        {
            await _payments.AddEntityAsync(
                new TableEntity(pk, rk) { ["BatchId"] = batchId, ["Sequence"] = item.Sequence, ["AmountFen"] = ToFen(item.Amount), ["PaidAt"] = clock.GetUtcNow() },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await _payments.GetEntityAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
            if (existing.Value.GetString("BatchId") != batchId)
            {
                return false;
            }
        }

        await FaultAsync("payment.added");
        while (true)
        {
            var row = (await _entitlements.GetEntityAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken)).Value;
            if (row.GetString("Status") == EntitlementStatuses.Paid)
            {
                return true;
            }

            row["Status"] = EntitlementStatuses.Paid;
            row["PaidBatchId"] = batchId;
            row["PaidAt"] = clock.GetUtcNow();
            row.Remove("BatchId");
            if (await TryReplaceAsync(_entitlements, row, cancellationToken))
            {
                return true;
            }
        }
    }

    /// <summary>Owed again: the row leaves the batch (pending in it, or in doubt and resolved unpaid) and the next batch takes it.</summary>
    private Task MarkFailedAsync(string cycleId, string batchId, BatchItem item, string reason, CancellationToken cancellationToken) =>
        MoveInBatchAsync(cycleId, batchId, item, [EntitlementStatuses.Pending, EntitlementStatuses.InDoubt], row =>
        {
            row["Status"] = EntitlementStatuses.Failed;
            row["Attempts"] = (row.GetInt32("Attempts") ?? 0) + 1;
            row["FailureReason"] = reason;
            row["LastFailedBatchId"] = batchId;
            row.Remove("BatchId");
        }, cancellationToken);

    /// <summary>In doubt: the row stays tied to this batch (never claimable) until a person resolves it.</summary>
    private Task MarkInDoubtAsync(string cycleId, string batchId, BatchItem item, string why, CancellationToken cancellationToken) =>
        MoveInBatchAsync(cycleId, batchId, item, [EntitlementStatuses.Pending], row =>
        {
            row["Status"] = EntitlementStatuses.InDoubt;
            row["InDoubtReason"] = why;
        }, cancellationToken);

    /// <summary>Changes the entitlement under its ETag while it is in <paramref name="from"/> and still in this batch; otherwise it was applied before (a repeated file) or moved on.</summary>
    private async Task MoveInBatchAsync(string cycleId, string batchId, BatchItem item, string[] from, Action<TableEntity> change, CancellationToken cancellationToken)
    {
        var (pk, rk) = (EntitlementPartition(cycleId, item.PersonKey), EntitlementRow(item.Program, item.PersonKey));
        while (true)
        {
            var row = (await _entitlements.GetEntityAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken)).Value;
            if (!from.Contains(row.GetString("Status")) || row.GetString("BatchId") != batchId)
            {
                return;
            }

            change(row);
            if (await TryReplaceAsync(_entitlements, row, cancellationToken))
            {
                return;
            }
        }
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

    // ---------------------------------------------------------------- totals and disclosure

    /// <summary>Per program, the cycle's money; with <paramref name="schoolCode"/>, of that school's students only.</summary>
    public async Task<IReadOnlyList<ProgramTotals>> TotalsAsync(string cycleId, CancellationToken cancellationToken, string? schoolCode = null)
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

    private static long ToFen(decimal yuan) => (long)decimal.Round(yuan * 100m, 0, MidpointRounding.AwayFromZero);

    private static decimal FromFen(long? fen) => (fen ?? 0) / 100m;

    internal static string Format(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

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
                PersonKeyOf(e), e.GetString("Program") ?? "", e.GetString("Name") ?? "", e.GetString("IdNumber") ?? "", e.GetString("SchoolCode") ?? "",
                e.GetString("SchoolName") ?? "", FromFen(e.GetInt64("AmountFen")), status,
                status == EntitlementStatuses.Paid ? e.GetString("PaidBatchId") : e.GetString("BatchId") ?? e.GetString("LastFailedBatchId"),
                status == EntitlementStatuses.Paid ? e.GetDateTimeOffset("PaidAt") : null,
                status == EntitlementStatuses.Failed ? e.GetString("FailureReason") : null,
                status == EntitlementStatuses.InDoubt ? e.GetString("InDoubtReason") : null,
                e.GetBoolean("BackPay") ?? false, e.GetString("Source") ?? "");
        }
    }
}
