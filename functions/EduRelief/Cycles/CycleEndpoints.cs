using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Hosting;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Cycles;

public sealed record CreateCycleRequest(string? CountyCode, string? Semester, int? NoticeDays);

public sealed record CancelRequest(string? Reason);

public sealed record SchoolView(string CycleId, string SchoolCode, string Stage);

/// <summary><c>GET /api/cycles/{id}/closing</c>: whether the close would go through now, and what blocks it.</summary>
public sealed record ClosingView(string CycleId, string Stage, bool CanClose, bool Closed, IReadOnlyList<ClosingBlocker> Blockers);

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

        return services.AddSingleton<CycleService>().AddSingleton<CycleCloser>().AddSingleton<CycleGate>();
    }

    public static void MapCycles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cycles");
        var ofCycle = app.MapCycleGroup();

        group.MapPost("", async (HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, CycleService cycles, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateCycleRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, Text[]>();
            if (!counties.TryGet(body!.CountyCode, out var county))
            {
                errors["countyCode"] = [new Text("countyCode 须为 GB/T 2260 中的 6 位县级行政区划代码，例如 410726。", "countyCode must be a 6-digit county-level code of GB/T 2260, e.g. 410726.")];
            }

            if (!Semester.TryParse(body.Semester, out var semester))
            {
                errors["semester"] = [new Text("semester 须为 YYYY-autumn（秋季学期）或 YYYY-spring（春季学期），例如 2026-autumn。", "semester must be YYYY-autumn or YYYY-spring, e.g. 2026-autumn.")];
            }

            var noticeDays = body.NoticeDays ?? MinNoticeDays;
            if (noticeDays is < MinNoticeDays or > MaxNoticeDays)
            {
                errors["noticeDays"] = [new Text($"noticeDays（公示天数）为 {MinNoticeDays} 至 {MaxNoticeDays} 个工作日。", $"noticeDays is {MinNoticeDays} to {MaxNoticeDays} working days.")];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            if (!user.CanActInCounty(county!.Code))
            {
                return Problems.Forbidden(new Text($"您的密钥或账号无权办理县 {county.Code} 的事务。", $"Your key or account may not act for county {county.Code}."));
            }

            var (created, cycle) = await cycles.CreateAsync(county!, semester!, noticeDays, user.Actor(), ct);
            if (!created && cycle.NoticeDays != noticeDays)
            {
                return Problems.Conflict(new Text($"资助周期 {cycle.Id} 已存在，公示天数为 {cycle.NoticeDays}。", $"Cycle {cycle.Id} exists with noticeDays {cycle.NoticeDays}."), new Dictionary<string, string[]> { ["noticeDays"] = ["differs from the existing cycle"] });
            }

            return created ? TypedResults.Created($"/api/cycles/{cycle.Id}", cycle) : TypedResults.Ok(cycle);
        }).RequireAuthorization(Policies.Admin);

        // A school officer's list shows each cycle as in GET /{id} before the school's figures: no county figures or files.
        group.MapGet("", async (string? countyCode, string? semester, string? stage, string? continuationToken, int? pageSize, ClaimsPrincipal user, CycleService cycles, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
            }

            if (stage is not null && !Stages.All.Contains(stage))
            {
                return Problems.Invalid("stage", new Text($"stage 应为以下之一：{string.Join(", ", Stages.All)}。", $"stage is one of {string.Join(", ", Stages.All)}."));
            }

            var page = await cycles.ListAsync(new CycleFilter(countyCode, semester, stage, user.CountyLimit()), continuationToken, size, ct);
            IReadOnlyList<Cycle> items = user.IsInRole(Roles.SchoolOfficer) ? [.. page.Items.Select(c => SchoolCycleView.Of(c, user.SchoolCode() ?? ""))] : page.Items;
            return TypedResults.Ok(new { items, continuationToken = page.ContinuationToken });
        }).RequireAuthorization(Policies.Staff);

        // A school officer sees the cycle through their school: its stage and dates, and its own figures, not the county's.
        // With what the caller may do now and what the cycle waits on, so that the console need not work them out.
        ofCycle.MapGet("", async (HttpContext http, ClaimsPrincipal user, CycleService cycles, CancellationToken ct) =>
        {
            var cycle = user.IsInRole(Roles.SchoolOfficer) ? await cycles.ForSchoolAsync(http.Cycle(), user.SchoolCode() ?? "", ct) : await cycles.CompleteAsync(http.Cycle(), ct);
            return TypedResults.Ok(cycle with { AllowedActions = CycleActions.For(cycle, user), WaitingOn = CycleWait.Of(cycle) });
        }).RequireAuthorization(Policies.Staff);

        // A school officer reads the stage transitions only, without who made them and why.
        ofCycle.MapGet("/history", async (string id, string? continuationToken, int? pageSize, ClaimsPrincipal user, CycleService cycles, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
            }

            var officer = user.IsInRole(Roles.SchoolOfficer);
            var page = await cycles.HistoryAsync(id, continuationToken, size, ct);
            return TypedResults.Ok(new
            {
                items = page.Items.Where(h => !officer || SchoolCycleView.Shows(h)).Select(h => new
                {
                    id = h.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    at = h.At,
                    actor = officer ? null : h.Actor,
                    @event = h.Event,
                    from = h.From,
                    to = h.To,
                    reason = officer ? null : h.Reason,
                }),
                continuationToken = page.ContinuationToken,
            });
        }).RequireAuthorization(Policies.Staff);

        ofCycle.MapPost("/cancel", async (string id, HttpRequest http, ClaimsPrincipal user, CycleService cycles, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CancelRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var reason = body!.Reason?.Trim();
            if (string.IsNullOrEmpty(reason) || reason.Length > 500)
            {
                return Problems.Invalid("reason", Messages.ReasonRequired);
            }

            var result = await cycles.CancelAsync(id, reason, user.Actor(), ct);
            return result.Outcome switch
            {
                EventOutcome.Applied or EventOutcome.Duplicate => TypedResults.Ok(await cycles.GetAsync(id, ct)),
                EventOutcome.NotFound => Problems.NotFound(Messages.Cycle(id)),
                _ => Problems.Conflict(result.Reason ?? new Text($"资助周期 {id} 处于 {result.Instance?.Stage} 阶段，不能取消。", $"Cycle {id} cannot be cancelled in stage {result.Instance?.Stage}.")),
            };
        }).RequireAuthorization(Policies.Admin);

        // The bureau closes a cycle itself when the automatic close did not happen (for example after a late acceptance):
        // 409 lists what still blocks it.
        ofCycle.MapPost("/close", async (string id, HttpContext http, ClaimsPrincipal user, CycleService cycles, CycleCloser closer, CancellationToken ct) =>
        {
            if (http.Cycle().Stage == Stages.Closed)
            {
                return (IResult)TypedResults.Ok(await cycles.CompleteAsync(http.Cycle(), ct));
            }

            var (result, check) = await closer.TryCloseAsync(id, user.Actor(), ct);
            return result?.Outcome is EventOutcome.Applied or EventOutcome.Duplicate
                ? TypedResults.Ok(await cycles.GetAsync(id, ct))
                : Problems.Conflict(new Text($"资助周期 {id} 还不能关闭。", $"Cycle {id} cannot close yet."), check.Errors());
        }).RequireAuthorization(Policies.Admin);

        // What keeps the cycle from closing, as the close would answer it (the console shows it).
        group.MapGet("/{id}/closing", async (string id, CycleCloser closer, CancellationToken ct) =>
            await closer.WhatBlocksAsync(id, ct) is { } found
                ? (IResult)TypedResults.Ok(new ClosingView(id, found.Stage, found.Check.CanClose && found.Stage == Stages.Rectification, found.Stage == Stages.Closed, found.Check.Blockers))
                : Problems.NotFound(Messages.Cycle(id)))
            .RequireAuthorization(Policies.Inspection);

        group.MapPost("/{id}/dead-letters/{deadLetterId}/retry", async (string id, string deadLetterId, StepProcessor steps, CancellationToken ct) =>
            await steps.RetryDeadLetterAsync(id, deadLetterId, ct)
                ? (IResult)TypedResults.Accepted($"/api/cycles/{id}")
                : Problems.NotFound(new Text($"资助周期 {id} 的失败步骤 {deadLetterId}", $"Dead-lettered step {deadLetterId} of cycle {id}")))
            .RequireAuthorization(Policies.Admin);

        // An operator gives up on a dead-lettered step (its work was done by hand, or it no longer matters): the reason is kept.
        group.MapDelete("/{id}/dead-letters/{deadLetterId}", async (string id, string deadLetterId, HttpRequest http, ClaimsPrincipal user, StepProcessor steps, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CancelRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var reason = body!.Reason?.Trim();
            if (string.IsNullOrEmpty(reason) || reason.Length > 500)
            {
                return Problems.Invalid("reason", Messages.ReasonRequired);
            }

            return await steps.DiscardDeadLetterAsync(id, deadLetterId, reason, user.Actor(), ct) is { } discarded
                ? TypedResults.Ok(discarded)
                : Problems.NotFound(new Text($"资助周期 {id} 的失败步骤 {deadLetterId}", $"Dead-lettered step {deadLetterId} of cycle {id}"));
        }).RequireAuthorization(Policies.Admin);

        // A school's own view of the cycle; later features add the school's rosters, ledger rows and notices here.
        ofCycle.MapGet("/schools/{schoolCode}", async (string id, string schoolCode, HttpContext http, ClaimsPrincipal user, Eligibility.SchoolNames names, CancellationToken ct) =>
        {
            if (!SchoolCode.IsValid(schoolCode))
            {
                return (IResult)Problems.Invalid("schoolCode", Messages.SchoolCodeFormat);
            }

            if (!user.CanAccessSchool(schoolCode))
            {
                return Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, schoolCode, ct)));
            }

            return TypedResults.Ok(new SchoolView(http.Cycle().Id, schoolCode, http.Cycle().Stage));
        }).RequireAuthorization(Policies.Staff);
    }
}
