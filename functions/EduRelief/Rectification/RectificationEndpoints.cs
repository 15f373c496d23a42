using System.Security.Claims;
using System.Text.Json;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rosters;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Rectification;

public sealed record RectificationItemView(
    string Id,
    string CycleId,
    string Source,
    string SourceKey,
    string Title,
    string? Description,
    string Owner,
    string? SchoolCode,
    string? Township,
    string? StudentName,
    string Status,
    int DeadlineWorkingDays,
    DateTimeOffset DueAt,
    bool CalendarMissing,
    bool Overdue,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    int EvidenceCount,
    string? Note,
    string? Outcome,
    string? OutcomeSchoolCode,
    string? OutcomeReason,
    DateTimeOffset? SubmittedAt,
    string? ReturnReason,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReturnedAt,
    DateTimeOffset? RemindedAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? ReturnRemindedAt)
{
    public static RectificationItemView From(RectificationItem i, DateTimeOffset now, ItemNames? names = null) => new(
        i.Id, i.CycleId, i.Source, i.SourceKey, i.Title, i.Description, i.Owner, i.SchoolCode, i.Township, i.StudentName, i.Status,
        i.DeadlineWorkingDays, i.DueAt, i.CalendarMissing, i.IsOverdue(now), i.CreatedAt, i.CreatedBy, i.EvidenceCount, i.Note, i.Outcome,
        i.OutcomeSchoolCode, i.OutcomeReason, i.SubmittedAt, i.ReturnReason, i.AcceptedAt, i.UpdatedAt,
        i.ReturnedAt, i.RemindedAt, i.EscalatedAt, i.ReturnRemindedAt)
    {
        OutcomeStage = i.OutcomeStage,
        OutcomeGrade = i.OutcomeGrade,
        OutcomeBoarding = i.OutcomeBoarding,
        OwnerName = names?.Owner,
        SchoolName = names?.School,
        OutcomeSchoolName = names?.OutcomeSchool,
        Village = i.Village,
        CaseId = i.CaseId,
    };

    /// <summary>The view with its owner and outcome school named as a person reads them.</summary>
    public static async Task<RectificationItemView> NamedAsync(RectificationItem i, DateTimeOffset now, Eligibility.SchoolNameCache schools, CancellationToken cancellationToken) =>
        From(i, now, await ItemNames.OfAsync(i, schools, cancellationToken));

    /// <summary>The owner as a person reads it: the school's name (学校标识码为 … 的学校 while unknown) or the section.</summary>
    public string? OwnerName { get; init; }

    /// <summary>The item's school, by name.</summary>
    public string? SchoolName { get; init; }

    /// <summary>For a 控辍保学 child: the household's village.</summary>
    public string? Village { get; init; }

    /// <summary>For a 控辍保学 item: the child's case, which drives the item (it closes with the case).</summary>
    public string? CaseId { get; init; }

    /// <summary>The school an outcome names (enrolled at), by name.</summary>
    public string? OutcomeSchoolName { get; init; }

    public string? OutcomeStage { get; init; }

    public int? OutcomeGrade { get; init; }

    public bool? OutcomeBoarding { get; init; }
}

public sealed record RectificationItemDetail(RectificationItemView Item, IReadOnlyList<RectificationChange> History, IReadOnlyList<EvidenceFile> Evidence)
{
    /// <summary>For a 控辍保学 item: who answers for the child (七长制), from the county's contacts; null for other items.</summary>
    public Counties.ResponsibilityChain? Chain { get; init; }
}

public sealed record ReturnRequest(string? Reason);

public sealed record AcceptRequest(string? Note);

public sealed record FindingRequest(string? Title, string? Description, string? Owner, string? SchoolCode, string? Township, string? StudentName, int? DeadlineWorkingDays);

public sealed record InspectionRequest(string? InspectionId, string? Team, DateTimeOffset? InspectedAt, List<FindingRequest?>? Findings)
{
    public const int MaxFindings = 200;

    /// <summary>
    /// The trimmed inspection id and team, the time, and an item input for each finding (its text masked) when each is
    /// valid; else the errors naming each field, and each finding's field as <c>findings[i].field</c>.
    /// </summary>
    public (string? InspectionId, string? Team, DateTimeOffset InspectedAt, List<RectificationItemInput> Inputs, Dictionary<string, Text[]> Errors) Validate(
        string cycleId, string actor, DateTimeOffset now)
    {
        var errors = new Dictionary<string, Text[]>();
        var inspectionId = InspectionId?.Trim();
        if (string.IsNullOrEmpty(inspectionId) || inspectionId.Length > 100)
        {
            errors["inspectionId"] = [new Text("须填写 inspectionId（检查编号），1 至 100 个字符；重复提交同一编号不会重复记录。", "An inspectionId of 1 to 100 characters is required; sending the same one again records nothing new.")];
        }

        var team = Team?.Trim();
        if (string.IsNullOrEmpty(team) || team.Length > 100)
        {
            errors["team"] = [new Text("须填写检查组，1 至 100 个字符。", "A team of 1 to 100 characters is required.")];
        }

        if (InspectedAt is not { } inspectedAt)
        {
            errors["inspectedAt"] = [new Text("须填写 inspectedAt（检查时间）。", "inspectedAt is required.")];
            inspectedAt = default;
        }
        else if (inspectedAt > now.AddMinutes(5))
        {
            errors["inspectedAt"] = [new Text("inspectedAt（检查时间）晚于当前时间。", "inspectedAt is in the future.")];
        }

        var inputs = new List<RectificationItemInput>();
        if (Findings is not { Count: > 0 and <= MaxFindings } findings)
        {
            errors["findings"] = [new Text($"须有 1 至 {MaxFindings} 条检查发现。", $"1 to {MaxFindings} findings are required.")];
        }
        else
        {
            for (var i = 0; i < findings.Count; i++)
            {
                if (findings[i] is not { } f)
                {
                    errors[$"findings[{i}]"] = [new Text("每条检查发现须为一个 JSON 对象。", "A finding is an object.")];
                    continue;
                }

                // A finding's text goes to the school, the board and the 整改台账: ID and phone numbers in it are masked.
                var input = new RectificationItemInput(
                    cycleId, RectificationSources.Inspection, $"{inspectionId}/{i + 1}", SensitiveText.Mask(f.Title ?? ""), SensitiveText.Mask(f.Description), f.Owner ?? "", f.SchoolCode, f.Township, f.StudentName,
                    f.DeadlineWorkingDays, actor);
                foreach (var (field, messages) in input.Validate($"findings[{i}]."))
                {
                    errors[field] = messages;
                }

                inputs.Add(input);
            }
        }

        return (inspectionId, team, inspectedAt, inputs, errors);
    }
}

/// <summary>The answer to an evidence upload: the file as stored (null only if it vanished since) and the item with it.</summary>
public sealed record EvidenceAdded(EvidenceFile? Evidence, RectificationItemView Item);

public sealed record InspectionView(string InspectionId, string CycleId, string Team, DateTimeOffset InspectedAt, IReadOnlyList<RectificationItemView> Items);

/// <summary>
/// Rectification items of a cycle (整改), their evidence and decisions, the 整改台账, and inspections. A school officer
/// sees and acts on the items owned by their school only (others answer 404); bureau_admin sees and acts on all (it
/// acts for the bureau's sections) and alone accepts or returns; an inspector reads all and records inspections.
/// </summary>
public static class RectificationEndpoints
{

    /// <summary>Items, their evidence and inspections; the findings opened when a cycle ends; children owed after an accepted item.</summary>
    public static IServiceCollection AddRectification(this IServiceCollection services) => services
        .AddSingleton<RectificationStore>()
        .AddSingleton<LateEntitlements>()
        .AddSingleton<Workflow.IActivity, CycleFindingsActivity>()
        .AddSingleton<ICycleFigures, RectificationCycleFigures>()
        .AddSingleton<Reminders.IReminderSource, RectificationReminderSource>();

    public static void MapRectification(this IEndpointRouteBuilder app)
    {
        var cycle = app.MapCycleGroup();
        var group = cycle.MapGroup("/rectification");

        // Outside the cycle group: a school officer asking for another owner is refused (403) before the cycle is looked for.
        app.MapGet($"{CycleRoutes.Prefix}/rectification", ListAsync).RequireAuthorization(Policies.Staff);

        // A school officer's summary counts their school's items, the ones their list shows.
        group.MapGet("/summary", SummaryAsync).RequireAuthorization(Policies.Staff);
        cycle.MapGet("/rectification.xlsx", WorkbookAsync).WithNoStore().RequireAuthorization(Policies.Inspection);
        group.MapGet("/{itemId}", GetAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{itemId}/evidence", UploadEvidenceAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/{itemId}/evidence/{sha256}", EvidenceAsync).WithNoStore().RequireAuthorization(Policies.Staff);
        group.MapPost("/{itemId}/submit", SubmitAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{itemId}/accept", AcceptAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/{itemId}/return", ReturnAsync).RequireAuthorization(Policies.Admin);
        cycle.MapPost("/inspections", RecordInspectionAsync).RequireAuthorization(Policies.Inspection);
    }

    private static async Task<Ok<RectificationSummary>> SummaryAsync(string id, ClaimsPrincipal user, RectificationStore store, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await store.SummarizeAsync(id, clock.GetUtcNow(), ct, OwnSchool(user)));

    private static async Task<EmptyHttpResult> WorkbookAsync(string id, HttpContext http, RectificationStore store, TimeProvider clock, Eligibility.SchoolNames names, CancellationToken ct)
    {
        http.Response.ContentType = EvidenceFormats.Xlsx;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-rectification.xlsx\"";
        await RectificationWorkbook.WriteAsync(http.Response.Body, store.AllAsync(id, ct), names.InCycle(id), clock.GetUtcNow(), ct);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<RectificationItemDetail>, ProblemHttpResult>> GetAsync(
        string id, string itemId, HttpContext http, ClaimsPrincipal user, RectificationStore store, TimeProvider clock, Eligibility.SchoolNames names, Counties.CountyContactsStore contacts, CancellationToken ct)
    {
        var (stored, refusal) = await LoadAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var history = await store.HistoryAsync(id, itemId, ct);
        var evidence = await store.EvidenceAsync(id, itemId, ct);
        var item = stored!.Item;
        var view = await RectificationItemView.NamedAsync(item, clock.GetUtcNow(), names.InCycle(id), ct);
        return TypedResults.Ok(new RectificationItemDetail(view, history, evidence)
        {
            Chain = item.IsDropout
                ? Counties.ResponsibilityChain.For(
                    await contacts.GetAsync(http.Cycle().CountyCode, ct), item.Township, item.Village, item.OutcomeSchoolCode ?? item.SchoolCode, view.OutcomeSchoolName ?? view.SchoolName)
                : null,
        });
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> EvidenceAsync(
        string id, string itemId, string sha256, HttpContext http, ClaimsPrincipal user, RectificationStore store, CancellationToken ct)
    {
        var (_, refusal) = await LoadAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var file = sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower) ? await store.FindEvidenceAsync(id, itemId, sha256, ct) : null;
        if (file is null)
        {
            return Problems.NotFound(new Text($"整改项 {itemId} 的佐证材料 {sha256}", $"Evidence {sha256} of item {itemId}"));
        }

        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = file.FileName ?? sha256 }.ToString();
        return TypedResults.Stream(await store.OpenEvidenceAsync(sha256, ct), file.ContentType);
    }

    private static async Task<Results<Ok<RectificationItemView>, ProblemHttpResult>> SubmitAsync(
        string id, string itemId, HttpRequest http, ClaimsPrincipal user, RectificationStore store, TimeProvider clock, IOptions<JsonOptions> json, Eligibility.SchoolNames names, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<SubmitRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        // Free text lands in the item, its history and the 整改台账 handed to inspectors: ID and phone numbers masked.
        body = body! with { Note = SensitiveText.Mask(body.Note), Reason = SensitiveText.Mask(body.Reason) };

        var (stored, refusal) = await LoadForOwnerAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (DrivenByCase(stored!.Item) is { } byCase)
        {
            return byCase;
        }

        var now = clock.GetUtcNow();
        var result = await store.ChangeAsync(stored!, user.Actor(), s => RectificationLifecycle.Submit(s, body!), i => i with
        {
            Note = body!.Note?.Trim(),
            Outcome = i.IsDropout || i.IsMismatch ? body.Outcome : null,
            OutcomeSchoolCode = i.IsDropout && body.Outcome == DropoutOutcomes.Enrolled ? body.SchoolCode : null,
            OutcomeReason = i.IsDropout && body.Outcome == DropoutOutcomes.Exempt ? body.Reason?.Trim() : null,
            OutcomeStage = i.IsDropout && body.Outcome == DropoutOutcomes.Enrolled ? body.Stage : null,
            OutcomeGrade = i.IsDropout && body.Outcome == DropoutOutcomes.Enrolled ? body.Grade : null,
            OutcomeBoarding = i.IsDropout && body.Outcome == DropoutOutcomes.Enrolled ? body.Boarding ?? false : null,
            SubmittedAt = now,
        }, ct);
        return await AnswerAsync(result, now, names.InCycle(id), ct);
    }

    private static async Task<Results<Ok<RectificationItemView>, ProblemHttpResult>> AcceptAsync(
        string id, string itemId, HttpRequest http, ClaimsPrincipal user, RectificationStore store, CycleSignals signals, LateEntitlements late, TimeProvider clock,
        IOptions<JsonOptions> json, Eligibility.SchoolNames names, CancellationToken ct)
    {
        AcceptRequest? body = null;
        if (http.ContentLength is > 0 || (http.ContentLength is null && http.HasJsonContentType()))
        {
            (body, var problem) = await JsonBody.ReadAsync<AcceptRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            body = body! with { Note = SensitiveText.Mask(body.Note) };
        }

        var (stored, refusal) = await LoadAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (DrivenByCase(stored!.Item) is { } byCase)
        {
            return byCase;
        }

        var now = clock.GetUtcNow();
        var result = await store.ChangeAsync(stored!, user.Actor(), s => RectificationLifecycle.Accept(s, body?.Note), i => i with { AcceptedAt = now }, ct);
        if (result.Outcome is ChangeOutcome.Applied or ChangeOutcome.Duplicate)
        {
            // A child found enrolled or a corrected name is owed from now on (a repeat finishes a half-done accept);
            // owed first, so that the last accepted item never closes a cycle that still has to pay them.
            await late.AfterAcceptAsync(result.Item, ct);

            // The last accepted item of a settled cycle closes it (the cycle's settling step).
            await signals.CloseRequestedAsync(id, $"accepted|{result.Item.Id}", $"rectification item {result.Item.Id} accepted", user.Actor(), ct);
        }

        return await AnswerAsync(result, now, names.InCycle(id), ct);
    }

    private static async Task<Results<Ok<RectificationItemView>, ProblemHttpResult>> ReturnAsync(
        string id, string itemId, HttpRequest http, ClaimsPrincipal user, RectificationStore store, TimeProvider clock, IOptions<JsonOptions> json, Eligibility.SchoolNames names, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReturnRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        body = body! with { Reason = SensitiveText.Mask(body.Reason) };

        var (stored, refusal) = await LoadAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (DrivenByCase(stored!.Item) is { } byCase)
        {
            return byCase;
        }

        var now = clock.GetUtcNow();
        var result = await store.ChangeAsync(stored!, user.Actor(), s => RectificationLifecycle.Return(s, body!.Reason), i => i with { ReturnReason = body!.Reason?.Trim(), ReturnedAt = now }, ct);
        return await AnswerAsync(result, now, names.InCycle(id), ct);
    }

    private static async Task<Results<Ok<Storage.Page<RectificationItemView>>, ProblemHttpResult>> ListAsync(
        string id, string? status, string? source, string? owner, string? overdue, string? continuationToken, int? pageSize,
        ClaimsPrincipal user, CycleService cycles, RectificationStore store, TimeProvider clock, Eligibility.SchoolNames names, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var errors = new Dictionary<string, Text[]>();
        if (status is not null && !RectificationStatuses.All.Contains(status))
        {
            errors["status"] = [new Text($"status 须为以下之一：{string.Join("、", RectificationStatuses.All.Select(s => $"{s}（{RectificationStatuses.Label(s)}）"))}。", $"status is one of {string.Join(", ", RectificationStatuses.All)}.")];
        }

        if (source is not null && !RectificationSources.All.Contains(source))
        {
            errors["source"] = [new Text($"source 须为以下之一：{string.Join("、", RectificationSources.All.Select(s => $"{s}（{RectificationSources.Label(s)}）"))}。", $"source is one of {string.Join(", ", RectificationSources.All)}.")];
        }

        if (owner is not null && !Assignees.TryParse(owner, out _, out _))
        {
            errors["owner"] = [RectificationItemInput.OwnerFormat];
        }

        if (overdue is not (null or "true" or "false"))
        {
            errors["overdue"] = [new Text("overdue 为 true 或 false。", "overdue is true or false.")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (user.IsInRole(Roles.SchoolOfficer))
        {
            var own = Assignees.ForSchool(user.SchoolCode() ?? "");
            if (owner is not null && owner != own)
            {
                var other = Assignees.TryParse(owner, out var kind, out var key) && kind == Assignees.School ? key : owner;
                return Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, other, ct)));
            }

            owner = own;
        }

        if (await cycles.FindAsync(id, ct) is null)
        {
            return Problems.NotFound(Messages.Cycle(id));
        }

        var now = clock.GetUtcNow();
        var page = await store.ListAsync(id, new RectificationFilter(status, source, owner, overdue == "true"), now, continuationToken, size, ct);
        var schools = names.InCycle(id);
        var items = new List<RectificationItemView>(page.Items.Count);
        foreach (var item in page.Items)
        {
            items.Add(await RectificationItemView.NamedAsync(item, now, schools, ct));
        }

        return TypedResults.Ok(new Storage.Page<RectificationItemView>(items, page.ContinuationToken));
    }

    private static async Task<Results<Created<EvidenceAdded>, Ok<EvidenceAdded>, ProblemHttpResult>> UploadEvidenceAsync(
        string id, string itemId, string? fileName, HttpRequest http, ClaimsPrincipal user, RectificationStore store, TimeProvider clock, Eligibility.SchoolNames names, CancellationToken ct)
    {
        var (stored, refusal) = await LoadForOwnerAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (DrivenByCase(stored!.Item) is { } byCase)
        {
            return byCase;
        }

        if (!RectificationStatuses.AwaitsOwner(stored!.Item.Status))
        {
            return Problems.Conflict(new Text($"只有在整改项待整改或被退回时才能添加佐证材料；当前为 {stored.Item.Status}。", $"Evidence is added while the item is open or returned; it is {stored.Item.Status}."));
        }

        var (file, problem) = await EvidenceUploads.ReceiveAsync(http, fileName, user.Actor(), store, clock, ct);
        if (problem is not null)
        {
            return problem;
        }

        var result = await store.AddEvidenceAsync(stored, file!, ct);
        var now = clock.GetUtcNow();
        var schools = names.InCycle(id);
        return result.Outcome switch
        {
            ChangeOutcome.Applied => TypedResults.Created($"/api/cycles/{id}/rectification/{itemId}/evidence/{file!.Sha256}", new EvidenceAdded(file, await RectificationItemView.NamedAsync(result.Item, now, schools, ct))),
            ChangeOutcome.Duplicate => TypedResults.Ok(new EvidenceAdded(await store.FindEvidenceAsync(id, itemId, file!.Sha256, ct), await RectificationItemView.NamedAsync(result.Item, now, schools, ct))),
            _ => Refused(result),
        };
    }

    private static async Task<Results<Created<InspectionView>, Ok<InspectionView>, ProblemHttpResult>> RecordInspectionAsync(
        string id, HttpRequest http, ClaimsPrincipal user, CycleGate gate, RectificationStore store, TimeProvider clock, IOptions<JsonOptions> json, Eligibility.SchoolNames names, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<InspectionRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (inspectionId, team, inspectedAt, inputs, errors) = body!.Validate(id, user.Actor(), clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (await gate.RefuseIfEndedAsync(id, ct) is { } ended)
        {
            return ended.Problem("inspections");
        }

        var requestHash = RectificationStore.Hash(JsonSerializer.Serialize(body with { InspectionId = inspectionId, Team = team, InspectedAt = inspectedAt.ToUniversalTime() }));
        var (created, conflict) = await store.RecordInspectionAsync(id, inspectionId!, requestHash, team!, inspectedAt, inputs.Count, user.Actor(), ct);
        if (conflict)
        {
            return Problems.Conflict(new Text($"检查 {inspectionId} 此前已以不同内容记录。", $"Inspection {inspectionId} was recorded before with other content."), new Dictionary<string, string[]> { ["inspectionId"] = ["already recorded"] });
        }

        // Opened one by one so the items number in the order of the findings; a repeat (or a retry after a crash) finds
        // the items already opened and opens any missing.
        var items = new List<RectificationItemView>();
        var opened = new List<string>();
        var now = clock.GetUtcNow();
        var schools = names.InCycle(id);
        foreach (var input in inputs)
        {
            var item = await store.OpenAsync(input, ct);
            items.Add(await RectificationItemView.NamedAsync(item.Item, now, schools, ct));
            if (item.Created)
            {
                opened.Add(item.Item.Id);
            }
        }

        // Written first, then the cycle read (CycleGate): a close that committed meanwhile never saw these items.
        if (await gate.ConfirmAsync(id, user.Actor(), ct) is { } closed)
        {
            await store.WithdrawAsync(id, opened, created ? inspectionId : null, ct);
            return closed.Problem("inspections");
        }

        var view = new InspectionView(inspectionId!, id, team!, inspectedAt, items);
        return created ? TypedResults.Created($"/api/cycles/{id}/rectification?source=inspection", view) : TypedResults.Ok(view);
    }

    /// <summary>The changed item as GET shows it, its owner and schools named; or why it was not changed.</summary>
    private static async Task<Results<Ok<RectificationItemView>, ProblemHttpResult>> AnswerAsync(ChangeResult result, DateTimeOffset now, Eligibility.SchoolNameCache schools, CancellationToken ct) =>
        result.Outcome is ChangeOutcome.Applied or ChangeOutcome.Duplicate ? TypedResults.Ok(await RectificationItemView.NamedAsync(result.Item, now, schools, ct)) : Refused(result);

    /// <summary>A change not made: refused by the item's lifecycle (400 or 409), or made by someone else meanwhile (409).</summary>
    private static ProblemHttpResult Refused(ChangeResult result) => result.Outcome switch
    {
        ChangeOutcome.Refused when result.Refusal!.Kind == RefusalKind.Invalid => Problems.Invalid(new Dictionary<string, Text[]>(result.Refusal.Errors)),
        ChangeOutcome.Refused => Problems.Conflict(result.Refusal!.Detail, new Dictionary<string, Text[]>(result.Refusal.Errors)),
        _ => Problems.Conflict(new Text($"整改项 {result.Item.Id} 刚刚已被他人修改；请刷新。", $"Item {result.Item.Id} was changed by someone else just now; reload it."), new Dictionary<string, string[]> { ["item"] = [$"{result.Item.Id} changed meanwhile (now {result.Item.Status})"] }),
    };

    /// <summary>The item if the caller may see it: bureau and inspectors every item, a school officer their school's (others are 404).</summary>
    private static async Task<(StoredItem? Item, ProblemHttpResult? Refusal)> LoadAsync(
        string id, string itemId, ClaimsPrincipal user, RectificationStore store, CancellationToken ct)
    {
        var stored = await store.FindAsync(id, itemId, ct);
        return stored is null || !(user.IsInRole(Roles.BureauAdmin) || user.IsInRole(Roles.Inspector) || IsOwner(user, stored.Item))
            ? (null, Problems.NotFound(new Text($"资助周期 {id} 的整改项 {itemId}", $"Rectification item {itemId} of cycle {id}")))
            : (stored, null);
    }

    /// <summary>The item if the caller acts for its owner: the officer of its school, or the bureau.</summary>
    private static async Task<(StoredItem? Item, ProblemHttpResult? Refusal)> LoadForOwnerAsync(
        string id, string itemId, ClaimsPrincipal user, RectificationStore store, CancellationToken ct)
    {
        var (stored, refusal) = await LoadAsync(id, itemId, user, store, ct);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        return user.IsInRole(Roles.BureauAdmin) || IsOwner(user, stored!.Item)
            ? (stored, null)
            : (null, Problems.Forbidden(new Text($"只有 {itemId} 的负责方（{stored.Item.Owner}）或教育局可以办理。", $"Only the owner of {itemId} ({stored.Item.Owner}) or the bureau acts on it.")));
    }

    /// <summary>
    /// A 控辍保学 item linked to the child's case takes no submission, evidence or decision of its own: 409 pointing to the
    /// case, where notes, evidence and the outcome are recorded; the item closes with the case.
    /// </summary>
    private static ProblemHttpResult? DrivenByCase(RectificationItem item)
    {
        if (item.CaseId is not { } caseId)
        {
            return null;
        }

        var county = Cycles.CycleIds.CountyOf(item.CycleId);
        var where = new Text(
            $"请在控辍保学案件中记录每周进展、佐证材料和处理结果：/api/counties/{county}/dropout-cases/{caseId}。",
            $"Record weekly notes, evidence and the outcome on the case: /api/counties/{county}/dropout-cases/{caseId}.");
        return Problems.Conflict(
            new Text($"该控辍保学事项随学生的控辍保学案件办理，案件结案后自动按案件结果销号，不能单独提交或验收。{where.Zh}", $"This 控辍保学 item follows the child's case and closes with the case's outcome; it is not submitted or decided on its own. {where.En}"),
            new Dictionary<string, Text[]> { ["caseId"] = [where] });
    }

    private static bool IsOwner(ClaimsPrincipal user, RectificationItem item) =>
        user.IsInRole(Roles.SchoolOfficer) && user.SchoolCode() is { } school && item.Owner == Assignees.ForSchool(school);

    /// <summary>A school officer's own school as an owner (<c>school:{code}</c>); null for the bureau and inspectors, who see every owner.</summary>
    internal static string? OwnSchool(ClaimsPrincipal user) =>
        user.IsInRole(Roles.SchoolOfficer) ? Assignees.ForSchool(user.SchoolCode() ?? "") : null;
}
