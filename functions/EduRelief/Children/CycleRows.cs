using Azure.Data.Tables;
using EduRelief.Cycles;
using EduRelief.Eligibility;

namespace EduRelief.Children;

/// <summary>
/// The registry rows a verified cycle merges (<see cref="ChildRegistry"/>): each covered child of its student roster
/// (eligible, or pending a name decision) and each child the comparison with the previous cycle found absent. Every row
/// gets the cycle's record; when the cycle is the county's newest (<paramref name="newest"/>) the row's latest-record
/// columns too, so that re-verifying an older cycle never makes its records look like the latest.
/// </summary>
public sealed class CycleRows(ChildIds ids, string county, Semester semester, string runId, bool newest)
{
    private readonly string _property = ChildRegistry.PropertyOf(semester);
    private readonly string _cycleId = CycleIds.For(county, semester);

    public IEnumerable<TableEntity> For(VerificationResult result, ComparedCycle? compared)
    {
        var transferredFrom = compared?.Changes.Transferred.ToDictionary(t => t.Child.IdNumber, t => t.Child.SchoolCode) ?? [];
        var pending = result.Discrepancies.Where(d => d.Kind == DiscrepancyKinds.NameMismatch).Select(d => d.Student).OfType<StudentRecord>();
        return result.Eligible.Select(s => Listed(s, ChildStatuses.Eligible, transferredFrom.GetValueOrDefault(s.IdNumber)))
            .Concat(pending.Select(s => Listed(s, ChildStatuses.PendingReview, transferredFrom.GetValueOrDefault(s.IdNumber))))
            .Concat(compared?.Changes.Absent.Select(a => Absent(a, compared.Registered(a.Child.IdNumber))) ?? []);
    }

    private TableEntity Listed(StudentRecord s, string status, string? transferredFrom)
    {
        var entry = new ChildEntry(runId, status, s.Name, s.SchoolCode, s.SchoolName, s.Stage, s.Grade, s.Boarding,
            [.. s.Entitlements.Select(e => new ChildEntitlement(e.Program, e.Amount))], transferredFrom);
        var row = Row(s.IdNumber, entry);
        if (newest)
        {
            row["Name"] = s.Name;
            row["SchoolCode"] = s.SchoolCode;
            row["SchoolName"] = s.SchoolName;
            row["Stage"] = SchoolStages.Chinese(s.Stage);
            row["Grade"] = s.Grade;
            row["Township"] = s.Township;
            row["Village"] = s.Village;
            row["Transferred"] = transferredFrom is not null;
        }

        return row;
    }

    /// <summary>An absent child keeps the latest school they were listed at (the school that follows them up).</summary>
    private TableEntity Absent(AbsentChild absent, RegisteredChild before)
    {
        var row = Row(absent.Child.IdNumber, new ChildEntry(runId, ChildStatuses.Absent, before.Latest?.Name ?? before.Name, Age: absent.Age));
        if (newest)
        {
            row["Transferred"] = false;
        }

        return row;
    }

    private TableEntity Row(Rosters.IdNumber idNumber, ChildEntry entry)
    {
        var key = ids.RowKey(idNumber);
        var row = new TableEntity(ChildRegistry.Partition(county, key), key)
        {
            ["IdNumber"] = idNumber.Value,
            [_property] = ChildRegistry.Serialize(entry),
        };
        if (newest)
        {
            row["LatestCycle"] = _cycleId;
            row["Status"] = entry.Status;
        }

        return row;
    }
}
