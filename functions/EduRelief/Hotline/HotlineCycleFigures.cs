using System.Text.Json.Nodes;
using EduRelief.Counties;
using EduRelief.Cycles;

namespace EduRelief.Hotline;

/// <summary>
/// Adds to the cycle as people see it: the open objections and held people to its notice, and its hotline cases (how
/// many, per status, overdue: from the figures row the case store keeps per cycle). A school officer's view counts only their school: the cases assigned to it and the
/// objections that name its students.
/// </summary>
public sealed class HotlineCycleFigures(HotlineStore cases, ObjectionHoldStore holds, TimeProvider clock) : ICycleFigures
{
    public Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) => FiguresAsync(cycle, null, cancellationToken);

    /// <summary>The figures of one school only, in place of the county's.</summary>
    public Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken) => FiguresAsync(cycle, schoolCode, cancellationToken);

    private async Task<Cycle> FiguresAsync(Cycle cycle, string? schoolCode, CancellationToken cancellationToken)
    {
        // The objections and the cases' figures row are read at once.
        var holdsRead = holds.ListAsync(cycle.Id, cancellationToken);
        var figuresRead = cases.FiguresAsync(cycle.CountyCode, cycle.Id, cancellationToken);
        var all = (await holdsRead).Where(h => schoolCode is null || h.SchoolCode == schoolCode).ToList();
        var open = all.Where(h => h.Status == HoldStatuses.Open).ToList();
        var notice = cycle.Notice?.DeepClone().AsObject();
        if (notice is not null)
        {
            notice["objectionsOpen"] = open.Count;
            notice["held"] = open.Where(h => h.OnNotice).Select(h => (h.SchoolCode, Rosters.PersonNames.Normalize(h.StudentName))).Distinct().Count();
            notice["objectionsUpheld"] = all.Count(h => h.Status == HoldStatuses.Upheld);
        }

        // The cases' figures from the cycle's figures row (one point read), never a scan of the cases.
        var assignee = schoolCode is null ? null : Assignees.ForSchool(schoolCode);
        var figures = await figuresRead;
        var byStatus = figures.ByStatus(assignee);
        var total = byStatus.Values.Sum();
        var overdue = figures.Overdue(clock.GetUtcNow(), assignee);

        var statuses = new JsonObject();
        foreach (var status in HotlineStatuses.All.Order(StringComparer.Ordinal))
        {
            statuses[status] = byStatus.GetValueOrDefault(status);
        }

        return cycle with
        {
            Notice = notice ?? cycle.Notice,
            Hotline = new JsonObject { ["cases"] = total, ["byStatus"] = statuses, ["overdue"] = overdue },
        };
    }
}
