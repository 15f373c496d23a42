using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

public static class PolicyEndpoints
{
    public static void MapPolicies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/policies");

        // The default for the year; ?scope= one stored override; ?countyCode= the policy that applies to that county.
        group.MapGet("/{schoolYear}", async (string schoolYear, string? scope, string? countyCode, PolicyStore policies, CountyCatalog counties, CancellationToken ct) =>
        {
            if (!TryParseYear(schoolYear, out var year))
            {
                return (IResult)Problems.Invalid("schoolYear", SchoolYearRange);
            }

            if (scope is not null && countyCode is not null)
            {
                return Problems.Invalid(new Dictionary<string, Text[]>
                {
                    ["scope"] = [ScopeOrCounty],
                    ["countyCode"] = [ScopeOrCounty],
                });
            }

            if (countyCode is not null)
            {
                if (!counties.TryGet(countyCode, out _))
                {
                    return Problems.Invalid("countyCode", new Text("countyCode 须为 GB/T 2260 中的 6 位县级行政区划代码，例如 410726。", "countyCode must be a 6-digit county-level code of GB/T 2260, e.g. 410726."));
                }

                return await policies.ResolveAsync(year, countyCode, ct) is { } resolved
                    ? TypedResults.Ok(resolved)
                    : Problems.NotFound(new Text($"{year} 学年的资助政策", $"A policy for school year {year}"));
            }

            PolicyScope? parsed = PolicyScope.Default;
            if (scope is not null && !PolicyScope.TryParse(scope, out parsed))
            {
                return Problems.Invalid("scope", new Text("scope 为 default（默认）、province:NN（省）或 county:NNNNNN（县），例如 province:41 或 county:410726。", "scope is default, province:NN or county:NNNNNN, e.g. province:41 or county:410726."));
            }

            return await policies.GetAsync(year, parsed, ct) is { } policy
                ? TypedResults.Ok(policy)
                : Problems.NotFound(new Text($"{year} 学年 {parsed} 范围的资助政策", $"The {parsed} policy for school year {year}"));
        }).RequireAuthorization(Policies.Staff);

        group.MapPut("/{schoolYear}", async (string schoolYear, string? scope, HttpRequest http, ClaimsPrincipal user, PolicyStore policies, CancellationToken ct) =>
        {
            if (!TryParseYear(schoolYear, out var year))
            {
                return (IResult)Problems.Invalid("schoolYear", SchoolYearRange);
            }

            var (body, problem) = await JsonBody.ReadAsync<PolicyDocumentInput>(http, PolicyJson.Options);
            if (problem is not null)
            {
                return problem;
            }

            var result = await policies.PutAsync(year, scope, body, user.Actor(), ct);
            return result.Policy is { } stored ? TypedResults.Ok(stored) : Problems.Invalid(new Dictionary<string, Text[]>(result.Errors));
        }).RequireAuthorization(Policies.Admin);
    }

    private static readonly Text SchoolYearRange = new(
        $"schoolYear 为 {PolicyStore.MinSchoolYear} 至 {PolicyStore.MaxSchoolYear} 之间的年份。",
        $"schoolYear is a year from {PolicyStore.MinSchoolYear} to {PolicyStore.MaxSchoolYear}.");

    private static readonly Text ScopeOrCounty = new("scope 与 countyCode 只能给出其一。", "Give scope or countyCode, not both.");

    private static bool TryParseYear(string text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && text.Length == 4
        && year is >= PolicyStore.MinSchoolYear and <= PolicyStore.MaxSchoolYear;
}
