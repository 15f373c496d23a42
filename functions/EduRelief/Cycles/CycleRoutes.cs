using EduRelief.Hosting;

namespace EduRelief.Cycles;

/// <summary>
/// One cycle's routes, <c>/api/cycles/{id}/…</c>: the group's filter loads the cycle once and answers the cycle's 404
/// problem when it does not exist, so the handlers start from a cycle that does. The caller's county is checked before
/// that, by authorization (<see cref="Auth.CountyScope"/>), so a county not theirs is refused whether its cycle exists or not.
/// </summary>
public static class CycleRoutes
{
    public const string Prefix = "/api/cycles/{id}";

    /// <summary>The group whose endpoints answer only for an existing cycle; handlers read it with <see cref="Cycle(HttpContext)"/>.</summary>
    public static RouteGroupBuilder MapCycleGroup(this IEndpointRouteBuilder app) => app.MapGroup(Prefix).AddEndpointFilter(LoadCycleAsync);

    /// <summary>The cycle the group's filter loaded for this request.</summary>
    public static Cycle Cycle(this HttpContext http) =>
        http.Features.Get<LoadedCycle>()?.Cycle ?? throw new InvalidOperationException("The endpoint is not in the cycle route group.");

    private static async ValueTask<object?> LoadCycleAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var id = http.Request.RouteValues["id"] as string ?? "";
        if (await http.RequestServices.GetRequiredService<CycleService>().FindAsync(id, http.RequestAborted) is not { } cycle)
        {
            return Problems.NotFound(Messages.Cycle(id));
        }

        http.Features.Set(new LoadedCycle(cycle));
        return await next(context);
    }

    private sealed record LoadedCycle(Cycle Cycle);
}
