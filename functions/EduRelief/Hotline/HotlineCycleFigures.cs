using System.Text.Json.Nodes;
using EduRelief.Cycles;

namespace EduRelief.Hotline;

/// <summary>
/// Adds to a cycle its open objections and the people they hold (<c>notice.objectionsOpen</c>, <c>notice.held</c>), the
/// objections upheld (<c>notice.objectionsUpheld</c>: those people are off the payable list), and
/// its hotline cases per status and overdue (<c>hotline</c>). Counted from the case and hold tables at read time, so
/// the figures can never drift from the cases themselves.
/// </summary>
public sealed class HotlineCycleFigures(HotlineStore cases, ObjectionHoldStore holds, TimeProvider clock) : ICycleFigures
{
    public async Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken)
    {
        var all = await holds.ListAsync(cycle.Id, cancellationToken);
        var open = all.Where(h => h.Status == HoldStatuses.Open).ToList();
        var notice = cycle.Notice?.DeepClone().AsObject();
        if (notice is not null)
        {
            notice["objectionsOpen"] = open.Count;
            notice["held"] = open.Where(h => h.OnNotice).Select(h => (h.SchoolCode, Rosters.PersonNames.Normalize(h.StudentName))).Distinct().Count();
            notice["objectionsUpheld"] = all.Count(h => h.Status == HoldStatuses.Upheld);
        }

        var now = clock.GetUtcNow();
        var byStatus = HotlineStatuses.All.ToDictionary(s => s, _ => 0);
        var total = 0;
        var overdue = 0;
        await foreach (var c in cases.AllForCycleAsync(cycle.CountyCode, cycle.Id, cancellationToken))
        {
            total++;
            byStatus[c.Status] = byStatus.GetValueOrDefault(c.Status) + 1;
            overdue += c.IsOverdue(now) ? 1 : 0;
        }

        var statuses = new JsonObject();
        foreach (var status in HotlineStatuses.All.Order(StringComparer.Ordinal))
        {
            statuses[status] = byStatus[status];
        }

        return cycle with
        {
            Notice = notice ?? cycle.Notice,
            Hotline = new JsonObject { ["cases"] = total, ["byStatus"] = statuses, ["overdue"] = overdue },
        };
    }
}
