using System.Security.Claims;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Auth;

public sealed record SetOfficerRequest(string? SchoolCode);

/// <summary>
/// The administrator's mapping of Entra object ids to schools, for school officers whose token carries no school claim.
/// </summary>
public static class OfficerEndpoints
{
    private static readonly Text ObjectIdFormat = new("objectId 为资助专干在 Entra 中的对象 ID（GUID）。", "objectId is the officer's Entra object id (a GUID).");

    public static void MapOfficers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/officers").RequireAuthorization(Policies.Admin);

        group.MapPut("/{objectId}", async (string objectId, HttpRequest http, ClaimsPrincipal user, OfficerStore store, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<SetOfficerRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, Text[]>();
            var oid = OfficerStore.Normalize(objectId);
            if (oid is null)
            {
                errors["objectId"] = [ObjectIdFormat];
            }

            var school = body!.SchoolCode?.Trim();
            if (!SchoolCode.IsValid(school))
            {
                errors["schoolCode"] = [Messages.SchoolCodeFormat];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var (mapping, created) = await store.SetAsync(oid!, school!, user.Actor(), ct);
            return created ? TypedResults.Created($"/api/officers/{oid}", mapping) : TypedResults.Ok(mapping);
        });

        group.MapGet("", async (string? continuationToken, int? pageSize, OfficerStore store, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
            }

            var page = await store.ListAsync(continuationToken, size, ct);
            return TypedResults.Ok(new { items = page.Items, continuationToken = page.ContinuationToken });
        });

        group.MapDelete("/{objectId}", async (string objectId, OfficerStore store, CancellationToken ct) =>
            OfficerStore.Normalize(objectId) is not { } oid
                ? Problems.Invalid("objectId", ObjectIdFormat)
                : await store.DeleteAsync(oid, ct) is { } removed ? (IResult)TypedResults.Ok(removed) : Problems.NotFound(new Text($"资助专干 {oid}", $"Officer {oid}")));
    }
}
