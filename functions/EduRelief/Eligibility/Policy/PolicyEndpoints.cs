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
                return (IResult)Problems.Invalid("schoolYear", $"schoolYear is a year from {PolicyStore.MinSchoolYear} to {PolicyStore.MaxSchoolYear}.");
            }

            if (scope is not null && countyCode is not null)
            {
                return Problems.Invalid(new Dictionary<string, string[]>
                {
                    ["scope"] = ["Give scope or countyCode, not both."],
                    ["countyCode"] = ["Give scope or countyCode, not both."],
                });
            }

            if (countyCode is not null)
            {
                if (!counties.TryGet(countyCode, out _))
                {
                    return Problems.Invalid("countyCode", "countyCode must be a 6-digit county-level code of GB/T 2260, e.g. 410726.");
                }

                return await policies.ResolveAsync(year, countyCode, ct) is { } resolved
                    ? TypedResults.Ok(resolved)
                    : Problems.NotFound($"A policy for school year {year}");
            }

            PolicyScope? parsed = PolicyScope.Default;
            if (scope is not null && !PolicyScope.TryParse(scope, out parsed))
            {
                return Problems.Invalid("scope", "scope is default, province:NN or county:NNNNNN, e.g. province:41 or county:410726.");
            }

            return await policies.GetAsync(year, parsed, ct) is { } policy
                ? TypedResults.Ok(policy)
                : Problems.NotFound($"The {parsed} policy for school year {year}");
        }).RequireAuthorization(Policies.Staff);

        group.MapPut("/{schoolYear}", async (string schoolYear, string? scope, HttpRequest http, ClaimsPrincipal user, PolicyStore policies, CancellationToken ct) =>
        {
            if (!TryParseYear(schoolYear, out var year))
            {
                return (IResult)Problems.Invalid("schoolYear", $"schoolYear is a year from {PolicyStore.MinSchoolYear} to {PolicyStore.MaxSchoolYear}.");
            }

            var (body, problem) = await JsonBody.ReadAsync<PolicyDocumentInput>(http, PolicyJson.Options);
            if (problem is not null)
            {
                return problem;
            }

            var result = await policies.PutAsync(year, scope, body, user.Actor(), ct);
            return result.Policy is { } stored ? TypedResults.Ok(stored) : Problems.Invalid(new Dictionary<string, string[]>(result.Errors));
        }).RequireAuthorization(Policies.Admin);
    }

    private static bool TryParseYear(string text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && text.Length == 4
        && year is >= PolicyStore.MinSchoolYear and <= PolicyStore.MaxSchoolYear;
}
