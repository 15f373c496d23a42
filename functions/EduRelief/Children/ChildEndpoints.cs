using System.Security.Claims;
using Azure.Data.Tables;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Children;

/// <summary>A search of the registry, in the body (an ID number never goes in a URL): exactly one of its four shapes.</summary>
public sealed record ChildSearch(string? IdNumber, string? Name, string? SchoolCode, string? Village, string? Status);

/// <summary>A child as a search lists them: the latest record (stage and grade of the latest cycle they were listed in).</summary>
public sealed record ChildItem(
    string Id, string IdNumber, string Name, string SchoolCode, string SchoolName, SchoolStage? Stage, int? Grade,
    string Township, string Village, string LatestCycle, string Status, bool Transferred)
{
    public static ChildItem Of(RegisteredChild c) => new(
        ChildIds.ApiId(c.RowKey), c.IdNumber.Masked, c.Name, c.SchoolCode, c.SchoolName, c.LatestListed?.Stage, c.LatestListed?.Grade,
        c.Township, c.Village, c.LatestCycle, c.Status, c.Transferred);
}

/// <summary>An entitlement of a cycle and, once the cycle's batches are cut, where its payment stands (null before).</summary>
public sealed record ChildEntitlementView(string Program, decimal Amount, string? PaymentStatus, string? BatchId, DateTimeOffset? PaidAt);

/// <summary>A child's record of one cycle.</summary>
public sealed record ChildCycleView(
    string CycleId, string Status, string Name, string? SchoolCode, string? SchoolName, SchoolStage? Stage, int? Grade, bool? Boarding,
    bool Eligible, IReadOnlyList<ChildEntitlementView> Entitlements, string? TransferredFrom, int? Age);

/// <summary>A child and their timeline across cycles, oldest first.</summary>
public sealed record ChildView(ChildItem Child, IReadOnlyList<ChildCycleView> Timeline);

/// <summary>
/// The county's child registry: <c>POST /api/counties/{code}/children/search</c> and
/// <c>GET /api/counties/{code}/children/{id}</c>. The bureau and inspectors see every child; a school officer only the
/// children whose latest record is at their school (any other → 403, as the accounts search answers).
/// </summary>
public static class ChildEndpoints
{
    private static readonly Text OwnPupilsOnly = new("学校经办人只能查看最近一次记录在本校的学生。", "A school officer sees the children whose latest record is at their own school only.");

    public static IServiceCollection AddChildren(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChildIdOptions>()
            .Configure(o => o.Secret = configuration[ChildIdOptions.SecretKey])
            .ValidateOnStart();
        return services
            .AddSingleton<IValidateOptions<ChildIdOptions>, ChildIdOptionsValidator>()
            .AddSingleton<ChildIds>()
            .AddSingleton<ChildRegistry>();
    }

    public static void MapChildren(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/counties/{countyCode}/children");
        group.MapPost("/search", SearchAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/{childId}", GetAsync).RequireAuthorization(Policies.Staff);
    }

    private static async Task<IResult> SearchAsync(
        string countyCode, string? continuationToken, int? pageSize, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, ChildRegistry registry,
        IOptions<JsonOptions> json, TimeProvider clock, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return UnknownCounty(countyCode);
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var pageProblem))
        {
            return pageProblem!;
        }

        var (body, problem) = await JsonBody.ReadAsync<ChildSearch>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (query, invalid) = ChildQuery.Read(body!, ChinaTime.Today(clock));
        if (invalid is not null)
        {
            return Problems.Invalid(invalid);
        }

        var own = user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "" : null;
        if (own is not null && query!.SchoolCode is { } asked && asked != own)
        {
            return Problems.Forbidden(OwnPupilsOnly);
        }

        if (query!.IdNumber is { } idNumber)
        {
            var found = await registry.FindAsync(countyCode, idNumber, ct);
            return own is not null && found?.SchoolCode != own
                ? Problems.Forbidden(OwnPupilsOnly)
                : TypedResults.Ok(new Storage.Page<ChildItem>(found is null ? [] : [ChildItem.Of(found)], null));
        }

        var newest = SemesterOrder.Newest((await registry.CyclesAsync(countyCode, ct)).Keys);
        var filter = query.Filter(newest is null ? null : CycleIds.For(countyCode, newest), own);
        var page = await registry.SearchAsync(countyCode, filter, continuationToken, size, ct);
        return TypedResults.Ok(new Storage.Page<ChildItem>([.. page.Items.Select(ChildItem.Of)], page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(
        string countyCode, string childId, ClaimsPrincipal user, CountyCatalog counties, ChildRegistry registry, Disbursement.PaymentStatusQueries payments, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return UnknownCounty(countyCode);
        }

        var notFound = Problems.NotFound(new Text("该学生", "This child"));
        if (ChildIds.RowKeyOf(childId) is not { } rowKey)
        {
            return notFound;
        }

        var child = await registry.GetAsync(countyCode, rowKey, ct);
        if (user.IsInRole(Roles.SchoolOfficer) && child?.SchoolCode != user.SchoolCode())
        {
            return Problems.Forbidden(OwnPupilsOnly);
        }

        if (child is null)
        {
            return notFound;
        }

        var timeline = new List<ChildCycleView>();
        foreach (var (semester, entry) in child.Timeline)
        {
            timeline.Add(await CycleViewAsync(CycleIds.For(countyCode, semester), child.IdNumber, entry, payments, ct));
        }

        return TypedResults.Ok(new ChildView(ChildItem.Of(child), timeline));
    }

    /// <summary>A cycle's record with its payments: one scan of the school's entitlements in that cycle, as the ledger reads them.</summary>
    private static async Task<ChildCycleView> CycleViewAsync(string cycleId, IdNumber idNumber, ChildEntry e, Disbursement.PaymentStatusQueries payments, CancellationToken ct)
    {
        var paid = e.SchoolCode is { } school && e.Entitlements is { Count: > 0 }
            ? await payments.ForSchoolsAsync(cycleId, [school], ct)
            : new Dictionary<(string, string), Disbursement.EntitlementState>();
        return new ChildCycleView(
            cycleId, e.Status, e.Name, e.SchoolCode, e.SchoolName, e.Stage, e.Grade, e.Boarding, e.Eligible,
            [.. (e.Entitlements ?? []).Select(x => EntitlementView(x, paid.GetValueOrDefault((x.Program, idNumber.PersonKey))))],
            e.TransferredFrom, e.Age);
    }

    private static ChildEntitlementView EntitlementView(ChildEntitlement e, Disbursement.EntitlementState? payment) =>
        new(e.Program, e.Amount.ToFenExact().Value, payment?.Status, payment?.BatchId, payment?.PaidAt);

    private static ProblemHttpResult UnknownCounty(string countyCode) => Problems.NotFound(Messages.County(countyCode));

}

/// <summary>A search's one shape, checked: which fields it gives and how the registry is filtered for it.</summary>
public sealed record ChildQuery(IdNumber? IdNumber, string? Name, string? SchoolCode, string? Village, string? Status)
{
    private static readonly Text OneShape = new(
        "请给出以下之一：idNumber；name 与 schoolCode；village；status。",
        "Give exactly one of: idNumber; name and schoolCode; village; status.");

    /// <summary>The query, or the errors by field: none or two shapes, an ID number that is not valid, an unknown status.</summary>
    public static (ChildQuery? Query, Dictionary<string, Text[]>? Errors) Read(ChildSearch body, DateOnly today)
    {
        var given = new[] { ("idNumber", body.IdNumber), ("name", body.Name), ("schoolCode", body.SchoolCode), ("village", body.Village), ("status", body.Status) }
            .Where(f => f.Item2 is not null).Select(f => f.Item1).ToList();
        var shapes = given.Select(f => f == "schoolCode" ? "name" : f).Distinct().Count();
        if (shapes != 1)
        {
            return (null, (given.Count == 0 ? ["idNumber", "name", "schoolCode", "village", "status"] : given).ToDictionary(f => f, _ => new[] { OneShape }));
        }

        var errors = new Dictionary<string, Text[]>();
        IdNumber? id = null;
        if (body.IdNumber is not null)
        {
            var idProblem = Rosters.IdNumber.TryParse(body.IdNumber, today, out var parsed, out _);
            if (idProblem == IdProblem.None)
            {
                id = parsed;
            }
            else
            {
                errors["idNumber"] = [IdNumbers.Describe(idProblem)];
            }
        }

        if (given.Contains("name"))
        {
            Require(errors, "name", body.Name);
            if (body.SchoolCode is null || !Auth.SchoolCode.IsValid(body.SchoolCode))
            {
                errors["schoolCode"] = [Messages.SchoolCodeFormat];
            }
        }
        else if (body.SchoolCode is not null)
        {
            errors["name"] = [new Text("按学校查找时需同时给出姓名。", "A search by school needs the name too.")];
        }

        Require(errors, "village", body.Village);
        if (body.Status is not null && !ChildStatuses.Searchable.Contains(body.Status))
        {
            errors["status"] = [new Text($"status 应为以下之一：{string.Join(", ", ChildStatuses.Searchable)}。", $"status is one of {string.Join(", ", ChildStatuses.Searchable)}.")];
        }

        return errors.Count > 0 ? (null, errors) : (new ChildQuery(id, body.Name?.Trim(), body.SchoolCode, body.Village?.Trim(), body.Status), null);
    }

    /// <summary>
    /// The filter on the latest records: by name at a school, by 村, or by status in the county's newest cycle
    /// (<paramref name="newestCycle"/>; none before any cycle); <paramref name="ownSchool"/> limits it to a school officer's pupils.
    /// </summary>
    public string Filter(string? newestCycle, string? ownSchool)
    {
        var parts = new List<string>();
        if (Name is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"Name eq {Name} and SchoolCode eq {SchoolCode}"));
        }

        if (Village is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"Village eq {Village}"));
        }

        if (Status is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"LatestCycle eq {newestCycle ?? "-"}"));
            parts.Add(Status == ChildStatuses.Transferred ? "Transferred eq true" : TableClient.CreateQueryFilter($"Status eq {Status}"));
        }

        if (ownSchool is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"SchoolCode eq {ownSchool}"));
        }

        return string.Join(" and ", parts);
    }

    private static void Require(Dictionary<string, Text[]> errors, string field, string? value)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [new Text($"{field} 不能为空。", $"{field} must not be empty.")];
        }
    }
}
