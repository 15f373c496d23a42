using System.Security.Claims;
using System.Text.Json;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Auth;

public sealed record CreateKeyRequest(string? Name, string? Role, string? SchoolCode);

public sealed record KeyResponse(string Id, string Name, string Role, string? SchoolCode, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? Key = null);

public static class KeyEndpoints
{
    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").RequireAuthorization(Policies.Admin);

        group.MapPost("", async (HttpRequest http, ClaimsPrincipal user, ApiKeyStore store, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateKeyRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, string[]>();
            var name = body!.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 100)
            {
                errors["name"] = ["A name of 1 to 100 characters is required."];
            }

            if (body.Role is null || !Roles.All.Contains(body.Role))
            {
                errors["role"] = [$"role is one of {string.Join(", ", Roles.All)}."];
            }
            else if (body.Role == Roles.SchoolOfficer && !SchoolCode.IsValid(body.SchoolCode))
            {
                errors["schoolCode"] = ["A school officer's key needs the school's 10-digit 学校标识码."];
            }
            else if (body.Role != Roles.SchoolOfficer && body.SchoolCode is not null)
            {
                errors["schoolCode"] = ["Only a school officer's key names a school."];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var (info, key) = await store.CreateAsync(name!, body.Role!, body.SchoolCode, user.Actor(), ct);
            return TypedResults.Created($"/api/keys/{info.Id}", ToResponse(info) with { Key = key });
        });

        group.MapGet("", async (ApiKeyStore store, CancellationToken ct) =>
            TypedResults.Ok(new { items = (await store.ListAsync(ct)).Select(k => ToResponse(k)), continuationToken = (string?)null }));

        group.MapDelete("/{id}", async (string id, ApiKeyStore store, CancellationToken ct) =>
            await store.RevokeAsync(id, ct) is { } info ? (IResult)TypedResults.Ok(ToResponse(info)) : Problems.NotFound($"Key {id}"));
    }

    private static KeyResponse ToResponse(ApiKeyInfo k) => new(k.Id, k.Name, k.Role, k.SchoolCode, k.CreatedAt, k.CreatedBy, k.RevokedAt);
}

/// <summary>学校标识码: the 10-digit identifier the national school registry gives every school.</summary>
public static class SchoolCode
{
    public static bool IsValid(string? code) => code is { Length: 10 } && code.All(char.IsAsciiDigit);
}
