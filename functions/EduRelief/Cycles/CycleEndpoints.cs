using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Cycles;

/// <summary>The kick-off of a county's semester cycle: <c>POST /api/cycles</c>.</summary>
public sealed record CreateCycleRequest(string? CountyCode, string? Semester, int? NoticeDays)
{
    /// <summary>The county, semester and notice days when each is valid; else the errors naming each field.</summary>
    public (County? County, Semester? Semester, int NoticeDays, Dictionary<string, Text[]> Errors) Validate(CountyCatalog counties)
    {
        var errors = new Dictionary<string, Text[]>();
        if (!counties.TryGet(CountyCode, out var county))
        {
            errors["countyCode"] = [new Text("countyCode 须为 GB/T 2260 中的 6 位县级行政区划代码，例如 410726。", "countyCode must be a 6-digit county-level code of GB/T 2260, e.g. 410726.")];
        }

        if (!Cycles.Semester.TryParse(Semester, out var semester))
        {
            errors["semester"] = [new Text("semester 须为 YYYY-autumn（秋季学期）或 YYYY-spring（春季学期），例如 2026-autumn。", "semester must be YYYY-autumn or YYYY-spring, e.g. 2026-autumn.")];
        }

        var noticeDays = NoticeDays ?? CycleEndpoints.MinNoticeDays;
        if (noticeDays is < CycleEndpoints.MinNoticeDays or > CycleEndpoints.MaxNoticeDays)
        {
            errors["noticeDays"] = [new Text($"noticeDays（公示天数）为 {CycleEndpoints.MinNoticeDays} 至 {CycleEndpoints.MaxNoticeDays} 个工作日。", $"noticeDays is {CycleEndpoints.MinNoticeDays} to {CycleEndpoints.MaxNoticeDays} working days.")];
        }

        return (county, semester, noticeDays, errors);
    }
}

/// <summary>The reason a cycle is cancelled or a dead-lettered step given up: 1 to 500 characters, kept.</summary>
public sealed record CancelRequest(string? Reason)
{
    /// <summary>The trimmed reason, or the problem naming <c>reason</c>.</summary>
    public (string? Reason, ProblemHttpResult? Problem) Validate() =>
        Reason?.Trim() is { Length: > 0 and <= 500 } reason ? (reason, null) : (null, Problems.Invalid("reason", Messages.ReasonRequired));
}

public sealed record SchoolView(string CycleId, string SchoolCode, string Stage);

/// <summary><c>GET /api/cycles/{id}/closing</c>: whether the close would go through now, and what blocks it.</summary>
public sealed record ClosingView(string CycleId, string Stage, bool CanClose, bool Closed, IReadOnlyList<ClosingBlocker> Blockers);

/// <summary>One stage transition in <c>GET /api/cycles/{id}/history</c>; who and why are left out (null) for a school officer.</summary>
public sealed record HistoryView(string Id, DateTimeOffset At, string? Actor, string Event, string? From, string To, string? Reason);

public static class CycleEndpoints
{
    public const int MinNoticeDays = 5;
    public const int MaxNoticeDays = 30;

    /// <summary>Cycles: the aid-cycle workflow in each live version, the service, and what closes a cycle or refuses work after it.</summary>
    public static IServiceCollection AddCycles(this IServiceCollection services)
    {
        foreach (var version in AidCycleDefinition.Live)
        {
            services.AddSingleton<WorkflowDefinition>(version);
        }

        return services.AddSingleton<CycleService>().AddSingleton<CycleCloser>().AddSingleton<CycleGate>().AddSingleton<CycleSignals>()
            .AddSingleton<Workflow.IActivity, SettleCycleActivity>();
    }

    public static void MapCycles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cycles");
        group.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.Staff);

        var ofCycle = app.MapCycleGroup();
        ofCycle.MapGet("", GetAsync).RequireAuthorization(Policies.Staff);
        ofCycle.MapGet("/history", HistoryAsync).RequireAuthorization(Policies.Staff);
        ofCycle.MapPost("/cancel", CancelAsync).RequireAuthorization(Policies.Admin);
        ofCycle.MapPost("/close", CloseAsync).RequireAuthorization(Policies.Admin);

        // Outside the cycle group: these answer their own 404s, or refuse another school (403) before looking for the cycle.
        group.MapGet("/{id}/schools/{schoolCode}", SchoolAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/{id}/closing", ClosingAsync).RequireAuthorization(Policies.Inspection);
        group.MapPost("/{id}/dead-letters/{deadLetterId}/retry", RetryDeadLetterAsync).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{id}/dead-letters/{deadLetterId}", DiscardDeadLetterAsync).RequireAuthorization(Policies.Admin);
    }

    private static async Task<Results<Created<Cycle>, Ok<Cycle>, ProblemHttpResult>> CreateAsync(
        HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, CycleService cycles, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateCycleRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (county, semester, noticeDays, errors) = body!.Validate(counties);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (!user.CanActInCounty(county!.Code))
        {
            return Problems.Forbidden(new Text($"您的密钥或账号无权办理县 {county.Code} 的事务。", $"Your key or account may not act for county {county.Code}."));
        }

        var (created, cycle) = await cycles.CreateAsync(county, semester!, noticeDays, user.Actor(), ct);
        if (!created && cycle.NoticeDays != noticeDays)
        {
            return Problems.Conflict(new Text($"资助周期 {cycle.Id} 已存在，公示天数为 {cycle.NoticeDays}。", $"Cycle {cycle.Id} exists with noticeDays {cycle.NoticeDays}."), new Dictionary<string, string[]> { ["noticeDays"] = ["differs from the existing cycle"] });
        }

        return created ? TypedResults.Created($"/api/cycles/{cycle.Id}", cycle) : TypedResults.Ok(cycle);
    }

    /// <summary>A school officer's list shows each cycle as in GET /{id} before the school's figures: no county figures or files.</summary>
    private static async Task<Results<Ok<Page<Cycle>>, ProblemHttpResult>> ListAsync(
        string? countyCode, string? semester, string? stage, string? continuationToken, int? pageSize, ClaimsPrincipal user, CycleService cycles, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        if (stage is not null && !Stages.All.Contains(stage))
        {
            return Problems.Invalid("stage", new Text($"stage 应为以下之一：{string.Join(", ", Stages.All)}。", $"stage is one of {string.Join(", ", Stages.All)}."));
        }

        var page = await cycles.ListAsync(new CycleFilter(countyCode, semester, stage, user.CountyLimit()), continuationToken, size, ct);
        IReadOnlyList<Cycle> items = user.IsInRole(Roles.SchoolOfficer) ? [.. page.Items.Select(c => SchoolCycleView.Of(c, user.SchoolCode() ?? ""))] : page.Items;
        return TypedResults.Ok(new Page<Cycle>(items, page.ContinuationToken));
    }

    /// <summary>
    /// The cycle, with what the caller may do now and what it waits on, so that the console need not work them out. A
    /// school officer sees it through their school: its stage and dates, and its own figures, not the county's.
    /// </summary>
    private static async Task<Ok<Cycle>> GetAsync(HttpContext http, ClaimsPrincipal user, CycleService cycles, CancellationToken ct)
    {
        var cycle = user.IsInRole(Roles.SchoolOfficer) ? await cycles.ForSchoolAsync(http.Cycle(), user.SchoolCode() ?? "", ct) : await cycles.CompleteAsync(http.Cycle(), ct);
        return TypedResults.Ok(cycle with { AllowedActions = CycleActions.For(cycle, user), WaitingOn = CycleWait.Of(cycle) });
    }

    /// <summary>A school officer reads the stage transitions only, without who made them and why.</summary>
    private static async Task<Results<Ok<Page<HistoryView>>, ProblemHttpResult>> HistoryAsync(
        string id, string? continuationToken, int? pageSize, ClaimsPrincipal user, CycleService cycles, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var officer = user.IsInRole(Roles.SchoolOfficer);
        var page = await cycles.HistoryAsync(id, continuationToken, size, ct);
        return TypedResults.Ok(new Page<HistoryView>(
            [.. page.Items.Where(h => !officer || SchoolCycleView.Shows(h)).Select(h => new HistoryView(
                h.Sequence.ToString(CultureInfo.InvariantCulture), h.At, officer ? null : h.Actor, h.Event, h.From, h.To, officer ? null : h.Reason))],
            page.ContinuationToken));
    }

    private static async Task<Results<Ok<Cycle>, ProblemHttpResult>> CancelAsync(
        string id, HttpRequest http, ClaimsPrincipal user, CycleService cycles, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CancelRequest>(http, json.Value.SerializerOptions);
        var (reason, invalid) = body?.Validate() ?? default;
        if ((problem ?? invalid) is { } refused)
        {
            return refused;
        }

        var result = await cycles.CancelAsync(id, reason!, user.Actor(), ct);
        return result.Outcome switch
        {
            EventOutcome.Applied or EventOutcome.Duplicate => TypedResults.Ok((await cycles.GetAsync(id, ct))!),
            EventOutcome.NotFound => Problems.NotFound(Messages.Cycle(id)),
            _ => Problems.Conflict(result.Reason ?? new Text($"资助周期 {id} 处于 {result.Instance?.Stage} 阶段，不能取消。", $"Cycle {id} cannot be cancelled in stage {result.Instance?.Stage}.")),
        };
    }

    /// <summary>
    /// The bureau closes a cycle itself when the automatic close did not happen (for example after a late acceptance):
    /// 409 lists what still blocks it.
    /// </summary>
    private static async Task<Results<Ok<Cycle>, ProblemHttpResult>> CloseAsync(
        string id, HttpContext http, ClaimsPrincipal user, CycleService cycles, CycleCloser closer, CancellationToken ct)
    {
        if (http.Cycle().Stage == Stages.Closed)
        {
            return TypedResults.Ok(await cycles.CompleteAsync(http.Cycle(), ct));
        }

        var (closed, check) = await closer.CloseByHandAsync(id, user.Actor(), ct);
        return closed
            ? TypedResults.Ok((await cycles.GetAsync(id, ct))!)
            : Problems.Conflict(new Text($"资助周期 {id} 还不能关闭。", $"Cycle {id} cannot close yet."), check.Errors());
    }

    /// <summary>What keeps the cycle from closing, as the close would answer it (the console shows it).</summary>
    private static async Task<Results<Ok<ClosingView>, ProblemHttpResult>> ClosingAsync(string id, CycleCloser closer, CancellationToken ct) =>
        await closer.WhatBlocksAsync(id, ct) is { } found
            ? TypedResults.Ok(new ClosingView(id, found.Stage, found.Check.CanClose && found.Stage == Stages.Rectification, found.Stage == Stages.Closed, found.Check.Blockers))
            : Problems.NotFound(Messages.Cycle(id));

    private static async Task<Results<Accepted, ProblemHttpResult>> RetryDeadLetterAsync(string id, string deadLetterId, StepProcessor steps, CancellationToken ct) =>
        await steps.RetryDeadLetterAsync(id, deadLetterId, ct)
            ? TypedResults.Accepted($"/api/cycles/{id}")
            : DeadLetterNotFound(id, deadLetterId);

    /// <summary>An operator gives up on a dead-lettered step (its work was done by hand, or it no longer matters): the reason is kept.</summary>
    private static async Task<Results<Ok<DiscardedStep>, ProblemHttpResult>> DiscardDeadLetterAsync(
        string id, string deadLetterId, HttpRequest http, ClaimsPrincipal user, StepProcessor steps, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CancelRequest>(http, json.Value.SerializerOptions);
        var (reason, invalid) = body?.Validate() ?? default;
        if ((problem ?? invalid) is { } refused)
        {
            return refused;
        }

        return await steps.DiscardDeadLetterAsync(id, deadLetterId, reason!, user.Actor(), ct) is { } discarded
            ? TypedResults.Ok(discarded)
            : DeadLetterNotFound(id, deadLetterId);
    }

    /// <summary>A school's own view of the cycle; later features add the school's rosters, ledger rows and notices here.</summary>
    private static async Task<Results<Ok<SchoolView>, ProblemHttpResult>> SchoolAsync(
        string id, string schoolCode, ClaimsPrincipal user, CycleService cycles, Eligibility.SchoolNames names, CancellationToken ct)
    {
        if (!SchoolCode.IsValid(schoolCode))
        {
            return Problems.Invalid("schoolCode", Messages.SchoolCodeFormat);
        }

        if (!user.CanAccessSchool(schoolCode))
        {
            return Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, schoolCode, ct)));
        }

        return await cycles.FindAsync(id, ct) is { } cycle
            ? TypedResults.Ok(new SchoolView(cycle.Id, schoolCode, cycle.Stage))
            : Problems.NotFound(Messages.Cycle(id));
    }

    private static ProblemHttpResult DeadLetterNotFound(string id, string deadLetterId) =>
        Problems.NotFound(new Text($"资助周期 {id} 的失败步骤 {deadLetterId}", $"Dead-lettered step {deadLetterId} of cycle {id}"));
}
