using Azure;
using Azure.Data.Tables;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Hotline;

public static class HoldStatuses
{
    /// <summary>The objection is not decided: the person is not payable.</summary>
    public const string Open = "open";

    /// <summary>The objection was upheld: the person is off the payable list for good.</summary>
    public const string Upheld = "upheld";

    /// <summary>The objection was dismissed: the hold is released.</summary>
    public const string Dismissed = "dismissed";
}

/// <summary>
/// A person held by an objection: the school and the name as the notice shows them. <paramref name="OnNotice"/> says
/// whether the approved list had that name at that school when the objection arrived; a hold that matches nobody is
/// kept (the case still needs an answer) but holds no one's payment.
/// </summary>
public sealed record ObjectionHold(string CycleId, string CaseNumber, string SchoolCode, string StudentName, string Status, bool OnNotice, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt)
{
    /// <summary>Whether this hold covers the student of <paramref name="schoolCode"/> called <paramref name="name"/>.</summary>
    public bool Covers(string schoolCode, string name) => SchoolCode == schoolCode && PersonNames.Same(StudentName, name);
}

/// <summary>
/// Objection holds in table <c>holds</c>, one partition per cycle, one row per objection case (RowKey the case number).
/// A hold is written after its case (the webhook's retry of the same externalId writes it again, so a crash in between
/// is repaired) and is decided with its objection. Disbursement pays nobody a hold covers unless it was dismissed.
/// </summary>
public sealed class ObjectionHoldStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("holds", CycleRowScope.CyclePartitions)];

    private readonly TableClient _table = storage.Table("holds");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>
    /// Holds the person an objection names; a no-op when the case holds already. <paramref name="onNotice"/> (a scan of
    /// the school's list) is asked only when the hold is written, not on every redelivery or decision.
    /// </summary>
    public async Task EnsureAsync(HotlineCase objection, Func<CancellationToken, Task<bool>> onNotice, CancellationToken cancellationToken)
    {
        if (objection.Category != HotlineCategories.Objection || objection.Subject is not { CycleId: { } cycleId, SchoolCode: { } school, StudentName: { } name }
            || (await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, objection.CaseNumber, ["PartitionKey"], cancellationToken)).HasValue)
        {
            return;
        }

        var status = objection.ObjectionDecision switch
        {
            ObjectionDecisions.Upheld => HoldStatuses.Upheld,
            ObjectionDecisions.Dismissed => HoldStatuses.Dismissed,
            _ => HoldStatuses.Open,
        };
        try
        {
            await _table.AddEntityAsync(
                new TableEntity(cycleId, objection.CaseNumber)
                {
                    ["SchoolCode"] = school,
                    ["StudentName"] = PersonNames.Normalize(name),
                    ["Status"] = status,
                    ["OnNotice"] = await onNotice(cancellationToken),
                    ["CreatedAt"] = objection.RegisteredAt,
                    ["DecidedAt"] = objection.ObjectionDecidedAt,
                },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            // Held already.
        }
    }

    /// <summary>Records the objection's decision on its hold (a case whose hold was lost to a crash gets one, already decided).</summary>
    public async Task DecideAsync(HotlineCase objection, Func<CancellationToken, Task<bool>> onNotice, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (objection.Subject?.CycleId is not { } cycleId || objection.ObjectionDecision is not { } decision)
        {
            return;
        }

        await EnsureAsync(objection, onNotice, cancellationToken);

        var status = decision == ObjectionDecisions.Upheld ? HoldStatuses.Upheld : HoldStatuses.Dismissed;
        await _table.UpdateEntityAsync(
            new TableEntity(cycleId, objection.CaseNumber) { ["Status"] = status, ["DecidedAt"] = at },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);
    }

    /// <summary>Takes back an undecided hold written for a cycle that closed or was cancelled meanwhile (<see cref="CycleGate"/>).</summary>
    public async Task ReleaseUndecidedAsync(string cycleId, string caseNumber, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, caseNumber, cancellationToken: cancellationToken);
        if (row.HasValue && row.Value!.GetString("Status") == HoldStatuses.Open)
        {
            await _table.DeleteEntityAsync(cycleId, caseNumber, row.Value.ETag, cancellationToken);
        }
    }

    public async Task<ObjectionHold?> GetAsync(string cycleId, string caseNumber, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, caseNumber, cancellationToken: cancellationToken);
        return row.HasValue ? ToHold(row.Value!) : null;
    }

    public async Task<IReadOnlyList<ObjectionHold>> ListAsync(string cycleId, CancellationToken cancellationToken)
    {
        var holds = new List<ObjectionHold>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {cycleId}"), cancellationToken: cancellationToken))
        {
            holds.Add(ToHold(e));
        }

        return holds;
    }

    private static ObjectionHold ToHold(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("SchoolCode") ?? "", e.GetString("StudentName") ?? "", e.GetString("Status") ?? HoldStatuses.Open,
        e.GetBoolean("OnNotice") ?? false, e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("DecidedAt"));
}

/// <summary>Whether the person an objection names is on the cycle's approved list: that school's ledger has the name.</summary>
public sealed class ObjectionSubjects(CycleService cycles, EligibilityStore ledger)
{
    public async Task<bool> IsOnNoticeAsync(HotlineSubject? subject, CancellationToken cancellationToken)
    {
        if (subject is not { CycleId: { } cycleId, SchoolCode: { } school, StudentName: { } name }
            || await cycles.FindAsync(cycleId, cancellationToken) is not { } cycle
            || cycle.State.Verification?.RunId is not { } runId)
        {
            return false;
        }

        await foreach (var row in ledger.SchoolLedgerAsync(cycleId, runId, school, cancellationToken))
        {
            if (PersonNames.Same(row.Name, name))
            {
                return true;
            }
        }

        return false;
    }
}
