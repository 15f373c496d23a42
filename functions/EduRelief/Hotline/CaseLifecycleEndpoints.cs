using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Hosting;
using EduRelief.Rectification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SatisfactionValues = EduRelief.Hotline.Satisfaction;

namespace EduRelief.Hotline;

/// <summary>A person's request on a case, which checks its own fields before the case is changed.</summary>
public interface ICaseRequest
{
    /// <summary>The 400 problem naming the first field that is missing, too long or not one of its values; null when the request is well formed.</summary>
    ProblemHttpResult? Problem();
}

public sealed record AssignRequest(string? Assignee, string? Note) : ICaseRequest
{
    public ProblemHttpResult? Problem() => CaseText.Check(Note, "note", required: false);
}

public sealed record NoteRequest(string? Note) : ICaseRequest
{
    public ProblemHttpResult? Problem() => CaseText.Check(Note, "note");
}

public sealed record ExtensionRequest(string? Reason, int? WorkingDays) : ICaseRequest
{
    public ProblemHttpResult? Problem() =>
        CaseText.Check(Reason, "reason")
        ?? (WorkingDays is null
            ? Problems.Invalid("workingDays", new Text($"workingDays 为申请延长的工作日数，1 至 {CaseLifecycle.MaxExtensionDays}。", $"workingDays is the number of working days asked for, 1 to {CaseLifecycle.MaxExtensionDays}."))
            : null);
}

/// <summary>The bureau's decision on an extension: approved, or refused with a reason.</summary>
public sealed record ExtensionDecisionRequest(string? Decision, string? Reason) : ICaseRequest
{
    public ProblemHttpResult? Problem() =>
        Decision is not (CaseExtension.Approved or CaseExtension.Refused)
            ? Problems.Invalid("decision", new Text("decision 应为 approved 或 refused。", "decision is approved or refused."))
            : CaseText.Check(Reason, "reason", required: Decision == CaseExtension.Refused);
}

/// <summary>The bureau's decision on an objection: upheld or dismissed, with a reason.</summary>
public sealed record ObjectionDecisionRequest(string? Decision, string? Reason) : ICaseRequest
{
    public ProblemHttpResult? Problem() =>
        !ObjectionDecisions.All.Contains(Decision ?? "")
            ? Problems.Invalid("decision", new Text("decision 应为 upheld 或 dismissed。", "decision is upheld or dismissed."))
            : CaseText.Check(Reason, "reason");
}

public sealed record ReplyRequest(string? Reply) : ICaseRequest
{
    public ProblemHttpResult? Problem() => CaseText.Check(Reply, "reply");
}

public sealed record SatisfactionRequest(string? Satisfaction) : ICaseRequest
{
    public ProblemHttpResult? Problem() =>
        SatisfactionValues.All.Contains(Satisfaction ?? "")
            ? null
            : Problems.Invalid("satisfaction", new Text(
                $"satisfaction 须为以下之一：{SatisfactionValues.ChineseList}。", $"satisfaction is one of {string.Join(", ", SatisfactionValues.All)}."));
}

/// <summary>The free text of a case action: required or not, at most <see cref="MaxLength"/> characters, stored cleaned.</summary>
public static class CaseText
{
    public const int MaxLength = 2000;

    /// <summary>A 400 problem when the text is missing (if required) or too long; null when it is fine.</summary>
    public static ProblemHttpResult? Check(string? value, string field, bool required = true)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            return Problems.Invalid(field, new Text($"{field} 为必填项。", $"{field} is required."));
        }

        return value?.Trim().Length > MaxLength ? Problems.Invalid(field, new Text($"{field} 最多 {MaxLength} 个字符。", $"{field} is at most {MaxLength} characters.")) : null;
    }

    /// <summary>Free text as stored: trimmed, with ID and phone numbers masked (the caller's, a child's or anyone's).</summary>
    public static string? Clean(string? text) => SensitiveText.Mask(text?.Trim());
}

/// <summary>
/// Handling a case: the bureau assigns it to a school or a section; the assignee records progress, may ask once for an
/// extension (the bureau approves or refuses) and replies to the caller; the bureau decides objections and records the
/// caller's satisfaction. A school officer acts only on cases assigned to their school.
/// </summary>
public static class CaseLifecycleEndpoints
{
    public static void MapCaseLifecycle(this RouteGroupBuilder group)
    {
        group.MapPost("/{caseNumber}/assign", AssignAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/{caseNumber}/progress", ProgressAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{caseNumber}/extension", ExtensionAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{caseNumber}/extension/decision", DecideExtensionAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/{caseNumber}/objection/decision", DecideObjectionAsync).RequireAuthorization(Policies.Admin);
        group.MapPost("/{caseNumber}/reply", ReplyAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{caseNumber}/satisfaction", SatisfactionAsync).RequireAuthorization(Policies.Admin);
    }

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> AssignAsync(string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, CancellationToken ct) =>
        actions.ActAsync<AssignRequest>(caseNumber, http, user, (body, c, now) =>
            Done(new AssignCase(user.Actor(), now, body.Assignee?.Trim() ?? "", CaseText.Clean(body.Note))), ct);

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> ProgressAsync(string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, CancellationToken ct) =>
        actions.ActAsync<NoteRequest>(caseNumber, http, user, (body, c, now) => Done(new RecordProgress(user.Actor(), now, CaseText.Clean(body.Note)!)), ct);

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> ExtensionAsync(string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, CancellationToken ct) =>
        actions.ActAsync<ExtensionRequest>(caseNumber, http, user, (body, c, now) =>
            Done(new RequestExtension(user.Actor(), now, CaseText.Clean(body.Reason)!, body.WorkingDays!.Value)), ct);

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> DecideExtensionAsync(
        string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, ICaseDeadlines deadlines, CancellationToken ct) =>
        actions.ActAsync<ExtensionDecisionRequest>(caseNumber, http, user, async (body, c, now) =>
        {
            if (body.Decision == CaseExtension.Refused || c.Extension is not { } extension)
            {
                return new DecideExtension(user.Actor(), now, false, CaseText.Clean(body.Reason), null, false);
            }

            // The extra working days count on from the current deadline (or from today, for a case without one).
            var extended = await deadlines.AfterAsync(c.Deadline ?? now, extension.WorkingDays, ct);
            return new DecideExtension(user.Actor(), now, true, CaseText.Clean(body.Reason), extended.DueAt, extended.CalendarMissing);
        }, ct);

    /// <summary>
    /// The hold follows the case: written after the decision commits, and again when the same decision is repeated,
    /// so a crash in between leaves the person held (never paid by mistake) until the client's retry.
    /// </summary>
    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> DecideObjectionAsync(
        string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, ObjectionHoldStore holds, ObjectionSubjects subjects,
        RectificationStore rectification, Cycles.CycleSignals signals, TimeProvider clock, CancellationToken ct) =>
        actions.ActAsync<ObjectionDecisionRequest>(caseNumber, http, user, (body, c, now) =>
                c.ObjectionDecision == body.Decision
                    ? Task.FromResult(CaseOutcome.Unchanged)
                    : Done(new DecideObjection(user.Actor(), now, body.Decision!, CaseText.Clean(body.Reason)!)),
            ct,
            after: async decided =>
            {
                await holds.DecideAsync(decided, c => subjects.IsOnNoticeAsync(decided.Subject, c), decided.ObjectionDecidedAt ?? clock.GetUtcNow(), ct);
                if (decided.ObjectionDecision == ObjectionDecisions.Upheld && UpheldObjectionItem(decided) is { } item)
                {
                    await rectification.OpenAsync(item, ct);
                }

                // The cycle's steps move the payable rows and close it if that was all it waited for.
                if (decided.Subject?.CycleId is { } cycleId && decided.ObjectionDecision is { } decision)
                {
                    await signals.ObjectionDecidedAsync(cycleId, decided.CaseNumber, decision, decided.ObjectionDecidedAt ?? clock.GetUtcNow(), user.Actor(), ct);
                }
            });

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> ReplyAsync(string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, CancellationToken ct) =>
        actions.ActAsync<ReplyRequest>(caseNumber, http, user, (body, c, now) => Done(new ReplyToCaller(user.Actor(), now, CaseText.Clean(body.Reply)!)), ct);

    private static Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> SatisfactionAsync(
        string caseNumber, HttpRequest http, ClaimsPrincipal user, CaseActions actions, ICaseDeadlines deadlines, CancellationToken ct) =>
        actions.ActAsync<SatisfactionRequest>(caseNumber, http, user, async (body, c, now) =>
        {
            // Should the caller's verdict reopen the case, it runs again for its category's working days (objections: a complaint's).
            var days = DeadlineRule.For(c.Category).WorkingDays ?? DeadlineRule.For(HotlineCategories.Complaint).WorkingDays!.Value;
            var reopened = await deadlines.AfterAsync(now, days, ct);
            return new RecordSatisfaction(user.Actor(), now, body.Satisfaction!, reopened.DueAt, reopened.CalendarMissing);
        }, ct);

    private static Task<CaseOutcome> Done(CaseAction action) => Task.FromResult<CaseOutcome>(action);

    /// <summary>
    /// An upheld objection means a child was on the approved list who should not have been: the school owns finding out
    /// why (one item per case, so a repeated decision opens nothing new). The decision's reason becomes the description
    /// only when it is fit to store on an item (for example, no ID number in it).
    /// </summary>
    private static RectificationItemInput? UpheldObjectionItem(HotlineCase objection)
    {
        if (objection.Subject is not { CycleId: { } cycleId } subject)
        {
            return null;
        }

        var owner = Assignees.SchoolOrAidSection(subject.SchoolCode);
        var item = new RectificationItemInput(
            cycleId, RectificationSources.Objection, objection.CaseNumber,
            $"异议成立（{objection.CaseNumber}）：核查该生列入资助名单的原因并纠正", $"异议处理意见：{objection.ObjectionReason}",
            owner, subject.SchoolCode is { } code && SchoolCode.IsValid(code) ? code : null, StudentName: subject.StudentName, Actor: objection.ObjectionDecidedBy ?? "system");
        return item.Validate().Count == 0 ? item : item with { Description = null };
    }

    /// <summary>Either the action to apply or the answer that refuses the request.</summary>
    public sealed class CaseOutcome
    {
        public CaseAction? Action { get; private init; }

        public ProblemHttpResult? Refusal { get; private init; }

        /// <summary>The request repeats what the case already records: answer it as done, change nothing.</summary>
        public static CaseOutcome Unchanged { get; } = new();

        public static implicit operator CaseOutcome(CaseAction action) => new() { Action = action };

        public static implicit operator CaseOutcome(ProblemHttpResult refusal) => new() { Refusal = refusal };
    }
}

/// <summary>Carries out a person's action on a case: reads the body, finds the case the user may act on, builds the action and applies it under the case's ETag.</summary>
public sealed class CaseActions(HotlineStore store, ObjectionHoldStore holds, TimeProvider clock, IOptions<JsonOptions> json, Mail.CalendarWarnings warnings, Calendar.WorkingCalendar calendar, Eligibility.SchoolNames names)
{
    /// <summary>Reads the body, finds the case the user may act on, builds the action and applies it under the case's ETag.</summary>
    public async Task<Results<Ok<HotlineCaseView>, ProblemHttpResult>> ActAsync<TBody>(
        string caseNumber,
        HttpRequest http,
        ClaimsPrincipal user,
        Func<TBody, HotlineCase, DateTimeOffset, Task<CaseLifecycleEndpoints.CaseOutcome>> build,
        CancellationToken ct,
        Func<HotlineCase, Task>? after = null)
        where TBody : class, ICaseRequest
    {
        // Inspectors read cases; handling them is the bureau's, or the assigned school's (checked with the case below).
        if (!user.IsInRole(Roles.BureauAdmin) && !user.IsInRole(Roles.SchoolOfficer))
        {
            return Problems.Forbidden(new Text("督查人员只能查看热线工单；由教育局和被指派的学校办理。", "Inspectors read hotline cases; the bureau and the assigned school handle them."));
        }

        var (body, problem) = await JsonBody.ReadAsync<TBody>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        if (await HotlineEndpoints.VisibleCaseAsync(caseNumber, user, store, ct) is not { } found)
        {
            return Problems.NotFound(new Text($"热线工单 {caseNumber}", $"Hotline case {caseNumber}"));
        }

        if (body!.Problem() is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var outcome = await build(body, found.Case, now);
        if (outcome.Refusal is not null)
        {
            return outcome.Refusal;
        }

        var changed = found.Case;
        if (outcome.Action is not null)
        {
            var change = await store.ChangeAsync(found.Number, outcome.Action, ct);
            if (change is null)
            {
                return Problems.NotFound(new Text($"热线工单 {caseNumber}", $"Hotline case {caseNumber}"));
            }

            if (change.Refusal is not null)
            {
                return change.Field is not null
                    ? Problems.Invalid(change.Field, change.Refusal)
                    : Problems.Conflict(change.Refusal, new Dictionary<string, Text[]> { [change.Blocker] = [change.Refusal] });
            }

            changed = change.Case!;
        }

        if (after is not null)
        {
            await after(changed);
        }

        if (outcome.Action is DecideExtension or RecordSatisfaction && changed is { DeadlineCalendarMissing: true, Deadline: { } due })
        {
            await warnings.WarnAsync(changed.CountyCode, due, ct);
        }

        // Named as GET names them: the subject's school and the assignee.
        var view = await HotlineEndpoints.CaseViewAsync(changed, now, user, holds, calendar, ct, await store.HistoryAsync(found.Number, ct));
        return TypedResults.Ok(await view.NamedAsync(names.InCounty(changed.CountyCode), ct));
    }
}
