using System.Security.Claims;
using System.Text.Json.Serialization;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Exports;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Letters;

/// <summary>
/// A school's letter figures. <see cref="Delivered"/> counts every letter handed over (signed ones included);
/// 知晓率 (<see cref="AwarenessRate"/>) counts <b>signed</b> receipts only: signed / letters as a percentage with one
/// decimal (null with no letters). A letter handed over but not signed back does not count as known.
/// </summary>
public sealed record SchoolLetterFigures(string SchoolCode, string SchoolName, int Letters, int Delivered, [property: JsonPropertyName("signed")] int SignedLetters)
{
    public decimal? AwarenessRate => Awareness.Rate(SignedLetters, Letters);
}

/// <summary><c>GET /api/cycles/{id}/letters</c>: the county's (or, for a school officer, their school's) totals and each school.</summary>
public sealed record CycleLetters(string CycleId, int Letters, int Delivered, [property: JsonPropertyName("signed")] int SignedLetters, IReadOnlyList<SchoolLetterFigures> Schools)
{
    /// <summary>What 知晓率 counts: always <c>signed</c> (see <see cref="SchoolLetterFigures"/>).</summary>
    public string AwarenessBasis => LetterStore.SignedStatus;

    public decimal? AwarenessRate => Awareness.Rate(SignedLetters, Letters);
}

/// <summary>One child's letter as the school sees it: the registry's opaque id, never the ID number.</summary>
public sealed record LetterChildView(string Id, string Name, string? Status, DateTimeOffset? DeliveredAt, DateTimeOffset? SignedAt, string? RecordedBy);

/// <summary>The body of a delivery record: the child by registry id and <c>delivered</c> or <c>signed</c>.</summary>
public sealed record LetterDeliveryInput(string? ChildId, string? Status);

public static class Awareness
{
    /// <summary>知晓率: signed / letters as a percentage, one decimal, half away from zero; null when there are no letters.</summary>
    public static decimal? Rate(int signedLetters, int letters) =>
        letters == 0 ? null : decimal.Round(signedLetters * 100m / letters, 1, MidpointRounding.AwayFromZero);
}

/// <summary>
/// The 告知书 routes: the figures per school, one school's print-ready letters, its children and their deliveries, and
/// the school's record of a delivery. The bureau (administrators, inspectors) sees every school; a school officer only
/// their own. Recording a delivery is the school's officer's or an administrator's.
/// </summary>
public static class LetterEndpoints
{
    public static IServiceCollection AddLetters(this IServiceCollection services) => services
        .AddSingleton<LetterStore>()
        .AddSingleton<LetterWriter>();

    public static void MapLetters(this IEndpointRouteBuilder app)
    {
        var group = app.MapCycleGroup();

        group.MapGet("/letters", async (HttpContext http, ClaimsPrincipal user, LetterStore letters, CancellationToken ct) =>
        {
            var cycle = http.Cycle();
            var schools = await letters.ListAsync(cycle.Id, ct);
            var officer = user.IsInRole(Roles.SchoolOfficer);
            var shown = schools
                .Where(s => !officer || user.CanAccessSchool(s.SchoolCode))
                .Select(s => new SchoolLetterFigures(s.SchoolCode, s.SchoolName, s.Letters, s.Delivered, s.SignedLetters))
                .ToList();
            return TypedResults.Ok(new CycleLetters(cycle.Id, shown.Sum(s => s.Letters), shown.Sum(s => s.Delivered), shown.Sum(s => s.SignedLetters), shown));
        }).RequireAuthorization(Policies.Staff);

        group.MapGet("/letters/{schoolCode}.html", async (string schoolCode, HttpContext http, ClaimsPrincipal user, LetterStore letters, SchoolNames names, CancellationToken ct) =>
        {
            var cycle = http.Cycle();
            if (await SchoolAsync(cycle.Id, schoolCode, user, letters, names, ct) is { Refusal: { } refusal })
            {
                return refusal;
            }

            var entry = (await letters.GetAsync(cycle.Id, schoolCode, ct))!;
            return TypedResults.Stream(await letters.OpenDocumentAsync(entry.HtmlSha256, ct), LetterRenderer.HtmlType);
        }).RequireAuthorization(Policies.Staff).WithNoStore();

        group.MapGet("/letters/{schoolCode:length(10)}", async (string schoolCode, HttpContext http, ClaimsPrincipal user, LetterStore letters, SchoolNames names, CancellationToken ct) =>
        {
            var cycle = http.Cycle();
            if (await SchoolAsync(cycle.Id, schoolCode, user, letters, names, ct) is { Refusal: { } refusal })
            {
                return refusal;
            }

            var children = await letters.ChildrenAsync(cycle.Id, schoolCode, ct);
            return TypedResults.Ok(new { items = children.Select(View), continuationToken = (string?)null });
        }).RequireAuthorization(Policies.Staff).WithNoStore();

        group.MapPost("/letters/{schoolCode}/delivery", async (string schoolCode, HttpContext http, ClaimsPrincipal user, LetterStore letters, SchoolNames names, IOptions<JsonOptions> json, TimeProvider clock, CancellationToken ct) =>
        {
            var cycle = http.Cycle();
            if (user.IsInRole(Roles.Inspector) && !user.IsInRole(Roles.BureauAdmin) && !user.IsInRole(Roles.SchoolOfficer))
            {
                return Problems.Forbidden(new Text("送达和签收由学校登记。", "Deliveries are recorded by the school."));
            }

            if (await SchoolAsync(cycle.Id, schoolCode, user, letters, names, ct) is { Refusal: { } refusal })
            {
                return refusal;
            }

            var (body, problem) = await JsonBody.ReadAsync<LetterDeliveryInput>(http.Request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var errors = new Dictionary<string, Text[]>();
            var rowKey = ChildIds.RowKeyOf(body!.ChildId);
            if (rowKey is null)
            {
                errors["childId"] = [new Text("childId 是学生在儿童台账中的编号（43 个字符，印在告知书回执上），不是身份证号。", "childId is the child's registry id (43 characters, printed on the letter's receipt), not an ID number.")];
            }

            if (body.Status is not (LetterStore.DeliveredStatus or LetterStore.SignedStatus))
            {
                errors["status"] = [new Text("status 为 delivered（已送达）或 signed（已签收）。", "status is delivered or signed.")];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var recorded = await letters.RecordAsync(cycle.Id, schoolCode, rowKey!, body.Status!, user.Actor(), ChinaTime.ToChina(clock.GetUtcNow()), ct);
            return recorded is null
                ? Problems.NotFound(new Text($"{(await names.DescribeAsync(cycle.Id, schoolCode, ct)).Zh}给该学生的告知书", $"A letter of {(await names.DescribeAsync(cycle.Id, schoolCode, ct)).En} to this child"))
                : TypedResults.Ok(View(recorded));
        }).RequireAuthorization(Policies.Staff);
    }

    private static LetterChildView View(LetterDelivery d) =>
        new(ChildIds.ApiId(d.ChildRowKey), d.Name, d.Status, d.DeliveredAt is { } a ? ChinaTime.ToChina(a) : null, d.SignedAt is { } s ? ChinaTime.ToChina(s) : null, d.RecordedBy);

    /// <summary>403 for another school's officer, 404 when the school has no letters (yet) in the cycle.</summary>
    private static async Task<(IResult? Refusal, SchoolLetterEntry? Entry)> SchoolAsync(string cycleId, string schoolCode, ClaimsPrincipal user, LetterStore letters, SchoolNames names, CancellationToken ct)
    {
        if (!SchoolCode.IsValid(schoolCode))
        {
            return (Problems.Invalid("schoolCode", Messages.SchoolCodeFormat), null);
        }

        if (!user.CanAccessSchool(schoolCode))
        {
            return (Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(cycleId, schoolCode, ct))), null);
        }

        return await letters.GetAsync(cycleId, schoolCode, ct) is { } entry
            ? (null, entry)
            : (Problems.NotFound(new Text($"资助周期 {cycleId} 中{(await names.DescribeAsync(cycleId, schoolCode, ct)).Zh}的告知书", $"The letters of {(await names.DescribeAsync(cycleId, schoolCode, ct)).En} in cycle {cycleId}")), null);
    }
}
