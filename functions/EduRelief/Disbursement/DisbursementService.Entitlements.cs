using Azure.Data.Tables;
using EduRelief.Eligibility;
using EduRelief.Hotline;

namespace EduRelief.Disbursement;

/// <summary>Entitlements: the ledger keys the cycle owes, following objection holds; late confirmations as 补发.</summary>
public sealed partial class DisbursementService
{
    /// <summary>
    /// Brings the entitlements in line with the ledger of <paramref name="runId"/> and the objection holds. Idempotent:
    /// rows that exist are not rewritten except to follow a hold (open → held; dismissed → pending, as 补发 when the
    /// program's regular batch was cut already; upheld → cancelled). Rows in a batch are not touched.
    /// </summary>
    public Task<int> PrepareAsync(string cycleId, string runId, CancellationToken cancellationToken) =>
        RefreshingAsync(cycleId, () => PrepareRowsAsync(cycleId, runId, cancellationToken), cancellationToken, everyPartition: true);

    private async Task<int> PrepareRowsAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        var cycleHolds = await _holds.ListAsync(cycleId, cancellationToken);
        var regularCut = (await ListBatchesAsync(cycleId, cancellationToken)).Where(b => b.Kind == BatchKinds.Regular).Select(b => b.Program).ToHashSet();
        // Of each row only what following a hold asks, by row key (which names the partition too); a row that is to
        // change is read again whole. Holding every row of a county whole would take as much memory again as the county.
        var existing = new Dictionary<string, KnownRow>(StringComparer.Ordinal);
        var occupied = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in _rows.QueryAsync(cycleId, null, cancellationToken, select: ["RowKey", "Status", "BatchId"]))
        {
            existing[e.RowKey] = new KnownRow(string.Intern(e.GetString("Status") ?? ""), e.GetString("BatchId") is null);
            occupied.Add(EntitlementPartition(cycleId, PersonKeyOf(e)));
        }

        // A partition without rows has no counter yet: its first rows add one without reading it first.
        _rows.KnownWithoutCounter(Enumerable.Range(0, 256).Select(shard => $"{cycleId}|{shard:x2}").Where(p => !occupied.Contains(p)));

        // New rows in transactions per partition with its counter, written as partitions fill, many at once; a
        // transaction that meets a row another instance added meanwhile falls back to adding its rows one by one.
        var fresh = new EntitlementTable.StreamingWriter(_rows);
        var (changed, added) = (0, 0);
        foreach (var program in LedgerWorkbook.ProgramSheets.Keys)
        {
            await foreach (var row in _ledger.AllLedgerAsync(cycleId, runId, program, cancellationToken))
            {
                var target = HoldTarget(cycleHolds, row.SchoolCode, row.Name);
                var key = row.IdNumber.PersonKey;
                var (pk, rk) = (EntitlementPartition(cycleId, key), EntitlementRow(program, key));
                if (!existing.TryGetValue(rk, out var known))
                {
                    existing[rk] = KnownRow.Added;
                    var backPay = target == EntitlementStatuses.Pending && regularCut.Contains(program);
                    var reason = backPay ? (row.Source == "review" ? "confirmed by review after the regular batch was cut" : "confirmed after the regular batch was cut") : null;
                    await fresh.AddAsync(new EntitlementWrite(null, NewEntitlement(cycleId, new Payable(row.Name, row.IdNumber, row.SchoolCode, row.SchoolName, program, row.Amount), target, backPay, reason, row.Source)), cancellationToken);
                    added++;
                    continue;
                }

                if (!ReferenceEquals(known, KnownRow.Added) && FollowsHold(known.Status, known.Unbatched, target)
                    && (await _rows.Table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken)) is { HasValue: true } stored
                    && await FollowHoldAsync(stored.Value!, target, regularCut.Contains(program), cancellationToken))
                {
                    changed++;
                }
            }
        }

        var refused = await fresh.FlushAsync(cancellationToken);
        return changed + added - refused.Count;
    }

    /// <summary>What <see cref="PrepareRowsAsync"/> keeps of an entitlement row it found: its status, and whether it is in no batch.</summary>
    private sealed record KnownRow(string Status, bool Unbatched)
    {
        /// <summary>A row this preparation adds (a second ledger row for its key adds nothing).</summary>
        public static readonly KnownRow Added = new("", true);
    }

    /// <summary>
    /// An entitlement confirmed after batches were cut (a correction from rectification, a child enrolled after
    /// 控辍保学 follow-up): owed at once, paid as 补发 with <paramref name="reason"/>. False when the ledger key exists.
    /// </summary>
    public Task<bool> AddLateAsync(string cycleId, Payable payable, string reason, CancellationToken cancellationToken) =>
        RefreshingAsync(cycleId, async () =>
        {
            var target = HoldTarget(await _holds.ListAsync(cycleId, cancellationToken), payable.SchoolCode, payable.Name);
            return await AddEntitlementAsync(cycleId, payable, target, backPay: true, reason, "late", cancellationToken);
        }, cancellationToken, () => [payable.IdNumber.PersonKey]);

    /// <summary>
    /// What <see cref="PrepareAsync"/> would still change once the notice's end prepared the cycle, found without reading
    /// every row: the rows an objection hold covers follow it (one scan per school with a hold), and ledger rows
    /// confirmed since verification (review, rectification) whose entitlement is missing, as after a crash between the
    /// two writes, are added (the ledger's few such rows, then a point read each). For a cut by hand.
    /// </summary>
    public Task<int> CatchUpAsync(string cycleId, string runId, CancellationToken cancellationToken) =>
        RefreshingAsync(cycleId, () => CatchUpRowsAsync(cycleId, runId, cancellationToken), cancellationToken);

    private async Task<int> CatchUpRowsAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        var cycleHolds = await _holds.ListAsync(cycleId, cancellationToken);
        var regularCut = (await ListBatchesAsync(cycleId, cancellationToken)).Where(b => b.Kind == BatchKinds.Regular).Select(b => b.Program).ToHashSet();
        var changed = 0;
        foreach (var school in cycleHolds.Select(h => h.SchoolCode).Distinct(StringComparer.Ordinal))
        {
            await foreach (var e in QueryEntitlementsAsync(cycleId, null, cancellationToken, school))
            {
                if (cycleHolds.Any(h => h.Covers(e.GetString("SchoolCode") ?? "", e.GetString("Name") ?? ""))
                    && await FollowHoldAsync(e, HoldTarget(cycleHolds, e.GetString("SchoolCode") ?? "", e.GetString("Name") ?? ""), regularCut.Contains(e.GetString("Program") ?? ""), cancellationToken))
                {
                    changed++;
                }
            }
        }

        await foreach (var row in _ledger.LateLedgerAsync(cycleId, runId, cancellationToken))
        {
            var key = row.IdNumber.PersonKey;
            if ((await _rows.Table.GetEntityIfExistsAsync<TableEntity>(EntitlementPartition(cycleId, key), EntitlementRow(row.Program, key), select: ["RowKey"], cancellationToken: cancellationToken)).HasValue)
            {
                continue;
            }

            var target = HoldTarget(cycleHolds, row.SchoolCode, row.Name);
            var backPay = target == EntitlementStatuses.Pending && regularCut.Contains(row.Program);
            var reason = backPay ? (row.Source == "review" ? "confirmed by review after the regular batch was cut" : "confirmed after the regular batch was cut") : null;
            if (await TryAddAsync(NewEntitlement(cycleId, new Payable(row.Name, row.IdNumber, row.SchoolCode, row.SchoolName, row.Program, row.Amount), target, backPay, reason, row.Source), cancellationToken))
            {
                changed++;
            }
        }

        return changed;
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
        var key = p.IdNumber.PersonKey;
        var entity = new TableEntity(EntitlementPartition(cycleId, key), EntitlementRow(p.Program, key))
        {
            ["Name"] = p.Name,
            ["IdNumber"] = p.IdNumber.Value,
            ["SchoolCode"] = p.SchoolCode,
            ["SchoolName"] = p.SchoolName,
            ["Program"] = p.Program,
            ["AmountFen"] = p.Amount.Fen,
            ["Status"] = status,
            ["Attempts"] = 0,
            ["BackPay"] = backPay,
            ["Source"] = source,
            ["ConfirmedAt"] = _clock.GetUtcNow(),
        };
        if (reason is not null)
        {
            entity["BackPayReason"] = reason;
        }

        return entity;
    }

    private Task<bool> TryAddAsync(TableEntity entity, CancellationToken cancellationToken) => _rows.TryWriteAsync(null, entity, cancellationToken);

    /// <summary>Whether a row of <paramref name="status"/> moves to <paramref name="target"/>, its holds' answer (<see cref="HoldTarget"/>).</summary>
    private static bool FollowsHold(string? status, bool unbatched, string target) =>
        // A failed payment stays failed (owed, for the next batch) unless a hold now covers it.
        !(status == target || status is EntitlementStatuses.Paid or EntitlementStatuses.Cancelled or EntitlementStatuses.InDoubt || (status == EntitlementStatuses.Pending && !unbatched)
          || (status == EntitlementStatuses.Failed && target == EntitlementStatuses.Pending));

    private async Task<bool> FollowHoldAsync(TableEntity entity, string target, bool regularCut, CancellationToken cancellationToken)
    {
        var status = entity.GetString("Status");
        if (!FollowsHold(status, entity.GetString("BatchId") is null, target))
        {
            return false;
        }

        var after = new TableEntity(entity);
        if (status == EntitlementStatuses.Held && target == EntitlementStatuses.Pending && regularCut)
        {
            after["BackPay"] = true;
            after["BackPayReason"] = SystemReasons.ObjectionDismissed;
        }

        after["Status"] = target;
        return await _rows.TryWriteAsync(entity, after, cancellationToken);
    }

    /// <summary>Each person the cycle's entitlements name (once, whatever the programs), with their school: the accounts check's view.</summary>
    public async IAsyncEnumerable<(string PersonKey, Rosters.IdNumber IdNumber, string Name, string SchoolCode, string SchoolName)> EntitledPeopleAsync(
        string cycleId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in _rows.QueryAsync(cycleId, null, cancellationToken, select: ["RowKey", "IdNumber", "Name", "SchoolCode", "SchoolName"]))
        {
            if (seen.Add(PersonKeyOf(e)))
            {
                yield return (PersonKeyOf(e), Rosters.IdNumber.FromStored(e.GetString("IdNumber")), e.GetString("Name") ?? "", e.GetString("SchoolCode") ?? "", e.GetString("SchoolName") ?? "");
            }
        }
    }

    /// <summary>Entitlements whose payment the bank refused twice or more and that are still owed: each needs a person to look.</summary>
    public async Task<IReadOnlyList<RepeatedFailure>> RepeatedFailuresAsync(string cycleId, CancellationToken cancellationToken)
    {
        var failures = new List<RepeatedFailure>();
        await foreach (var row in _rows.QueryAsync(cycleId, null, cancellationToken, statuses: Takeable, where: "Attempts ge 2"))
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

    private IAsyncEnumerable<TableEntity> QueryEntitlementsAsync(string cycleId, string? program, CancellationToken cancellationToken, string? schoolCode = null) =>
        _rows.QueryAsync(cycleId, program, cancellationToken, schoolCode);
}
