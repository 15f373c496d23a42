using System.Security.Claims;
using EduRelief.Cycles;
using EduRelief.Hotline;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace EduRelief.Auth;

/// <summary>
/// The one place that decides which county a request acts on, from its route and query alone (no storage read, so a
/// county's cycles and cases are refused alike whether they exist or not, and their existence never leaks):
/// <list type="bullet">
/// <item><c>{countyCode}</c> in the route (contacts, accounts), <c>?countyCode=</c> (cycle list, policies) and
/// <c>?scope=county:{code}</c> (policies): that county;</item>
/// <item><c>/api/cycles/{id}/…</c> and <c>?cycleId=</c>: the cycle's county, the first part of its id
/// (<c>410726-2026-autumn</c>);</item>
/// <item><c>/api/hotline/cases/{caseNumber}/…</c>: the case's county, the first part of its number
/// (<c>410726-2026-000123</c>);</item>
/// <item>what changes every county (API keys, officers' schools, the national calendar, a province-wide or default
/// policy): every county, so only an operator of every county (<c>"*"</c>).</item>
/// </list>
/// An id that names no county is refused to anyone but an operator of every county. Lists without a county in the request
/// (<c>GET /api/cycles</c>, <c>/api/hotline/cases</c>, <c>/api/mail</c>) are limited to the caller's counties by the
/// list itself (<see cref="PrincipalExtensions.CountyLimit"/>).
/// </summary>
public static class CountyScope
{
    /// <summary>The counties a request acts on; <see cref="Roles.EveryCounty"/> when it acts on every county or names none it can prove.</summary>
    public static IReadOnlyList<string> RequiredBy(HttpContext http)
    {
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
        var route = http.Request.RouteValues;
        var query = http.Request.Query;
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        var needs = new List<string>();

        if (pattern.StartsWith("/api/keys", StringComparison.Ordinal) || pattern.StartsWith("/api/officers", StringComparison.Ordinal)
            || (pattern.StartsWith("/api/calendar", StringComparison.Ordinal) && !reads))
        {
            needs.Add(Roles.EveryCounty);
        }

        if (route.TryGetValue("countyCode", out var county))
        {
            needs.Add(CountyOrEvery(county as string));
        }

        if (pattern.StartsWith("/api/cycles/{id}", StringComparison.Ordinal))
        {
            needs.Add(CycleIds.CountyOf(route["id"] as string) ?? Roles.EveryCounty);
        }

        if (route.TryGetValue("caseNumber", out var number))
        {
            needs.Add(CaseNumber.TryParse(number as string, out var parsed) ? parsed.CountyCode : Roles.EveryCounty);
        }

        needs.AddRange(Present(query["countyCode"]).Select(CountyOrEvery));
        needs.AddRange(Present(query["cycleId"]).Select(c => CycleIds.CountyOf(c) ?? Roles.EveryCounty));

        if (pattern.StartsWith("/api/policies", StringComparison.Ordinal))
        {
            var scopes = Present(query["scope"]).ToList();
            needs.AddRange(scopes.Select(s => s.StartsWith("county:", StringComparison.Ordinal) ? CountyOrEvery(s["county:".Length..])
                : reads ? null : Roles.EveryCounty).OfType<string>());
            if (!reads && scopes.Count == 0)
            {
                needs.Add(Roles.EveryCounty);
            }
        }

        return needs;
    }

    /// <summary>The first county the principal may not act on, or null when every county the request names is theirs.</summary>
    public static string? Refused(ClaimsPrincipal user, IReadOnlyList<string> required) =>
        required.FirstOrDefault(c => c == Roles.EveryCounty ? !user.ActsInEveryCounty() : !user.CanActInCounty(c));

    public static bool IsCountyCode(string? code) => code is { Length: 6 } && !code.AsSpan().ContainsAnyExceptInRange('0', '9');

    /// <summary>The counties a key or token grants: each a 6-digit code or "*"; "*" stands alone.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> counties)
    {
        var list = counties.Select(c => c.Trim()).Where(c => c == Roles.EveryCounty || IsCountyCode(c)).Distinct().Order(StringComparer.Ordinal).ToList();
        return list.Contains(Roles.EveryCounty) ? [Roles.EveryCounty] : list;
    }

    /// <summary>A table filter limiting <paramref name="property"/> to the counties (none matches an empty list).</summary>
    public static string TableFilter(string property, IReadOnlyList<string> counties) =>
        counties.Count == 0 ? $"{property} eq '-'" : "(" + string.Join(" or ", counties.Where(IsCountyCode).Select(c => $"{property} eq '{c}'").DefaultIfEmpty($"{property} eq '-'")) + ")";

    private static string CountyOrEvery(string? code) => IsCountyCode(code) ? code! : Roles.EveryCounty;

    private static IEnumerable<string> Present(Microsoft.Extensions.Primitives.StringValues values) =>
        values.OfType<string>().Where(v => !string.IsNullOrWhiteSpace(v));
}

/// <summary>
/// Runs with every authorization policy of every endpoint: a signed-in principal whose counties do not cover the
/// counties the request acts on (<see cref="CountyScope.RequiredBy"/>) is refused, whatever their role.
/// </summary>
public sealed class CountyAuthorizationHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.Resource is HttpContext http && context.User.Identity?.IsAuthenticated == true
            && CountyScope.Refused(context.User, CountyScope.RequiredBy(http)) is { } county)
        {
            context.Fail(new CountyRefusal(this, county));
        }

        return Task.CompletedTask;
    }
}

public sealed class CountyRefusal(IAuthorizationHandler handler, string county)
    : AuthorizationFailureReason(handler, county == Roles.EveryCounty ? "every county" : county)
{
    public string County { get; } = county;

    public string Detail => County == Roles.EveryCounty
        ? "此操作涉及所有县（或无法确定所属的县），只有可办理所有县事务（\"*\"）的密钥或账号才能进行。"
        : $"您的密钥或账号无权办理县 {County} 的事务。";
}

/// <summary>Answers a county refusal as a 403 problem saying which county; every other outcome as ASP.NET Core would.</summary>
public sealed class CountyAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<CountyRefusal>().FirstOrDefault() is { } refusal)
        {
            return Results.Problem(
                    title: "无权办理该县的事务",
                    detail: refusal.Detail,
                    statusCode: StatusCodes.Status403Forbidden,
                    extensions: new Dictionary<string, object?> { ["county"] = refusal.County })
                .ExecuteAsync(context);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
