using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Counties;

public static class CountyEndpoints
{
    public static IServiceCollection AddCounties(this IServiceCollection services) => services
        .AddSingleton(CountyCatalog.LoadDefault())
        .AddSingleton<CountyContactsStore>();

    public static void MapCounties(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/counties/{countyCode}/contacts");

        // A school officer reads the bureau's contacts and their own school's mailbox, not the other schools'.
        group.MapGet("", async (string countyCode, ClaimsPrincipal user, CountyCatalog counties, CountyContactsStore store, CancellationToken ct) =>
            !counties.TryGet(countyCode, out _)
                ? Problems.NotFound(Messages.County(countyCode))
                : await store.GetAsync(countyCode, ct) is { } contacts
                    ? (IResult)TypedResults.Ok(user.IsInRole(Roles.SchoolOfficer)
                        ? contacts with { Schools = contacts.Schools.Where(s => user.CanAccessSchool(s.Key)).ToDictionary() }
                        : contacts)
                    : Problems.NotFound(new Text($"县 {countyCode} 的联系方式", $"Contacts of county {countyCode}")))
            .RequireAuthorization(Policies.Staff);

        group.MapPut("", async (string countyCode, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, CountyContactsStore store, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            if (!counties.TryGet(countyCode, out _))
            {
                return (IResult)Problems.NotFound(Messages.County(countyCode));
            }

            var (body, problem) = await JsonBody.ReadAsync<CountyContactsInput>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var errors = CountyContactsStore.Validate(body!);
            return errors.Count > 0
                ? Problems.Invalid(errors)
                : TypedResults.Ok(await store.PutAsync(countyCode, body!, user.Actor(), ct));
        }).RequireAuthorization(Policies.Admin);
    }
}
