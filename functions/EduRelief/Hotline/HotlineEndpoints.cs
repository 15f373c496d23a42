using System.Security.Claims;
using System.Text.Json;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EduRelief.Hotline;

/// <summary>Whom a case is about; <paramref name="SchoolName"/> names the school as the county's verified roster does.</summary>
public sealed record HotlineSubjectView(string? CycleId, string? SchoolCode, string? StudentName, string? SchoolName = null);

/// <summary>The payment hold an objection places: <c>onNotice</c> false when the named person is not on the approved list.</summary>
public sealed record HoldView(string Status, bool OnNotice, DateTimeOffset? DecidedAt);

public sealed record ObjectionView(string Decision, string? Reason, string? DecidedBy, DateTimeOffset? DecidedAt);

/// <summary>
/// A case as answers show it: the caller's phone masked; a tip-off's caller (name and phone) shown to the bureau only,
/// null to a school officer or an inspector, so the school a tip-off names never learns who made it.
/// </summary>
public sealed record HotlineCaseView(
    string Id,
    string CaseNumber,
    string ExternalId,
    string CountyCode,
    string Category,
    string Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? Deadline,
    string DeadlineRule,
    bool CalendarMissing,
    bool Overdue,
    string? CallerName,
    string? CallerPhone,
    string Content,
    HotlineSubjectView? Subject,
    string? Assignee,
    CaseExtension? Extension,
    ObjectionView? Objection,
    string? Reply,
    DateTimeOffset? RepliedAt,
    string? Satisfaction,
    bool Reopened,
    DateTimeOffset? ClosedAt,
    DateTimeOffset? RemindedAt,
    DateTimeOffset? EscalatedAt,
    IReadOnlyList<CaseHistoryEntry>? History = null,
    HoldView? Hold = null,
    CaseCountdown? Countdown = null,
    string? NoHoldReason = null)
{
    /// <summary>With <paramref name="calendars"/>, the view says where an open case stands against its deadline (<see cref="CaseCountdown"/>).</summary>
    /// <param name="viewer">Who reads it; null for the hotline system itself (the webhook's answer).</param>
    public static HotlineCaseView From(HotlineCase c, DateTimeOffset now, ClaimsPrincipal? viewer, IReadOnlyList<CaseHistoryEntry>? history = null, ObjectionHold? hold = null, Func<int, Calendar.YearCalendar?>? calendars = null)
    {
        var showCaller = ShowsCaller(c, viewer);
        return new(
        c.CaseNumber, c.CaseNumber, c.ExternalId, c.CountyCode, c.Category, c.Status, c.ReceivedAt, c.RegisteredAt,
        c.Deadline, c.DeadlineRule, c.DeadlineCalendarMissing, c.IsOverdue(now), showCaller ? c.CallerName : null, showCaller ? PhoneNumbers.Mask(c.CallerPhone) : null, c.Content,
        c.Subject is null ? null : new HotlineSubjectView(c.Subject.CycleId, c.Subject.SchoolCode, c.Subject.StudentName),
        c.Assignee, c.Extension,
        c.ObjectionDecision is null ? null : new ObjectionView(c.ObjectionDecision, c.ObjectionReason, c.ObjectionDecidedBy, c.ObjectionDecidedAt),
        c.Reply, c.RepliedAt, c.Satisfaction, c.Reopened > 0, c.ClosedAt, c.RemindedAt, c.EscalatedAt, history,
        hold is null ? null : new HoldView(hold.Status, hold.OnNotice, hold.DecidedAt),
        calendars is null ? null : CaseCountdown.Of(c, now, calendars));
    }

    /// <summary>The assignee as people read it: a school by its name, a section by its own.</summary>
    public string? AssigneeName { get; init; }

    /// <summary>The view with its subject's school and its assignee named as people read them: school names, not codes.</summary>
    public async Task<HotlineCaseView> NamedAsync(Eligibility.SchoolNameCache schools, CancellationToken cancellationToken) => this with
    {
        Subject = Subject is { SchoolCode: { } school } ? Subject with { SchoolName = await schools.FindAsync(school, cancellationToken) } : Subject,
        AssigneeName = Assignee is null ? null : await schools.AssigneeAsync(Assignee, cancellationToken),
    };

    /// <summary>A tip-off's caller is the bureau's to know; every other case shows its caller to whoever may read it.</summary>
    public static bool ShowsCaller(HotlineCase c, ClaimsPrincipal? viewer) =>
        c.Category != HotlineCategories.TipOff || viewer is null || viewer.IsInRole(Roles.BureauAdmin);
}

public static class HotlineEndpoints
{
    /// <summary>A case is a few kilobytes; anything near this is not a case.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public static IServiceCollection AddHotline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HotlineOptions>()
            .Configure(o => o.Secret = configuration[HotlineOptions.SecretKey])
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HotlineOptions>, HotlineOptionsValidator>();
        services.TryAddSingleton<ICaseDeadlines, CalendarCaseDeadlines>();
        services.AddSingleton<HotlineStore>();
        services.AddSingleton<ObjectionHoldStore>();
        services.AddSingleton<ObjectionSubjects>();
        services.AddSingleton<CaseActions>();
        services.AddSingleton<ICycleFigures, HotlineCycleFigures>();
        services.AddSingleton<Reminders.IReminderSource, HotlineReminderSource>();
        return services;
    }

    public static void MapHotline(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/hotline/cases");

        // The hotline system authenticates by signature, not by API key.
        group.MapPost("", ReceiveAsync).AllowAnonymous();
        group.MapGet("", ListAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/{caseNumber}", GetAsync).RequireAuthorization(Policies.Staff);
        group.MapCaseLifecycle();
    }

    /// <summary>A case the hotline system sends, signed: 201 when new, 200 with the same case when sent again.</summary>
    private static async Task<Results<Created<HotlineCaseView>, Ok<HotlineCaseView>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest http,
        IOptions<HotlineOptions> options,
        TimeProvider clock,
        CountyCatalog counties,
        HotlineStore store,
        ObjectionHoldStore holds,
        ObjectionSubjects subjects,
        CycleGate gate,
        Calendar.WorkingCalendar calendar,
        Mail.CalendarWarnings warnings,
        IOptions<JsonOptions> json,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var log = loggers.CreateLogger("EduRelief.Hotline");
        var body = await ReadLimitedAsync(http, ct);
        if (body is null)
        {
            return Problems.Create(
                StatusCodes.Status413PayloadTooLarge, new Text($"一件热线工单最大 {MaxBodyBytes / 1024} KiB。", $"A hotline case is at most {MaxBodyBytes / 1024} KiB."));
        }

        var now = clock.GetUtcNow();
        var signature = http.Headers[HotlineSignature.SignatureHeader].ToString();
        var check = HotlineSignature.Verify(options.Value.Secret, http.Headers[HotlineSignature.TimestampHeader].ToString(), signature, body, now);
        if (check != SignatureCheck.Valid)
        {
            log.LogWarning("Hotline webhook refused: {Check}", check);
            return Unauthorized(check switch
            {
                SignatureCheck.Missing => new Text($"请求须带 {HotlineSignature.TimestampHeader} 和 {HotlineSignature.SignatureHeader} 两个请求头。", $"Send {HotlineSignature.TimestampHeader} and {HotlineSignature.SignatureHeader}."),
                SignatureCheck.OutsideWindow => new Text("时间戳与服务器时间相差超过 5 分钟。", "The timestamp is more than 5 minutes from the server's clock."),
                _ => new Text("签名不符。", "The signature does not match."),
            });
        }

        var signedAt = long.Parse(http.Headers[HotlineSignature.TimestampHeader].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var bodyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        if (!await store.TryRecordSignatureAsync(signature, signedAt, now, ct))
        {
            // The hotline retrying a delivery whose answer it lost gets that answer again; anything else is a replay.
            if (await store.AnsweredCaseAsync(signature, signedAt, bodyHash, ct) is { } answered && await store.GetAsync(answered, ct) is { } again)
            {
                return TypedResults.Ok(await CaseViewAsync(again, now, viewer: null, holds, calendar, ct));
            }

            log.LogWarning("Hotline webhook refused: replayed signature");
            return Unauthorized(new Text("这一签名请求此前已送达过，不再受理。", "This signed request was delivered before."));
        }

        HotlineCaseRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<HotlineCaseRequest>(body, json.Value.SerializerOptions);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return Problems.Invalid(field, Messages.NotValidJson);
        }

        if (request is null)
        {
            return Problems.Invalid("body", new Text("需要一个 JSON 对象。", "A JSON object is required."));
        }

        var (input, errors) = HotlineIntake.Validate(request, counties, now);
        if (input is null)
        {
            return Problems.Invalid(errors);
        }

        bool created;
        HotlineCase @case;
        GateRefusal? refusal = null;
        try
        {
            // A closed or cancelled cycle takes no new objection: the case is still recorded (a call was made), without a hold.
            refusal = input.Subject?.CycleId is { } named ? await gate.RefuseIfEndedAsync(named, ct) : null;
            (created, @case) = await store.RegisterAsync(input, now, ct);
            if (@case.Subject?.CycleId is { } cycleId && refusal is null)
            {
                if (@case.Category == HotlineCategories.Objection)
                {
                    await holds.EnsureAsync(@case, c => subjects.IsOnNoticeAsync(@case.Subject, c), ct);
                }

                // Written first, then the cycle read (CycleGate): a close that committed meanwhile never saw this case.
                refusal = await gate.ConfirmAsync(cycleId, "hotline", ct);
                if (refusal is not null)
                {
                    await holds.ReleaseUndecidedAsync(cycleId, @case.CaseNumber, ct);
                }
            }

            await store.MarkSignatureAnsweredAsync(signature, signedAt, bodyHash, @case.CaseNumber, ct);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException or InvalidOperationException)
        {
            // Nothing was answered: forget the signature so the hotline's retry of this very request is not taken
            // for a replay, and finishes the case and its hold (both are idempotent by externalId).
            await store.ForgetSignatureAsync(signature, signedAt, CancellationToken.None);
            throw;
        }

        var view = await CaseViewAsync(@case, now, viewer: null, holds, calendar, ct) with
        {
            NoHoldReason = refusal is null ? null
                : @case.Category == HotlineCategories.Objection ? $"{refusal.ChineseDetail}本异议已登记为工单，但不暂停任何人的发放。"
                : $"{refusal.ChineseDetail}本工单已登记，按一般工单办理。",
        };
        if (!created)
        {
            return TypedResults.Ok(view);
        }

        if (@case is { DeadlineCalendarMissing: true, Deadline: { } due })
        {
            await warnings.WarnAsync(@case.CountyCode, due, ct);
        }

        log.LogInformation("Hotline case {CaseNumber} registered: {Category}", @case.CaseNumber, @case.Category);
        return TypedResults.Created($"/api/hotline/cases/{@case.CaseNumber}", view);
    }

    private static async Task<Results<Ok<Storage.Page<HotlineCaseView>>, ProblemHttpResult>> ListAsync(
        string? status, string? category, string? cycleId, bool? overdue, string? continuationToken, int? pageSize, ClaimsPrincipal user, HotlineStore store,
        Calendar.WorkingCalendar calendar, TimeProvider clock, Eligibility.SchoolNames names, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var errors = new Dictionary<string, Text[]>();
        if (status is not null && !HotlineStatuses.All.Contains(status))
        {
            errors["status"] = [new Text($"status 须为以下之一：{HotlineStatuses.ChineseList}。", $"status is one of {string.Join(", ", HotlineStatuses.All)}.")];
        }

        if (category is not null && !HotlineCategories.All.Contains(category))
        {
            errors["category"] = [new Text($"category 须为以下之一：{HotlineCategories.ChineseList}。", $"category is one of {string.Join(", ", HotlineCategories.All)}.")];
        }

        if (cycleId is not null && !HotlineIntake.IsCycleId(cycleId))
        {
            errors["cycleId"] = [HotlineIntake.CycleIdFormat("cycleId")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        // A school officer sees the cases assigned to their school, nothing else.
        var assignee = user.IsInRole(Roles.SchoolOfficer) ? Assignees.ForSchool(user.SchoolCode() ?? "") : null;
        var now = clock.GetUtcNow();
        var filter = new HotlineCaseFilter(status, category, cycleId, assignee, overdue == true ? now : null, user.CountyLimit());
        var page = await store.ListAsync(filter, continuationToken, size, ct);
        var calendars = await CaseCountdown.CalendarsAsync(calendar, now, ct);
        var schools = names.ByCounty();
        var items = new List<HotlineCaseView>(page.Items.Count);
        foreach (var c in page.Items)
        {
            items.Add(await HotlineCaseView.From(c, now, user, calendars: calendars).NamedAsync(schools(c.CountyCode), ct));
        }

        return TypedResults.Ok(new Storage.Page<HotlineCaseView>(items, page.ContinuationToken));
    }

    private static async Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> GetAsync(
        string caseNumber, ClaimsPrincipal user, HotlineStore store, ObjectionHoldStore holds, Calendar.WorkingCalendar calendar, TimeProvider clock,
        Eligibility.SchoolNames names, CancellationToken ct)
    {
        if (await VisibleCaseAsync(caseNumber, user, store, ct) is not { } found)
        {
            return Problems.NotFound(new Text($"热线工单 {caseNumber}", $"Hotline case {caseNumber}"));
        }

        var view = await CaseViewAsync(found.Case, clock.GetUtcNow(), user, holds, calendar, ct, await store.HistoryAsync(found.Number, ct));
        return TypedResults.Ok(await view.NamedAsync(names.InCounty(found.Case.CountyCode), ct));
    }

    /// <summary>The case as <c>GET /api/hotline/cases/{caseNumber}</c> shows it: with its hold (an objection) and countdown.</summary>
    internal static async Task<HotlineCaseView> CaseViewAsync(
        HotlineCase c, DateTimeOffset now, ClaimsPrincipal? viewer, ObjectionHoldStore holds, Calendar.WorkingCalendar calendar, CancellationToken ct, IReadOnlyList<CaseHistoryEntry>? history = null)
    {
        var hold = c.Subject?.CycleId is { } cycleId && c.Category == HotlineCategories.Objection ? await holds.GetAsync(cycleId, c.CaseNumber, ct) : null;
        return HotlineCaseView.From(c, now, viewer, history, hold, await CaseCountdown.CalendarsAsync(calendar, now, ct));
    }

    /// <summary>The case, when it exists and the user may see it: staff of the bureau see all, a school officer their school's.</summary>
    internal static async Task<(CaseNumber Number, HotlineCase Case)?> VisibleCaseAsync(string caseNumber, ClaimsPrincipal user, HotlineStore store, CancellationToken ct)
    {
        if (!CaseNumber.TryParse(caseNumber, out var number) || await store.GetAsync(number, ct) is not { } found)
        {
            return null;
        }

        return !user.IsInRole(Roles.SchoolOfficer) || found.Assignee == Assignees.ForSchool(user.SchoolCode() ?? "") ? (number, found) : null;
    }

    private static ProblemHttpResult Unauthorized(Text detail) =>
        Problems.Create(StatusCodes.Status401Unauthorized, detail, title: new Text("签名无效", "Unauthorized"));

    /// <summary>The raw body, read once; null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest http, CancellationToken ct)
    {
        if (http.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
