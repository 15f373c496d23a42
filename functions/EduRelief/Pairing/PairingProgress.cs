using EduRelief.Cycles;
using EduRelief.Hosting;

namespace EduRelief.Pairing;

/// <summary>A paired child's standard so far: each week's help and each month's home visit, and whether any visit was made this semester.</summary>
public sealed record ChildProgress(SchoolChild Child, IReadOnlyList<PeriodStatus> Weeks, IReadOnlyList<PeriodStatus> Months, bool Visited)
{
    public PeriodStatus? ThisWeek => Weeks.Count > 0 ? Weeks[^1] : null;

    public PeriodStatus? ThisMonth => Months.Count > 0 ? Months[^1] : null;

    /// <summary>This week has no help record yet, or this month no home visit (what the school's daily digest lists).</summary>
    public bool MissingNow => ThisWeek?.Status == PeriodStatuses.Due || ThisMonth?.Status == PeriodStatuses.Due;
}

/// <summary>A school of the cycle: its children to pair (eligible or flagged), and the progress of those paired.</summary>
public sealed record SchoolProgress(string SchoolCode, string SchoolName, int Children, IReadOnlyList<ChildProgress> Paired)
{
    public int Visited => Paired.Count(p => p.Visited);
}

/// <summary>
/// The standard applied to a cycle on a given China date (DOMAIN "结对帮扶"): per school, each paired child's weeks and
/// months from the approval's to today's (at most the semester's end), from the cycle's records. A child counts as
/// paired when they have at least one teacher; 入户走访率 is those with a home visit this semester over those paired.
/// </summary>
public sealed class PairingProgress(PairingRoster roster, RecordStore records)
{
    public async Task<IReadOnlyList<SchoolProgress>> OfCycleAsync(Cycle cycle, IReadOnlyList<string> schools, DateOnly today, CancellationToken ct)
    {
        if (PairingRoster.Approval(cycle) is not { } approvedAt || !Semester.TryParse(cycle.Semester, out var semester))
        {
            return [];
        }

        var approved = ChinaTime.DateOf(approvedAt);
        var end = PairingStandard.SemesterEnd(semester);
        var all = await records.CycleAsync(cycle.Id, ct);
        var result = new List<SchoolProgress>();
        foreach (var school in schools)
        {
            var children = await roster.ChildrenAsync(cycle, school, ct);
            var paired = new List<ChildProgress>();
            foreach (var child in children.Where(c => c.TeacherIds.Count > 0))
            {
                var counted = all.TryGetValue(child.ChildKey, out var list) ? list.Select(r => r.Counted).ToList() : [];
                var effective = PairingStandard.Effective(counted);
                paired.Add(new ChildProgress(
                    child,
                    PairingStandard.Weeks(approved, end, today, counted),
                    PairingStandard.Months(approved, end, today, counted),
                    effective.Any(r => r.Kind == RecordKinds.HomeVisit)));
            }

            var name = children.Select(c => c.SchoolName).FirstOrDefault(n => n.Length > 0) ?? "";
            result.Add(new SchoolProgress(school, name, children.Count, paired));
        }

        return result;
    }
}
