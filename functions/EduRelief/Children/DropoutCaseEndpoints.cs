using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rectification;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Children;

/// <summary>A case as people read it: the child masked, the status in words, the weekly check and the outcome.</summary>
public sealed record DropoutCaseView(
    string Id, string Name, string IdNumber, string? Township, string? Village, string? SchoolCode, string? SchoolName,
    string OpenedBy, string OpenedCycleId, DateTimeOffset OpenedAt, IReadOnlyList<string> Cycles, string Status, string StatusLabel, bool Open,
    bool NotedThisWeek, bool OwesThisWeek, IReadOnlyList<string> WeeksMissing, DropoutOutcome? Outcome, DateTimeOffset? ClosedAt, string? ClosedBy,
    bool AwaitingConfirmation, string? ConfirmedBy, DateTimeOffset? ConfirmedAt)
{
    public static DropoutCaseView From(DropoutCase c, DateTimeOffset now) => new(
        c.Id, c.Name, c.MaskedId, c.Township, c.Village, c.SchoolCode, c.SchoolName, c.OpenedBy, c.OpenedCycleId, c.OpenedAt, c.Cycles,
        c.Status, DropoutCaseRules.Label(c.Status), c.IsOpen,
        c.NotedWeeks.Contains(DropoutWeeks.WeekOf(now)), c.IsOpen && DropoutWeeks.OwesThisWeek(c.OpenedAt, c.NotedWeeks, now),
        [.. DropoutWeeks.Missing(c.OpenedAt, c.ClosedAt, c.NotedWeeks, now).Select(DropoutWeeks.Format)],
        c.Outcome, c.ClosedAt, c.ClosedBy, DropoutCaseRules.AwaitsConfirmation(c.Status, c.ConfirmedBy), c.ConfirmedBy, c.ConfirmedAt);
}

/// <summary>One case with its 七长制 chain, history, weekly notes and evidence.</summary>
public sealed record DropoutCaseDetail(
    DropoutCaseView Case, ResponsibilityChain Chain, IReadOnlyList<DropoutCaseEvent> History, IReadOnlyList<DropoutCaseNote> Notes, IReadOnlyList<EvidenceFile> Evidence);

public sealed record DropoutNoteRequest(string? Note, bool? Persuading);

/// <summary>A case the board lists as missing this week's note.</summary>
public sealed record BoardCase(string Id, string Name, string Status, string StatusLabel, string? SchoolName);

public sealed record BoardVillage(string? Village, string? Head, int NotInSchool, int Persuading, int Closed, IReadOnlyList<BoardCase> MissingThisWeek);

public sealed record BoardTownship(
    string? Township, string? Head, string? CentralSchoolPrincipal, int NotInSchool, int Persuading, int Closed, int MissingThisWeekCount, IReadOnlyList<BoardVillage> Villages);

/// <summary>The 控辍保学 board: by township and village, this week (Monday to Sunday, China time).</summary>
public sealed record DropoutBoard(string CountyCode, DateOnly WeekStart, DateOnly WeekEnd, int NotInSchool, int Persuading, int Closed, IReadOnlyList<BoardTownship> Townships);

/// <summary>控辍保学 cases (DOMAIN "控辍保学 cases"): the county's list and board, one case, its notes, evidence, outcome and confirmation.</summary>
public static class DropoutCaseEndpoints
{
    public static IServiceCollection AddDropoutCases(this IServiceCollection services) => services
        .AddSingleton<DropoutCaseStore>()
        .AddSingleton<DropoutCaseItems>()
        .AddSingleton<IDropoutCaseSource>(sp => sp.GetRequiredService<DropoutCaseStore>())
        .AddSingleton<Reminders.IReminderSource, DropoutCaseReminderSource>();

    public static void MapDropoutCases(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/counties/{countyCode}/dropout-cases");
        cases.MapGet("", ListAsync).RequireAuthorization(Policies.Staff);
        cases.MapGet("/board", BoardAsync).RequireAuthorization(Policies.Staff);
        cases.MapGet("/{caseId}", GetAsync).RequireAuthorization(Policies.Staff);
        cases.MapPost("/{caseId}/notes", NoteAsync).RequireAuthorization(Policies.Staff);
        cases.MapPost("/{caseId}/evidence", UploadEvidenceAsync).RequireAuthorization(Policies.Staff);
        cases.MapGet("/{caseId}/evidence/{sha256}", EvidenceAsync).WithNoStore().RequireAuthorization(Policies.Staff);
        // The bureau records how a case ends: it closes the cycle's 控辍保学 items and may make aid owed (补发).
        cases.MapPost("/{caseId}/outcome", OutcomeAsync).RequireAuthorization(Policies.Admin);
        cases.MapPost("/{caseId}/confirm", ConfirmAsync).RequireAuthorization(Policies.Staff);
    }

    private static async Task<Results<Ok<Page<DropoutCaseView>>, ProblemHttpResult>> ListAsync(
        string countyCode, string? status, string? township, string? village, string? schoolCode, string? continuationToken, int? pageSize,
        ClaimsPrincipal user, CountyCatalog counties, DropoutCaseStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        if (status is not null && !DropoutCaseStatuses.Open.Concat(DropoutCaseStatuses.Outcomes).Contains(status))
        {
            return Problems.Invalid("status", new Text(
                $"status 应为以下之一：{string.Join(", ", DropoutCaseStatuses.Open.Concat(DropoutCaseStatuses.Outcomes))}。", $"status is one of {string.Join(", ", DropoutCaseStatuses.Open.Concat(DropoutCaseStatuses.Outcomes))}."));
        }

        if (schoolCode is not null && !SchoolCode.IsValid(schoolCode))
        {
            return Problems.Invalid("schoolCode", Messages.SchoolCodeFormat);
        }

        // A school officer sees the cases of their own school (the child's last school, or the school they returned to).
        var school = user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "-" : schoolCode;
        if (user.IsInRole(Roles.SchoolOfficer) && schoolCode is not null && schoolCode != school)
        {
            return Problems.Forbidden(new Text("只能查看本校的控辍保学案件。", "You see your own school's cases only."));
        }

        var page = await store.ListAsync(countyCode, new DropoutCaseFilter(status, Blank(township), Blank(village), school), continuationToken, size, ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new Page<DropoutCaseView>([.. page.Items.Select(c => DropoutCaseView.From(c, now))], page.ContinuationToken));
    }

    private static async Task<Results<Ok<DropoutCaseDetail>, ProblemHttpResult>> GetAsync(
        string countyCode, string caseId, ClaimsPrincipal user, DropoutCaseStore store, CountyContactsStore contacts, TimeProvider clock, CancellationToken ct)
    {
        var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct);
        return refusal ?? (Results<Ok<DropoutCaseDetail>, ProblemHttpResult>)TypedResults.Ok(await DetailAsync(c!, store, contacts, clock, ct));
    }

    private static async Task<DropoutCaseDetail> DetailAsync(DropoutCase c, DropoutCaseStore store, CountyContactsStore contacts, TimeProvider clock, CancellationToken ct)
    {
        var county = await contacts.GetAsync(c.CountyCode, ct);
        var chain = ResponsibilityChain.For(county, c.Township, c.Village, c.SchoolCode, c.SchoolName);
        return new DropoutCaseDetail(DropoutCaseView.From(c, clock.GetUtcNow()), chain, c.History, await store.NotesAsync(c.CountyCode, c.Id, ct), c.Evidence);
    }

    private static async Task<Results<Created<DropoutCaseDetail>, ProblemHttpResult>> NoteAsync(
        string countyCode, string caseId, HttpRequest http, ClaimsPrincipal user, DropoutCaseStore store, CountyContactsStore contacts, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<DropoutNoteRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (note, errors) = DropoutCaseRules.ValidateNote(body!.Note);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct, write: true);
            if (refusal is not null)
            {
                return refusal;
            }

            switch (await store.AddNoteAsync(c!, note!, body.Persuading, user.Actor(), ct))
            {
                case DropoutChange.Refused:
                    return Closed(c!);
                case DropoutChange.Conflict:
                    continue;
                default:
                    var saved = await store.GetAsync(countyCode, caseId, ct);
                    return TypedResults.Created($"/api/counties/{countyCode}/dropout-cases/{caseId}", await DetailAsync(saved!, store, contacts, clock, ct));
            }
        }

        return Busy();
    }

    private static async Task<Results<Created<EvidenceFile>, Ok<EvidenceFile>, ProblemHttpResult>> UploadEvidenceAsync(
        string countyCode, string caseId, string? fileName, HttpRequest http, ClaimsPrincipal user, DropoutCaseStore store, RectificationStore files, TimeProvider clock, CancellationToken ct)
    {
        var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct, write: true);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!c!.IsOpen)
        {
            return Closed(c);
        }

        var (file, problem) = await EvidenceUploads.ReceiveAsync(http, fileName, user.Actor(), files, clock, ct);
        if (problem is not null)
        {
            return problem;
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            switch (await store.AddEvidenceAsync(c!, file!, ct))
            {
                case DropoutChange.Applied:
                    return TypedResults.Created($"/api/counties/{countyCode}/dropout-cases/{caseId}/evidence/{file!.Sha256}", file);
                case DropoutChange.Unchanged:
                    return TypedResults.Ok(c!.Evidence.First(e => e.Sha256 == file!.Sha256));
            }

            c = await store.GetAsync(countyCode, caseId, ct);
        }

        return Busy();
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> EvidenceAsync(
        string countyCode, string caseId, string sha256, ClaimsPrincipal user, DropoutCaseStore store, RectificationStore files, CancellationToken ct)
    {
        var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var file = c!.Evidence.FirstOrDefault(e => e.Sha256 == sha256);
        return file is null
            ? Problems.NotFound(new Text($"控辍保学案件 {caseId} 的佐证材料 {sha256}", $"Evidence {sha256} of case {caseId}"))
            : TypedResults.Stream(await files.OpenEvidenceAsync(sha256, ct), file.ContentType);
    }

    private static async Task<Results<Ok<DropoutCaseDetail>, ProblemHttpResult>> OutcomeAsync(
        string countyCode, string caseId, HttpRequest http, ClaimsPrincipal user, DropoutCaseStore store, CountyContactsStore contacts,
        Eligibility.SchoolNames names, DropoutCaseItems items, LateEntitlements late, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<DropoutOutcomeRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct, write: true);
            if (refusal is not null)
            {
                return refusal;
            }

            if (!c!.IsOpen)
            {
                return Closed(c);
            }

            var (outcome, errors) = DropoutCaseRules.Validate(body!, ChinaTime.Today(clock), c.Evidence.Select(e => e.Sha256).ToHashSet(StringComparer.Ordinal));
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            if (outcome!.Outcome == DropoutCaseStatuses.Returned && outcome.SchoolName is null)
            {
                // People read the school's name: the latest verified roster of the county names it.
                outcome = outcome with { SchoolName = await names.FindInCountiesAsync([countyCode], outcome.SchoolCode!, ct) };
            }

            switch (await store.CloseAsync(c, outcome, user.Actor(), confirmedBy: null, ct))
            {
                case DropoutChange.Refused:
                    return Closed(c);
                case DropoutChange.Conflict:
                    continue;
                default:
                    var closed = (await store.GetAsync(countyCode, caseId, ct))!;
                    // A child back at school with the class they joined is owed aid from then on (补发), before the item's cycle may close.
                    await items.CloseAsync(closed, ct, item => late.AfterAcceptAsync(item, ct));
                    return TypedResults.Ok(await DetailAsync(closed, store, contacts, clock, ct));
            }
        }

        return Busy();
    }

    private static async Task<Results<Ok<DropoutCaseDetail>, ProblemHttpResult>> ConfirmAsync(
        string countyCode, string caseId, ClaimsPrincipal user, DropoutCaseStore store, CountyContactsStore contacts, TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (c, refusal) = await LoadAsync(countyCode, caseId, user, store, ct);
            if (refusal is not null)
            {
                return refusal;
            }

            if (c!.Status != DropoutCaseStatuses.Returned)
            {
                return Problems.Conflict(new Text(
                    $"只有“已返校”的案件才能确认返校；该案件当前为“{DropoutCaseRules.Label(c.Status)}”。", $"Only a returned case is confirmed; this one is {c.Status}."), (IDictionary<string, Text[]>?)null);
            }

            // The school the child returned to confirms it, or the bureau; an inspector reads only.
            var school = c.Outcome?.SchoolCode;
            if (!user.IsInRole(Roles.BureauAdmin) && !(user.IsInRole(Roles.SchoolOfficer) && school is not null && user.SchoolCode() == school))
            {
                return Problems.Forbidden(new Text("只有返校学校的资助专干或教育局可以确认返校。", "Only the officer of the school the child returned to, or the bureau, confirms a return."));
            }

            switch (await store.ConfirmAsync(c, user.Actor(), null, ct))
            {
                case DropoutChange.Conflict:
                    continue;
                default:
                    return TypedResults.Ok(await DetailAsync((await store.GetAsync(countyCode, caseId, ct))!, store, contacts, clock, ct));
            }
        }

        return Busy();
    }

    private static async Task<Results<Ok<DropoutBoard>, ProblemHttpResult>> BoardAsync(
        string countyCode, ClaimsPrincipal user, CountyCatalog counties, DropoutCaseStore store, CountyContactsStore contacts, TimeProvider clock, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        var own = user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "-" : null;
        var all = new List<DropoutCase>();
        await foreach (var c in store.AllAsync(countyCode, ct))
        {
            if (own is null || c.ConcernsSchool(own))
            {
                all.Add(c);
            }
        }

        return TypedResults.Ok(DropoutBoards.Build(countyCode, all, await contacts.GetAsync(countyCode, ct), clock.GetUtcNow()));
    }

    /// <summary>The case, or 404 (unknown county or case) or 403 (a school officer, another school's case).</summary>
    private static async Task<(DropoutCase? Case, ProblemHttpResult? Refusal)> LoadAsync(string countyCode, string caseId, ClaimsPrincipal user, DropoutCaseStore store, CancellationToken ct, bool write = false)
    {
        var c = await store.GetAsync(countyCode, caseId, ct);
        if (c is null)
        {
            return (null, Problems.NotFound(new Text($"县 {countyCode} 的控辍保学案件 {caseId}", $"Case {caseId} of county {countyCode}")));
        }

        if (write && !user.IsInRole(Roles.BureauAdmin) && !user.IsInRole(Roles.SchoolOfficer))
        {
            return (null, Problems.Forbidden(new Text("督导检查人员只能查看控辍保学案件。", "Inspectors read cases; they do not change them.")));
        }

        return user.IsInRole(Roles.SchoolOfficer) && !(user.SchoolCode() is { } own && c.ConcernsSchool(own))
            ? (null, Problems.Forbidden(new Text("该案件不是本校学生的案件。", "This case is not one of your school's.")))
            : (c, null);
    }

    private static ProblemHttpResult Closed(DropoutCase c) => Problems.Conflict(
        new Text($"该案件已结案（{DropoutCaseRules.Label(c.Status)}），不能再修改。", $"The case is closed ({c.Status}); it cannot change."), (IDictionary<string, Text[]>?)null);

    private static ProblemHttpResult Busy() => Problems.Conflict(
        new Text("该案件刚被他人修改，请刷新后重试。", "Someone else changed this case just now; reload and try again."), (IDictionary<string, Text[]>?)null);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The board's figures from the county's cases and contacts. Pure.</summary>
public static class DropoutBoards
{
    public static DropoutBoard Build(string countyCode, IReadOnlyList<DropoutCase> cases, CountyContacts? contacts, DateTimeOffset now)
    {
        var week = DropoutWeeks.WeekOf(now);
        int Count(IEnumerable<DropoutCase> c, string status) => c.Count(x => x.Status == status);
        int Closed(IEnumerable<DropoutCase> c) => c.Count(x => !x.IsOpen);
        var townships = cases
            .GroupBy(c => c.Township ?? "")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(t =>
            {
                var place = t.Key.Length == 0 ? null : contacts?.Townships.GetValueOrDefault(t.Key);
                var villages = t.GroupBy(c => c.Village ?? "").OrderBy(g => g.Key, StringComparer.Ordinal).Select(v => new BoardVillage(
                    v.Key.Length == 0 ? null : v.Key,
                    v.Key.Length == 0 ? null : place?.Villages?.GetValueOrDefault(v.Key),
                    Count(v, DropoutCaseStatuses.NotInSchool), Count(v, DropoutCaseStatuses.Persuading), Closed(v),
                    [.. v.Where(c => c.IsOpen && !c.NotedWeeks.Contains(week)).OrderBy(c => c.Name, StringComparer.Ordinal)
                        .Select(c => new BoardCase(c.Id, c.Name, c.Status, DropoutCaseRules.Label(c.Status), c.SchoolName))])).ToList();
                return new BoardTownship(
                    t.Key.Length == 0 ? null : t.Key, place?.Head, place?.CentralSchoolPrincipal,
                    Count(t, DropoutCaseStatuses.NotInSchool), Count(t, DropoutCaseStatuses.Persuading), Closed(t), villages.Sum(v => v.MissingThisWeek.Count), villages);
            })
            .ToList();
        return new DropoutBoard(countyCode, week, week.AddDays(6), Count(cases, DropoutCaseStatuses.NotInSchool), Count(cases, DropoutCaseStatuses.Persuading), Closed(cases), townships);
    }
}
