using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Workflow;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Eligibility;

/// <summary>A review decision on a name or account holder mismatch: <c>POST …/discrepancies/{discrepancyId}/decision</c>.</summary>
public sealed record DecisionRequest(string? Decision, string? Reason)
{
    /// <summary>The trimmed reason when decision and reason are valid; else the errors naming each field.</summary>
    public (string? Reason, Dictionary<string, Text[]> Errors) Validate()
    {
        var errors = new Dictionary<string, Text[]>();
        if (Decision is not ("confirm" or "reject"))
        {
            errors["decision"] = [new Text("decision 为 confirm（确认）或 reject（不予确认）。", "decision is confirm or reject.")];
        }

        var reason = Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 500)
        {
            errors["reason"] = [Messages.ReasonRequired];
        }

        return (reason, errors);
    }
}

/// <summary>The optional body of <c>POST …/approve</c>.</summary>
public sealed record ApproveRequest(string? Reason)
{
    /// <summary>The trimmed reason, the given default when none is given, or the problem naming <c>reason</c>.</summary>
    public (string? Reason, ProblemHttpResult? Problem) Validate(string otherwise) =>
        Reason is { } given && (string.IsNullOrWhiteSpace(given) || given.Trim().Length > 500)
            ? (null, Problems.Invalid("reason", new Text("填写原因时应为 1 至 500 个字符。", "reason is 1 to 500 characters when given.")))
            : (Reason?.Trim() ?? otherwise, null);
}

/// <summary>One discrepancy of the current verification run, as listed and as answered to a decision.</summary>
public sealed record DiscrepancyView(
    string Id, string Kind, string File, string Reason, string ReasonEn, int? StudentRow, int? PovertyRow, string? StudentName, string? PovertyName,
    string? SchoolCode, string? SchoolName, string? IdNumber, string? Column, string? Township, string? Village, int? Age,
    string? Decision, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionReason, string? MaskedAccount)
{
    /// <summary>For <c>outsideCounty</c>: 就读省市, and the 学段 and 年级 there (<see cref="SchoolName"/> is the school).</summary>
    public string? Place { get; init; }

    public string? Stage { get; init; }

    public int? Grade { get; init; }

    /// <summary>For <c>notEnrolled</c>: compulsory education completed by the previous cycle's record, so no 控辍保学 follow-up.</summary>
    public bool CompletedCompulsory { get; init; }

    public static DiscrepancyView From(DiscrepancyRow d) => new(
        d.Id, d.Kind, d.File, d.Reason.Zh, d.Reason.En, d.StudentRow, d.PovertyRow, d.StudentName, d.PovertyName,
        d.SchoolCode, d.SchoolName, d.MaskedId, d.Column, d.Township, d.Village, d.Age,
        d.Decision, d.DecidedBy, d.DecidedAt, d.DecisionReason, d.MaskedAccount)
    {
        Place = d.Place,
        Stage = d.Stage,
        Grade = d.Grade,
        CompletedCompulsory = d.CompletedCompulsory,
    };
}

/// <summary>One ledger (台账) row with its payment: status, batch and time are null before the notice ended.</summary>
public sealed record LedgerEntryView(
    string Id, string SchoolCode, string SchoolName, string Name, string IdNumber, string Stage, int Grade, bool Boarding, string Program, Yuan Amount, string Source,
    string? Status, string? BatchId, DateTimeOffset? PaidAt)
{
    /// <summary>The row with its ID number masked and its amount in yuan to the fen.</summary>
    public static LedgerEntryView From(LedgerRow row, Disbursement.EntitlementState? payment) => new(
        row.Id, row.SchoolCode, row.SchoolName, row.Name, row.IdNumber.Masked, row.Stage, row.Grade, row.Boarding, row.Program,
        row.Amount.ToFenExact(), row.Source, payment?.Status, payment?.BatchId, payment?.PaidAt);
}

/// <summary>Discrepancies, review decisions, approval, and the ledgers (台账) of a cycle's current verification run.</summary>
public static class ReviewEndpoints
{
    /// <summary>Policies, verification and its ledgers, and school names (from the verified rosters).</summary>
    public static IServiceCollection AddEligibility(this IServiceCollection services) => services
        .AddSingleton<PolicyStore>()
        .AddSingleton<EligibilityStore>()
        .AddSingleton<SchoolNames>()
        .AddSingleton<ICycleFigures, VerificationCycleFigures>()
        .AddSingleton<IActivity, VerifyActivity>();

    public static void MapReview(this IEndpointRouteBuilder app)
    {
        var group = app.MapCycleGroup();
        group.MapGet("/discrepancies", ListDiscrepanciesAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/discrepancies/{discrepancyId}/decision", DecideAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/approve", ApproveAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/verification/rerun", RerunAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("/ledger", LedgerAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/ledger.xlsx", LedgerWorkbookAsync).WithNoStore().RequireAuthorization(Policies.Inspection);
    }

    private static async Task<Results<Ok<Page<DiscrepancyView>>, ProblemHttpResult>> ListDiscrepanciesAsync(
        string id, string? kind, string? schoolCode, string? continuationToken, int? pageSize, HttpContext http, ClaimsPrincipal user, EligibilityStore store, SchoolNames names, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        if (kind is not null && !DiscrepancyKinds.Listed.Contains(kind))
        {
            return Problems.Invalid("kind", new Text($"kind 应为以下之一：{string.Join(", ", DiscrepancyKinds.Listed)}。", $"kind is one of {string.Join(", ", DiscrepancyKinds.Listed)}."));
        }

        var (run, school, refusal) = await ListScopeAsync(id, schoolCode, http, user, names, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var page = await store.ListDiscrepanciesAsync(id, run!, kind, school, continuationToken, size, ct);
        return TypedResults.Ok(new Page<DiscrepancyView>([.. page.Items.Select(DiscrepancyView.From)], page.ContinuationToken));
    }

    private static async Task<Results<Ok<Cycle>, ProblemHttpResult>> ApproveAsync(
        string id, HttpRequest http, ClaimsPrincipal user, CycleService cycles, WorkflowEngine engine, WorkingCalendar calendar, CountyContactsStore contacts,
        EduRelief.Mail.CalendarWarnings warnings, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        // An optional {"reason"}: what the approval is sent with is recorded in the cycle's history.
        var reason = "approved for public notice";
        if (http.ContentLength > 0 || http.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync<ApproveRequest>(http, json.Value.SerializerOptions);
            var (given, invalid) = body?.Validate(reason) ?? default;
            if ((problem ?? invalid) is { } refused)
            {
                return refused;
            }

            reason = given!;
        }

        var cycle = http.HttpContext.Cycle();

        // A notice without a way to object is not a notice: it prints the county's hotline and address.
        // (Checked once nothing is pending review, so that the engine's refusal names what to do first.)
        if (cycle.Stage == Stages.Review && cycle.State.Verification?.PendingReview is null or 0 && await contacts.GetAsync(cycle.CountyCode, ct) is null)
        {
            return Problems.Conflict(
                new Text(
                    $"县 {cycle.CountyCode} 尚未登记联系方式：批准前请通过 PUT /api/counties/{cycle.CountyCode}/contacts 登记监督电话和异议受理地址。",
                    $"County {cycle.CountyCode} has no contacts; publish its hotline and address with PUT /api/counties/{cycle.CountyCode}/contacts before approving."),
                new Dictionary<string, Text[]>
                {
                    ["contacts"] = [new Text("公示须载明县教育局的监督电话和异议受理地址。", "The county's hotline number and objection address are required on a public notice.")],
                });
        }

        var period = await calendar.NoticeEndAsync(clock.GetUtcNow(), cycle.NoticeDays, ct);
        var notice = new JsonObject
        {
            ["endsAt"] = ChinaTime.Format(period.EndsAt),
            ["workingDays"] = cycle.NoticeDays,
            ["calendarMissing"] = period.CalendarMissing,
        };
        var result = await engine.RaiseAsync(id, new WorkflowEvent("approve", CycleEvents.Approve, notice, user.Actor(), reason), ct);
        if (period.CalendarMissing && result.Outcome is (EventOutcome.Applied or EventOutcome.Duplicate))
        {
            // The notice ends after a year whose State Council calendar is not entered: tell the bureau, once per
            // county and year (the mail's key). A repeated approve (a client retrying) asks again, idempotently.
            await warnings.WarnAsync(cycle.CountyCode, period.EndsAt, ct);
        }

        return result.Outcome switch
        {
            EventOutcome.Applied or EventOutcome.Duplicate => TypedResults.Ok((await cycles.GetAsync(id, ct))!),
            EventOutcome.Refused => PendingReview((int?)result.Instance?.Data["verification"]?["pendingReview"] ?? 0, result.Reason!),
            _ => CycleGate.StageProblem(id, result.Instance?.Stage ?? cycle.Stage, result.Reason ?? new Text("只有处于审核阶段的周期才能批准", "only a cycle in review can be approved")),
        };
    }

    private static async Task<Results<Accepted<Cycle>, ProblemHttpResult>> RerunAsync(string id, ClaimsPrincipal user, CycleService cycles, WorkflowEngine engine, CancellationToken ct)
    {
        var result = await engine.RaiseAsync(id, new WorkflowEvent(Guid.NewGuid().ToString("N"), CycleEvents.VerificationRerun, null, user.Actor(), "verification re-run requested"), ct);
        return result.Outcome switch
        {
            EventOutcome.Applied => TypedResults.Accepted($"/api/cycles/{id}", (await cycles.GetAsync(id, ct))!),
            EventOutcome.NotFound => Problems.NotFound(Messages.Cycle(id)),
            _ => Problems.Conflict(result.Reason ?? new Text("只有在核验或审核阶段才能重新核验。", "Verification can be re-run only while verifying or in review.")),
        };
    }

    private static async Task<Results<Ok<Page<LedgerEntryView>>, ProblemHttpResult>> LedgerAsync(
        string id, string? program, string? schoolCode, string? continuationToken, int? pageSize, HttpContext http, ClaimsPrincipal user, EligibilityStore store,
        Disbursement.PaymentStatusQueries payments, SchoolNames names, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var (run, school, refusal) = await ListScopeAsync(id, schoolCode, http, user, names, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var page = await store.ListLedgerAsync(id, run!, program, school, continuationToken, size, ct);
        // Each row's payment (null before the notice ended): one scan per school on the page, never one read per child.
        var paid = await payments.ForSchoolsAsync(id, page.Items.Select(l => l.SchoolCode), ct);
        return TypedResults.Ok(new Page<LedgerEntryView>(
            [.. page.Items.Select(l => LedgerEntryView.From(l, paid.GetValueOrDefault((l.Program, l.IdNumber.PersonKey))))],
            page.ContinuationToken));
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> LedgerWorkbookAsync(
        string id, HttpContext http, EligibilityStore store, Disbursement.PaymentStatusQueries payments, CancellationToken ct)
    {
        var (run, refusal) = CurrentRun(http.Cycle());
        if (refusal is not null)
        {
            return refusal;
        }

        http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-ledger.xlsx\"";
        await LedgerWorkbook.WriteAsync(http.Response.Body, store, payments, id, run!, ct);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<DiscrepancyView>, ProblemHttpResult>> DecideAsync(
        string id, string discrepancyId, HttpRequest http, ClaimsPrincipal user, EligibilityStore store, WorkflowEngine engine,
        Accounts.CycleAccounts accounts, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<DecisionRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (reason, errors) = body!.Validate();
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var cycle = http.HttpContext.Cycle();
        var run = cycle.State.Verification?.RunId;
        var row = run is null ? null : await store.GetDiscrepancyAsync(id, run, discrepancyId, ct);
        if (row is null)
        {
            return Problems.NotFound(new Text($"资助周期 {id} 的差异 {discrepancyId}", $"Discrepancy {discrepancyId} of cycle {id}"));
        }

        if (!user.IsInRole(Roles.BureauAdmin) && !(user.IsInRole(Roles.SchoolOfficer) && row.SchoolCode is not null && user.CanAccessSchool(row.SchoolCode)))
        {
            return Problems.Forbidden(new Text("姓名或账户持有人不一致只能由教育局或学生所在学校的经办人处理。", "Only the bureau or the officer of the student's school decides a name or account holder mismatch."));
        }

        if (!DiscrepancyKinds.Decided.Contains(row.Kind))
        {
            return Problems.Conflict(new Text($"只处理姓名和账户持有人不一致；{discrepancyId} 属于 {row.Kind}。", $"Only name and account holder mismatches are decided; {discrepancyId} is {row.Kind}."));
        }

        // A name decides eligibility, so only in review; an account holder decides payment, so until the cycle ends.
        if (row.Kind == DiscrepancyKinds.NameMismatch ? cycle.Stage != Stages.Review : cycle.Stage is not (Stages.Review or Stages.Notice or Stages.Disbursement or Stages.Rectification))
        {
            return Problems.Conflict(new Text($"资助周期 {id} 处于 {cycle.Stage} 阶段；{row.Kind} {(row.Kind == DiscrepancyKinds.NameMismatch ? "只能在审核阶段处理" : "只能在审核至整改结束期间处理")}。", $"Cycle {id} is in stage {cycle.Stage}; a {row.Kind} is decided {(row.Kind == DiscrepancyKinds.NameMismatch ? "in review" : "from review until rectification ends")}."));
        }

        if (row.Decision is { } earlier && earlier != body.Decision)
        {
            return Problems.Conflict(new Text($"{discrepancyId} 已由 {row.DecidedBy} 处理为“{earlier}”。", $"{discrepancyId} was decided '{earlier}' by {row.DecidedBy}."), new Dictionary<string, string[]> { ["decision"] = [$"already {earlier}"] });
        }

        // The decision row first, guarded by its ETag, so that two people deciding at once cannot both win; only then
        // the ledger rows of a confirmed student, and the event. Repeating the same decision completes a half-done one.
        if (row.Decision is null && !await store.RecordDecisionAsync(id, run!, row, body.Decision!, user.Actor(), reason!, clock.GetUtcNow(), ct))
        {
            return Problems.Conflict(new Text($"{discrepancyId} 刚刚已由他人处理；请刷新。", $"{discrepancyId} was decided by someone else just now; reload it."));
        }

        if (row.Kind == DiscrepancyKinds.HolderMismatch)
        {
            // Payment follows the decision at the next cut; the cycle's figures follow it now.
            await accounts.RefreshAsync(cycle, ct);
            return TypedResults.Ok(DiscrepancyView.From((await store.GetDiscrepancyAsync(id, run!, discrepancyId, ct))!));
        }

        var student = row.StudentJson is null ? null : JsonSerializer.Deserialize<StudentRecord>(row.StudentJson);
        if (body.Decision == "confirm" && student is not null)
        {
            await store.UpsertLedgerAsync(student.Entitlements.Select(e => EligibilityStore.LedgerEntity(id, run!, student, e, "review")), ct);
        }

        var payload = new JsonObject
        {
            ["runId"] = run,
            ["discrepancyId"] = discrepancyId,
            ["decision"] = body.Decision,
            ["reason"] = reason,
            ["entitlements"] = new JsonArray((student?.Entitlements ?? []).Select(e => (JsonNode)new JsonObject { ["program"] = e.Program, ["amount"] = e.Amount.Value }).ToArray()),
        };
        var result = await engine.RaiseAsync(id, new WorkflowEvent($"decision|{run}|{discrepancyId}", CycleEvents.ReviewDecided, payload, user.Actor(), reason), ct);
        if (result.Outcome is not (EventOutcome.Applied or EventOutcome.Duplicate))
        {
            return Problems.Conflict(result.Reason ?? new Text($"资助周期 {id} 不再接受处理决定。", $"Cycle {id} no longer accepts decisions."));
        }

        if (body.Decision == "confirm")
        {
            // The confirmed student is eligible now: whether their account can pay them counts too.
            await accounts.RefreshAsync(cycle, ct);
        }

        var decided = await store.GetDiscrepancyAsync(id, run!, discrepancyId, ct);
        return TypedResults.Ok(DiscrepancyView.From(decided!));
    }

    /// <summary>The run whose results are current, or why there are none yet.</summary>
    /// <summary>
    /// What a list of the verification reads: the completed run, and the school it is scoped to (an officer's own, however
    /// asked); or the problem refusing it (no completed run, another school).
    /// </summary>
    private static async Task<(string? Run, string? School, ProblemHttpResult? Refusal)> ListScopeAsync(
        string id, string? schoolCode, HttpContext http, ClaimsPrincipal user, SchoolNames names, CancellationToken ct)
    {
        var (run, refusal) = CurrentRun(http.Cycle());
        if (refusal is not null)
        {
            return (null, null, refusal);
        }

        return ScopeToSchool(user, ref schoolCode) is { } other
            ? (null, null, Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, other, ct))))
            : (run, schoolCode, null);
    }

    private static (string? Run, ProblemHttpResult? Refusal) CurrentRun(Cycle cycle) =>
        cycle.State.Verification is { IsCompleted: true } run
            ? (run.RunId, null)
            : (null, Problems.Conflict(new Text($"资助周期 {cycle.Id} 尚未完成核验。", $"Cycle {cycle.Id} has no completed verification yet.")));

    /// <summary>The approval refused by the cycle's guard: names still pending review, in both languages.</summary>
    private static ProblemHttpResult PendingReview(int pending, string guardReason)
    {
        var reason = pending > 0
            ? new Text($"尚有 {pending} 条姓名不一致待审核；请逐条处理后再批准。", $"{pending} name mismatches are pending review; decide each before approving.")
            : new Text(guardReason, guardReason);
        return Problems.Conflict(reason, new Dictionary<string, Text[]> { ["pendingReview"] = [reason] });
    }

    /// <summary>A school officer sees their own school only: no school given means theirs, another school is forbidden.</summary>
    /// <returns>The other school's code when the officer may not see it, else null.</returns>
    private static string? ScopeToSchool(ClaimsPrincipal user, ref string? schoolCode)
    {
        if (!user.IsInRole(Roles.SchoolOfficer))
        {
            return null;
        }

        schoolCode ??= user.SchoolCode();
        return user.CanAccessSchool(schoolCode!) ? null : schoolCode ?? "";
    }
}
