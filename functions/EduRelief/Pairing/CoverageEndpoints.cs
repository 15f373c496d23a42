using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Pairing;

/// <summary>One school's (or the county's) 入户走访率: paired children with a home visit this semester over paired children.</summary>
public sealed record CoverageFigures(int Children, int PairedChildren, int VisitedChildren, decimal? VisitRate, int MissedMonths, int MissedWeeks);

/// <summary>A school's figures, named.</summary>
public sealed record SchoolCoverage(string SchoolCode, string SchoolName, int Children, int PairedChildren, int VisitedChildren, decimal? VisitRate, int MissedMonths, int MissedWeeks);

/// <summary>The cycle's coverage: the county's figures and each school's, as of <see cref="AsOf"/> (China date).</summary>
public sealed record CoverageView(string CycleId, DateOnly AsOf, CoverageFigures County, IReadOnlyList<SchoolCoverage> Schools);

/// <summary>A paired child's standard: each week's help and each month's home visit so far.</summary>
public sealed record StandardView(string ChildId, string Name, IReadOnlyList<PeriodStatus> Weeks, IReadOnlyList<PeriodStatus> Months, bool Visited);

/// <summary>
/// <c>GET /api/cycles/{id}/pairings/coverage</c> (the bureau and inspectors: every school; a school officer: their own
/// school, whose figures are then the county's too) and <c>GET /api/cycles/{id}/pairings/standard?childId=</c> (whoever
/// reaches the child's records).
/// </summary>
public static class CoverageEndpoints
{
    public static void MapCoverage(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cycles/{id}/pairings");
        group.MapGet("/coverage", CoverageAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/standard", StandardAsync).RequireAuthorization(PairingAccess.ReadersPolicy);
    }

    private static async Task<Results<Ok<CoverageView>, ProblemHttpResult>> CoverageAsync(
        string id, ClaimsPrincipal user, PairingRoster roster, PairingProgress progress, TimeProvider clock, CancellationToken ct)
    {
        var (cycle, problem) = await roster.ApprovedAsync(id, ct);
        if (problem is not null)
        {
            return problem;
        }

        var schools = user.IsInRole(Roles.SchoolOfficer) ? [user.SchoolCode()!] : PairingRoster.Schools(cycle!);
        var today = ChinaTime.Today(clock);
        var figures = await progress.OfCycleAsync(cycle!, schools, today, ct);
        var rows = figures.Select(s => new SchoolCoverage(
            s.SchoolCode, s.SchoolName, s.Children, s.Paired.Count, s.Visited, PairingStandard.VisitRate(s.Visited, s.Paired.Count),
            s.Paired.Sum(p => p.Months.Count(m => m.Status == PeriodStatuses.Missed)), s.Paired.Sum(p => p.Weeks.Count(w => w.Status == PeriodStatuses.Missed)))).ToList();
        var paired = rows.Sum(r => r.PairedChildren);
        var visited = rows.Sum(r => r.VisitedChildren);
        return TypedResults.Ok(new CoverageView(cycle!.Id, today,
            new CoverageFigures(rows.Sum(r => r.Children), paired, visited, PairingStandard.VisitRate(visited, paired), rows.Sum(r => r.MissedMonths), rows.Sum(r => r.MissedWeeks)),
            rows));
    }

    private static async Task<Results<Ok<StandardView>, ProblemHttpResult>> StandardAsync(
        string id, string? childId, ClaimsPrincipal user, PairingChildren access, PairingProgress progress, TimeProvider clock, CancellationToken ct)
    {
        var (child, problem) = await access.ForChildAsync(id, childId, user, ct);
        if (problem is not null)
        {
            return problem;
        }

        var school = await progress.OfCycleAsync(child!.Cycle, [child.Pairing.SchoolCode], ChinaTime.Today(clock), ct);
        var mine = school.SelectMany(s => s.Paired).First(p => p.Child.ChildKey == child.Key);
        return TypedResults.Ok(new StandardView(ChildIds.ApiId(child.Key), child.Child.Name, mine.Weeks, mine.Months, mine.Visited));
    }
}
