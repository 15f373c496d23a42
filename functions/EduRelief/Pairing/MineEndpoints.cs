using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Pairing;

/// <summary>A period's standard as the teacher's phone shows it.</summary>
public sealed record PeriodView(string Period, DateOnly From, DateOnly To, string Status);

/// <summary>One of the teacher's children: who, where, the household's aid, and this week's help and this month's visit.</summary>
public sealed record MyChild(
    string ChildId, string Name, string IdNumber, string? Stage, int? Grade, string? Village, IReadOnlyList<string> Groups, IReadOnlyList<ChildAid> Aid,
    PeriodView? ThisWeek, PeriodView? ThisMonth);

/// <summary>The teacher's children in the county's latest approved cycle.</summary>
public sealed record MyChildren(string CycleId, string SchoolCode, string SchoolName, DateOnly AsOf, IReadOnlyList<MyChild> Items);

/// <summary>
/// <c>GET /api/pairings/mine</c>: for a signed-in teacher, the children paired with them in the latest approved cycle
/// (by creation, not cancelled) of their county, each with this week's help and this month's home visit. What the
/// teacher's phone page opens with; nobody else has "mine".
/// </summary>
public static class MineEndpoints
{
    public static void MapMine(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/pairings/mine", MineAsync).RequireAuthorization(p => p.RequireAssertion(c => PairingAccess.IsTeacher(c.User)));

    private static async Task<Results<Ok<MyChildren>, ProblemHttpResult>> MineAsync(
        ClaimsPrincipal user, CycleService cycles, PairingRoster roster, PairingProgress progress, TimeProvider clock, CancellationToken ct)
    {
        var school = user.SchoolCode()!;
        var teacher = user.TeacherId()!;
        Cycle? latest = null;
        foreach (var county in user.Counties().Where(CountyScope.IsCountyCode))
        {
            string? token = null;
            do
            {
                var page = await cycles.ListAsync(new CycleFilter(county, null, null), token, Paging.Max, ct);
                foreach (var cycle in page.Items.Where(c => PairingRoster.Approval(c) is not null && c.Stage != Stages.Cancelled))
                {
                    latest = latest is null || cycle.CreatedAt > latest.CreatedAt ? cycle : latest;
                }

                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        if (latest is null)
        {
            return Problems.NotFound(new Text("已审核通过的资助周期（名单公示后才有结对学生）", "An approved cycle (children are paired once the list is approved)"));
        }

        var today = ChinaTime.Today(clock);
        var schools = await progress.OfCycleAsync(latest, [school], today, ct);
        var mine = schools.SelectMany(s => s.Paired).Where(p => p.Child.TeacherIds.Contains(teacher)).Select(p => new MyChild(
            ChildIds.ApiId(p.Child.ChildKey), p.Child.Name, p.Child.MaskedId, p.Child.Stage, p.Child.Grade, p.Child.Village, p.Child.Groups, p.Child.Aid,
            View(p.ThisWeek), View(p.ThisMonth))).ToList();
        return TypedResults.Ok(new MyChildren(latest.Id, school, schools is [var first, ..] ? first.SchoolName : "", today, mine));
    }

    private static PeriodView? View(PeriodStatus? p) => p is null ? null : new PeriodView(p.Period, p.From, p.To, p.Status);
}
