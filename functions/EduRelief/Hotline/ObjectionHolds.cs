using Azure;
using Azure.Data.Tables;
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

/// <summary>A person held by an objection: the school and the name as the notice shows them.</summary>
public sealed record ObjectionHold(string CycleId, string CaseNumber, string SchoolCode, string StudentName, string Status, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt)
{
    /// <summary>Whether this hold covers the student of <paramref name="schoolCode"/> called <paramref name="name"/>.</summary>
    public bool Covers(string schoolCode, string name) => SchoolCode == schoolCode && PersonNames.Same(StudentName, name);
}

/// <summary>
/// Objection holds in table <c>holds</c>, one partition per cycle, one row per objection case (RowKey the case number).
/// A hold is written after its case (the webhook's retry of the same externalId writes it again, so a crash in between
/// is repaired) and is decided with its objection. Disbursement pays nobody a hold covers unless it was dismissed.
/// </summary>
public sealed class ObjectionHoldStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table("holds");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Holds the person an objection names; a no-op when the case holds already.</summary>
    public async Task EnsureAsync(HotlineCase objection, CancellationToken cancellationToken)
    {
        if (objection.Category != HotlineCategories.Objection || objection.Subject is not { CycleId: { } cycleId, SchoolCode: { } school, StudentName: { } name })
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

    /// <summary>Records the objection's decision on its hold (writes the hold first if an earlier crash lost it).</summary>
    public async Task DecideAsync(HotlineCase objection, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await EnsureAsync(objection, cancellationToken);
        if (objection.Subject?.CycleId is not { } cycleId || objection.ObjectionDecision is not { } decision)
        {
            return;
        }

        var status = decision == ObjectionDecisions.Upheld ? HoldStatuses.Upheld : HoldStatuses.Dismissed;
        await _table.UpdateEntityAsync(
            new TableEntity(cycleId, objection.CaseNumber) { ["Status"] = status, ["DecidedAt"] = at },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);
    }

    public async Task<IReadOnlyList<ObjectionHold>> ListAsync(string cycleId, CancellationToken cancellationToken)
    {
        var holds = new List<ObjectionHold>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {cycleId}"), cancellationToken: cancellationToken))
        {
            holds.Add(new ObjectionHold(
                e.PartitionKey, e.RowKey, e.GetString("SchoolCode") ?? "", e.GetString("StudentName") ?? "", e.GetString("Status") ?? HoldStatuses.Open,
                e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("DecidedAt")));
        }

        return holds;
    }
}
