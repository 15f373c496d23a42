using System.Security.Claims;
using System.Text.Json;
using EduRelief.Cycles;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Auth;

public sealed record CreateKeyRequest(string? Name, string? Role, string? SchoolCode, string[]? Counties, DateTimeOffset? ExpiresAt, string? TeacherId = null);

public sealed record RotateKeyRequest(int? OverlapHours);

public sealed record KeyResponse(
    string Id,
    string Name,
    string Role,
    string? SchoolCode,
    IReadOnlyList<string> Counties,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RotatedAt,
    DateTimeOffset? PreviousKeyExpiresAt,
    DateTimeOffset? PreviousKeyLastUsedAt,
    string? Key = null)
{
    /// <summary>A teacher's key: the teacher (工号) of <see cref="SchoolCode"/> it signs in as.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? TeacherId { get; init; }
}

public static class KeyEndpoints
{
    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").RequireAuthorization(Policies.Admin);

        group.MapPost("", async (HttpRequest http, ClaimsPrincipal user, ApiKeyStore store, CountyCatalog catalog, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateKeyRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, Text[]>();
            var name = body!.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 100)
            {
                errors["name"] = [new Text("须填写名称，1 至 100 个字符。", "A name of 1 to 100 characters is required.")];
            }

            if (body.Role is null || !Roles.All.Contains(body.Role))
            {
                errors["role"] = [new Text("role 须为以下之一：bureau_admin（教育局管理员）、school_officer（学校资助专干）、inspector（督查人员）、hotline_system（热线系统）、teacher（结对帮扶教师）。", $"role is one of {string.Join(", ", Roles.All)}.")];
            }
            else if (body.Role is Roles.SchoolOfficer or Roles.Teacher && !SchoolCode.IsValid(body.SchoolCode))
            {
                errors["schoolCode"] = [new Text("学校资助专干或教师的密钥须填写学校的 10 位学校标识码。", "A school officer's or teacher's key needs the school's 10-digit 学校标识码.")];
            }
            else if (body.Role is not (Roles.SchoolOfficer or Roles.Teacher) && body.SchoolCode is not null)
            {
                errors["schoolCode"] = [new Text("只有学校资助专干或教师的密钥才填写学校。", "Only a school officer's or teacher's key names a school.")];
            }

            if (body.Role == Roles.Teacher && !Pairing.TeacherIds.IsValid(body.TeacherId))
            {
                errors["teacherId"] = [new Text("教师的密钥须填写该教师在本校的工号（teacherId，1 至 32 个字母、数字或 -）。", "A teacher's key needs the teacher's id at the school (teacherId: 1 to 32 letters, digits or -).")];
            }
            else if (body.Role != Roles.Teacher && body.TeacherId is not null)
            {
                errors["teacherId"] = [new Text("只有教师的密钥才填写 teacherId。", "Only a teacher's key names a teacherId.")];
            }

            var counties = body.Counties ?? [];
            if (counties.Length == 0)
            {
                errors["counties"] = [new Text("counties 必填：此密钥可办理的县（6 位县级行政区划代码，如 [\"410726\"]），或 [\"*\"] 表示所有县。", "counties is required: the counties this key acts for (6-digit county-level codes, e.g. [\"410726\"]), or [\"*\"] for every county.")];
            }
            else if (counties.Select((c, i) => (c, i)).FirstOrDefault(x => x.c != Roles.EveryCounty && !catalog.TryGet(x.c, out _)) is { c: not null } bad)
            {
                errors[$"counties[{bad.i}]"] = [new Text($"{bad.c} 不是 GB/T 2260 的县级行政区划代码，也不是 \"*\"。", $"{bad.c} is not a county-level code of GB/T 2260, nor \"*\".")];
            }

            if (body.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow())
            {
                errors["expiresAt"] = [new Text("expiresAt 须晚于现在。", "expiresAt must be in the future.")];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var (info, key) = await store.CreateAsync(name!, body.Role!, body.SchoolCode, CountyScope.Normalize(counties), body.ExpiresAt, user.Actor(), ct, body.Role == Roles.Teacher ? body.TeacherId : null);
            return TypedResults.Created($"/api/keys/{info.Id}", ToResponse(info) with { Key = key });
        });

        group.MapGet("", async (ApiKeyStore store, CancellationToken ct) =>
            TypedResults.Ok(new { items = (await store.ListAsync(ct)).Select(k => ToResponse(k)), continuationToken = (string?)null }));

        group.MapDelete("/{id}", async (string id, ApiKeyStore store, CancellationToken ct) =>
            await store.RevokeAsync(id, ct) is { } info ? (IResult)TypedResults.Ok(ToResponse(info)) : Problems.NotFound(new Text($"密钥 {id}", $"Key {id}")));

        // A new secret without downtime: the old one keeps working for the overlap (default 24 hours), or until
        // DELETE /{id}/previous or a revocation ends it.
        group.MapPost("/{id}/rotate", async (string id, HttpRequest http, ApiKeyStore store, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var overlapHours = DefaultOverlapHours;
            // The body is optional: none (or an empty one) takes the default overlap.
            if (http.ContentLength > 0 || (http.ContentLength is null && http.ContentType is not null))
            {
                var (body, problem) = await JsonBody.ReadAsync<RotateKeyRequest>(http, json.Value.SerializerOptions);
                if (problem is not null)
                {
                    return (IResult)problem;
                }

                overlapHours = body!.OverlapHours ?? DefaultOverlapHours;
                if (overlapHours is < 0 or > MaxOverlapHours)
                {
                    return Problems.Invalid("overlapHours", new Text($"overlapHours 为 0 到 {MaxOverlapHours} 小时：旧密钥在轮换后还能使用的时间。", $"overlapHours is 0 to {MaxOverlapHours}: the hours the old key still works after rotation."));
                }
            }

            var existing = await store.GetAsync(id, ct);
            if (existing is null)
            {
                return Problems.NotFound(new Text($"密钥 {id}", $"Key {id}"));
            }

            if (existing.RevokedAt is not null || existing.ExpiresAt <= clock.GetUtcNow())
            {
                return Problems.Conflict(new Text($"密钥 {id} 已被吊销或已过期，不能轮换；请新建密钥。", $"Key {id} is revoked or expired and cannot be rotated; create a new key."));
            }

            var (info, key) = (await store.RotateAsync(id, TimeSpan.FromHours(overlapHours), ct))!.Value;
            return TypedResults.Ok(ToResponse(info) with { Key = key });
        });

        group.MapDelete("/{id}/previous", async (string id, ApiKeyStore store, CancellationToken ct) =>
            await store.RetirePreviousAsync(id, ct) is { } info ? (IResult)TypedResults.Ok(ToResponse(info)) : Problems.NotFound(new Text($"密钥 {id}", $"Key {id}")));
    }

    public const int DefaultOverlapHours = 24;
    public const int MaxOverlapHours = 168;

    private static KeyResponse ToResponse(ApiKeyInfo k) => new(
        k.Id, k.Name, k.Role, k.SchoolCode, k.Counties, k.ExpiresAt, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.LastUsedAt,
        k.RotatedAt, k.PreviousRetiresAt, k.PreviousLastUsedAt) { TeacherId = k.TeacherId };
}

/// <summary>学校标识码: the 10-digit identifier the national school registry gives every school.</summary>
public static class SchoolCode
{
    public static bool IsValid(string? code) => code is { Length: 10 } && code.All(char.IsAsciiDigit);
}
