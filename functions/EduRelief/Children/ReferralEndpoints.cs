using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Children;

/// <summary>A referral as people read it: <see cref="Referral"/> with whether its outcome is overdue and the outcome in words.</summary>
public sealed record ReferralView(
    string Id, string SpringCycleId, string AutumnCycleId, string Name, string IdNumber, string? Township, string? Village,
    string SchoolCode, string SchoolName, string Stage, int Grade, string Status, string StatusLabel, DateTimeOffset CreatedAt, DateTimeOffset DueAt, bool Overdue,
    string? Outcome, string? OutcomeLabel, DateOnly? OutcomeDate, string? Note, string? RecordedBy, DateTimeOffset? RecordedAt, IReadOnlyList<ReferralOutcome> History)
{
    public static ReferralView From(Referral r, DateTimeOffset now) => new(
        r.Id, r.SpringCycleId, r.AutumnCycleId, r.Name, r.MaskedId, r.Township, r.Village, r.SchoolCode, r.SchoolName, r.Stage, r.Grade,
        r.Status, ReferralStatuses.Label(r.Status), r.CreatedAt, r.DueAt, r.IsOverdue(now),
        r.Outcome?.Outcome, r.Outcome is { } o ? ReferralOutcomes.Label(o.Outcome) : null, r.Outcome?.Date, r.Outcome?.Note, r.Outcome?.RecordedBy, r.Outcome?.RecordedAt, r.History);
}

/// <summary>The body of <c>POST …/referrals/{id}/outcome</c>: one of <see cref="ReferralOutcomes.All"/>, the date it happened, a note.</summary>
public sealed record ReferralOutcomeRequest(string? Outcome, string? Date, string? Note)
{
    public const int MaxNote = 500;

    /// <summary>The outcome to record, or the field errors; the date is a calendar date no later than <paramref name="today"/>.</summary>
    public (ReferralOutcome? Outcome, Dictionary<string, Text[]> Errors) Validate(DateOnly today, string actor, DateTimeOffset now)
    {
        var errors = new Dictionary<string, Text[]>();
        if (Outcome is null || !ReferralOutcomes.All.Contains(Outcome))
        {
            errors["outcome"] = [new Text($"outcome 应为以下之一：{string.Join(", ", ReferralOutcomes.All)}。", $"outcome is one of {string.Join(", ", ReferralOutcomes.All)}.")];
        }

        if (!DateOnly.TryParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) || date > today)
        {
            errors["date"] = [new Text("date 为不晚于今天的日期，格式 YYYY-MM-DD。", "date is a date no later than today, as YYYY-MM-DD.")];
        }

        var note = string.IsNullOrWhiteSpace(Note) ? null : Note.Trim();
        if (note is { Length: > MaxNote })
        {
            errors["note"] = [new Text($"note 最多 {MaxNote} 个字符。", $"note is at most {MaxNote} characters.")];
        }
        else if (note is not null && Rectification.SensitiveText.HasIdNumber(note))
        {
            errors["note"] = [new Text("note 中不得写身份证号。", "note must not hold an ID number.")];
        }

        return errors.Count > 0 ? (null, errors) : (new ReferralOutcome(Outcome!, date, note, actor, now), errors);
    }
}

/// <summary>两后生 referrals: the county's list, one referral, its outcome, and the workbook for the human-resources department.</summary>
public static class ReferralEndpoints
{
    public static IServiceCollection AddReferrals(this IServiceCollection services) => services
        .AddSingleton<ReferralStore>()
        .AddSingleton<Reminders.IReminderSource, ReferralReminderSource>();

    public static void MapReferrals(this IEndpointRouteBuilder app)
    {
        var county = app.MapGroup("/api/counties/{countyCode}");
        county.MapGet("/referrals", ListAsync).RequireAuthorization(Policies.Staff);
        county.MapGet("/referrals.xlsx", WorkbookAsync).WithNoStore().RequireAuthorization(Policies.Inspection);
        county.MapGet("/referrals/{referralId}", GetAsync).RequireAuthorization(Policies.Staff);
        county.MapPost("/referrals/{referralId}/outcome", RecordAsync).RequireAuthorization(Policies.Admin);
    }

    private static async Task<Results<Ok<Page<ReferralView>>, ProblemHttpResult>> ListAsync(
        string countyCode, string? status, string? continuationToken, int? pageSize, ClaimsPrincipal user, CountyCatalog counties, ReferralStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        if (status is not null && !ReferralStatuses.All.Contains(status))
        {
            return Problems.Invalid("status", new Text("status 为 open、closed 或 withdrawn。", "status is open, closed or withdrawn."));
        }

        // A school officer sees the referrals of its own former pupils (the school of their spring record).
        var school = user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "-" : null;
        var page = await store.ListAsync(countyCode, status, school, continuationToken, size, ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new Page<ReferralView>([.. page.Items.Select(r => ReferralView.From(r, now))], page.ContinuationToken));
    }

    private static async Task<Results<Ok<ReferralView>, ProblemHttpResult>> GetAsync(
        string countyCode, string referralId, ClaimsPrincipal user, ReferralStore store, TimeProvider clock, CancellationToken ct)
    {
        var (referral, refusal) = await LoadAsync(countyCode, referralId, user, store, ct);
        return refusal ?? (Results<Ok<ReferralView>, ProblemHttpResult>)TypedResults.Ok(ReferralView.From(referral!, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<ReferralView>, ProblemHttpResult>> RecordAsync(
        string countyCode, string referralId, HttpRequest http, ClaimsPrincipal user, ReferralStore store, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReferralOutcomeRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (referral, refusal) = await LoadAsync(countyCode, referralId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var (outcome, errors) = body!.Validate(ChinaTime.DateOf(now), user.Actor(), now);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var (result, recorded) = await store.RecordAsync(referral!, outcome!, ct);
        if (result == ReferralRecordResult.Conflict && await store.GetAsync(countyCode, referralId, ct) is { } fresh && fresh.Outcome == referral!.Outcome)
        {
            // Only a reminder's mark moved the row: record on the fresh one.
            (result, recorded) = await store.RecordAsync(fresh, outcome!, ct);
        }

        return result == ReferralRecordResult.Conflict
            ? Problems.Conflict(new Text("该转介刚被他人修改，请刷新后重试。", "Someone else changed this referral just now; reload and try again."), (IDictionary<string, Text[]>?)null)
            : TypedResults.Ok(ReferralView.From(recorded!, now));
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> WorkbookAsync(
        string countyCode, HttpContext http, CountyCatalog counties, ReferralStore store, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out var county))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        http.Response.ContentType = FileUploads.XlsxType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{countyCode}-referrals.xlsx\"";
        await ReferralWorkbook.WriteAsync(http.Response.Body, store.AllAsync(countyCode, status: null, ct), $"{county.Name}两后生转介名单", ct);
        return TypedResults.Empty;
    }

    /// <summary>The referral, or 404 (unknown county or referral) or 403 (a school officer, another school's former pupil).</summary>
    private static async Task<(Referral? Referral, ProblemHttpResult? Refusal)> LoadAsync(string countyCode, string referralId, ClaimsPrincipal user, ReferralStore store, CancellationToken ct)
    {
        var referral = await store.GetAsync(countyCode, referralId, ct);
        if (referral is null)
        {
            return (null, Problems.NotFound(new Text($"县 {countyCode} 的两后生转介 {referralId}", $"Referral {referralId} of county {countyCode}")));
        }

        return user.IsInRole(Roles.SchoolOfficer) && !user.CanAccessSchool(referral.SchoolCode)
            ? (null, Problems.Forbidden(new Text("该学生春季学期不在本校就读。", "This child was not at your school in the spring semester.")))
            : (referral, null);
    }
}
