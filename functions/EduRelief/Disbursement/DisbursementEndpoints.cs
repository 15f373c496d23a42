using EduRelief.Eligibility;
using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Disbursement;

/// <summary>A batch cut by hand: <c>POST /api/cycles/{id}/batches</c>.</summary>
public sealed record CutBatchRequest(string? Program, string? Kind, string? Reason, string? RequestId)
{
    /// <summary>The kind (regular unless given) and the trimmed reason (null when empty) when valid; else the errors naming each field.</summary>
    public (string Kind, string? Reason, Dictionary<string, Text[]> Errors) Validate()
    {
        var errors = new Dictionary<string, Text[]>();
        if (Program is null || !Eligibility.LedgerWorkbook.ProgramSheets.ContainsKey(Program))
        {
            errors["program"] = [new Text($"program 须为以下之一：{string.Join("、", Eligibility.LedgerWorkbook.ProgramSheets.Select(p => $"{p.Key}（{p.Value}）"))}。", $"program is one of {string.Join(", ", Eligibility.LedgerWorkbook.ProgramSheets.Keys)}.")];
        }

        var kind = Kind ?? BatchKinds.Regular;
        if (!BatchKinds.All.Contains(kind))
        {
            errors["kind"] = [new Text("kind 为 regular（常规批次）或 backpay（补发批次）。", "kind is regular or backpay.")];
        }

        var reason = Reason?.Trim();
        if ((kind == BatchKinds.BackPay && string.IsNullOrEmpty(reason)) || reason?.Length > 500)
        {
            errors["reason"] = [new Text("补发批次须填写补发原因，1 至 500 个字符。", "A 补发 batch needs a reason of 1 to 500 characters.")];
        }

        if (RequestId is { } requestId && (requestId.Length is 0 or > 100 || requestId != Workflow.Keys.Safe(requestId)))
        {
            errors["requestId"] = [new Text("requestId 为 1 至 100 个字符，不得含有 / \\ # ?。", "requestId is 1 to 100 characters without / \\ # ?.")];
        }

        return (kind, string.IsNullOrEmpty(reason) ? null : reason, errors);
    }
}

/// <summary>The bureau's word on a row in doubt: <c>POST …/items/{sequence}/resolution</c>.</summary>
public sealed record ResolveRequest(string? Outcome, string? Reason)
{
    /// <summary>The trimmed reason when outcome and reason are valid; else the errors naming each field.</summary>
    public (string? Reason, Dictionary<string, Text[]> Errors) Validate()
    {
        var errors = new Dictionary<string, Text[]>();
        if (Outcome is not ("paid" or "unpaid"))
        {
            errors["outcome"] = [new Text("outcome 为 paid（银行确认已到账）或 unpaid（在下一批次重发）。", "outcome is paid (the bank confirms the money arrived) or unpaid (pay it in the next batch).")];
        }

        if (string.IsNullOrWhiteSpace(Reason) || Reason.Trim().Length > 500)
        {
            errors["reason"] = [new Text("须填写处理原因，1 至 500 个字符，例如银行确认的情况。", "A reason of 1 to 500 characters is required, e.g. what the bank confirmed.")];
        }

        return (Reason?.Trim(), errors);
    }
}

/// <summary>A count of rows and their money, in yuan to the fen.</summary>
public sealed record FigureView(int Count, Yuan Amount)
{
    public static FigureView From(Figure f) => new(f.Count, new Yuan(decimal.Round(f.Amount.Value, 2)));
}

/// <summary>One program's money in a cycle (or a school's part of it).</summary>
public sealed record ProgramTotalsView(
    string Program, FigureView Owed, FigureView Paid, FigureView Pending, FigureView Failed, FigureView Held, FigureView InDoubt, FigureView BackPaid, FigureView Cancelled)
{
    public static ProgramTotalsView From(ProgramTotals t) => new(
        t.Program, FigureView.From(t.Owed), FigureView.From(t.Paid), FigureView.From(t.Pending), FigureView.From(t.Failed),
        FigureView.From(t.Held), FigureView.From(t.InDoubt), FigureView.From(t.BackPaid), FigureView.From(t.Cancelled));
}

/// <summary><c>GET /api/cycles/{id}/disbursement</c>: each program's money.</summary>
public sealed record DisbursementView(IReadOnlyList<ProgramTotalsView> Programs);

/// <summary>What a reconciled batch came to.</summary>
public sealed record BatchResultView(int Paid, Yuan PaidAmount, int Failed, Yuan FailedAmount, int InDoubt, Yuan InDoubtAmount, int Exceptions)
{
    public static BatchResultView From(BatchFigures r) => new(r.Paid, r.PaidAmount, r.Failed, r.FailedAmount, r.InDoubt.Count, r.InDoubt.Amount, r.Exceptions);
}

/// <summary>A payment batch; result is null until it is reconciled.</summary>
public sealed record BatchView(
    string Id, string Program, string Kind, string? Reason, string Status, int Count, Yuan Total, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? SealedAt, string? PaymentFileSha256, int Downloads, string? ResultSha256, DateTimeOffset? ReconciledAt, BatchResultView? Result)
{
    public static BatchView From(Batch b) => new(
        b.Id, b.Program, b.Kind, b.Reason, b.Status, b.Count, b.Total, b.CreatedBy, b.CreatedAt,
        b.SealedAt, b.FileHash, b.Downloads, b.ResultHash, b.ReconciledAt, b.Result is { } r ? BatchResultView.From(r) : null);
}

/// <summary>One reconciliation exception of a batch, with the bureau's resolution once given.</summary>
public sealed record ExceptionView(
    string Id, string Kind, int? Sequence, int? ItemSequence, int? FileRow, string? MaskedId, Yuan? BatchAmount, Yuan? BankAmount, string? BankStatus,
    string? BankReason, string? Resolution, string? ResolutionReason, string? ResolvedBy, DateTimeOffset? ResolvedAt)
{
    public static ExceptionView From(ReconciliationException e) => new(
        e.Id, e.Kind, e.Sequence, e.ItemSequence, e.FileRow, e.MaskedId, e.BatchAmount, e.BankAmount, e.BankStatus,
        e.BankReason, e.Resolution, e.ResolutionReason, e.ResolvedBy, e.ResolvedAt);
}

/// <summary><c>GET …/batches/{batchId}</c>: the batch and its reconciliation exceptions.</summary>
public sealed record BatchDetailView(BatchView Batch, IReadOnlyList<ExceptionView> Exceptions);

/// <summary>One row of a batch with what became of it.</summary>
public sealed record BatchItemView(
    string Id, int Sequence, string Name, string MaskedId, string SchoolCode, string SchoolName, string Program, Yuan Amount, bool BackPay,
    string? BackPayReason, string Status, string? BankReason, string? InDoubtReason)
{
    public static BatchItemView From(BatchItemState s) => new(
        s.Item.Sequence.ToString(CultureInfo.InvariantCulture), s.Item.Sequence, s.Item.Name, s.Item.IdNumber.Masked, s.Item.SchoolCode, s.Item.SchoolName,
        s.Item.Program, s.Item.Amount, s.Item.BackPay, s.Item.BackPayReason, s.Status, s.BankReason, s.InDoubtReason);
}

/// <summary>One download of a batch's payment file: who, when, and which file.</summary>
public sealed record DownloadView(string Id, string Actor, DateTimeOffset At, string FileSha256);

/// <summary>A result file taken again after the batch was reconciled with it: the outcome as it stands.</summary>
public sealed record ReconciledView(bool Changed, BatchView Batch, IReadOnlyList<ExceptionView> Exceptions);

/// <summary>A result file accepted for reconciliation (202): follow the batch at <c>location</c>.</summary>
public sealed record ResultAccepted(bool Changed, string Status, string Location, BatchView Batch);

/// <summary>A row in doubt resolved (or resolved already the same way: changed false).</summary>
public sealed record ResolvedView(bool Resolved, bool Changed, string Outcome, string Reason, string ResolvedBy, DateTimeOffset ResolvedAt);

public static class DisbursementEndpoints
{
    public static IServiceCollection AddDisbursement(this IServiceCollection services) => services
        .AddSingleton<DisbursementService>()
        .AddSingleton<ReconciliationFollowUp>()
        .AddSingleton<PaymentStatusQueries>()
        .AddSingleton<Workflow.IActivity, CutBatchesActivity>()
        .AddSingleton<Workflow.IActivity, ReconcileResultActivity>()
        .AddSingleton<Workflow.IActivity, ResultFollowUpActivity>()
        .AddSingleton<Workflow.IActivity, PayablesActivity>()
        .AddSingleton<ICycleFigures, DisbursementCycleFigures>();

    public static void MapDisbursement(this IEndpointRouteBuilder app)
    {
        var ofCycle = app.MapCycleGroup();
        var group = app.MapGroup(CycleRoutes.Prefix);
        app.MapPaymentStatus();

        // A school officer gets the money of their own school's students.
        ofCycle.MapGet("/disbursement", DisbursementAsync).RequireAuthorization(Policies.Staff);

        // Batches are the county's payment files: the bureau's and the inspectors', not a school's.
        // Outside the cycle group: a school officer is refused (403) before the cycle is looked for.
        group.MapGet("/batches", ListBatchesAsync).RequireAuthorization(Policies.Staff);
        ofCycle.MapPost("/batches", CutAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("/batches/{batchId}", BatchAsync).RequireAuthorization(Policies.Staff);

        // Each row with what became of it in this batch; ?status= pending|paid|failed|inDoubt narrows the list.
        group.MapGet("/batches/{batchId}/items", ItemsAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/batches/{batchId}/payment-file", PaymentFileAsync).WithNoStore().RequireAuthorization(Policies.Admin);
        group.MapGet("/batches/{batchId}/downloads", DownloadsAsync).RequireAuthorization(Policies.Admin);

        // A valid file is stored and answered 202: the cycle reconciles it as a step; follow the batch (Location).
        group.MapPost("/batches/{batchId}/result", ResultAsync).RequireAuthorization(Policies.Admin);

        // The bureau's word on a row the bank's file left unclear, once it has asked the bank: paid, or owed again.
        group.MapPost("/batches/{batchId}/items/{sequence:int}/resolution", ResolveAsync).RequireAuthorization(Policies.Admin);
        ofCycle.MapGet("/disclosure.xlsx", DisclosureAsync).WithNoStore().RequireAuthorization(Policies.Staff);
    }

    private static async Task<Ok<DisbursementView>> DisbursementAsync(string id, ClaimsPrincipal user, DisbursementService service, CancellationToken ct) =>
        TypedResults.Ok(new DisbursementView([.. (await service.TotalsAsync(id, ct, OwnSchool(user))).Select(TotalsView)]));

    private static async Task<Results<Ok<Page<BatchView>>, ProblemHttpResult>> ListBatchesAsync(
        string id, ClaimsPrincipal user, CycleService cycles, DisbursementService service, CancellationToken ct) =>
        user.IsInRole(Roles.SchoolOfficer) ? BatchesForbidden()
        : await cycles.FindAsync(id, ct) is null ? Problems.NotFound(Messages.Cycle(id))
        : TypedResults.Ok(new Page<BatchView>([.. (await service.ListBatchesAsync(id, ct)).Select(BatchView.From)], null));

    private static async Task<Results<Created<BatchView>, Ok<BatchView>, ProblemHttpResult>> CutAsync(
        string id, HttpRequest http, ClaimsPrincipal user, DisbursementService service, Accounts.CycleAccounts accounts, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CutBatchRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (kind, reason, errors) = body!.Validate();
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var cycle = http.HttpContext.Cycle();
        if (!CycleActions.CuttingStages.Contains(cycle.Stage) || cycle.State.Verification?.RunId is not { } runId)
        {
            return CycleGate.StageProblem(id, cycle.Stage, new Text("发放批次只能在发放阶段至周期关闭前生成", "batches are cut from disbursement until the cycle closes"));
        }

        // The entitlements were prepared when the notice ended and follow what changes since (objection decisions,
        // late entitlements): the cut catches up on those alone, reads only the rows it may take, and the accounts of
        // just those children.
        var outcome = await service.CutByHandAsync(
            id, runId, body.Program!, kind, reason, user.Actor(), body.RequestId,
            (keys, token) => accounts.PayableForAsync(id, cycle.CountyCode, runId, cycle.Stage, keys, token), ct);
        if (outcome.Batch is null)
        {
            return Problems.Conflict(new Text($"本周期的{BankFiles.ProgramName(body.Program!)}没有可发放的款项：应发的每一笔都已发放、暂缓或在未结批次中。", $"Nothing of {body.Program} is payable in cycle {id}: every owed row is paid, held or in an open batch."));
        }

        return outcome.Created
            ? TypedResults.Created($"/api/cycles/{id}/batches/{outcome.Batch.Id}", BatchView.From(outcome.Batch))
            : TypedResults.Ok(BatchView.From(outcome.Batch));
    }

    private static async Task<Results<Ok<BatchDetailView>, ProblemHttpResult>> BatchAsync(
        string id, string batchId, ClaimsPrincipal user, DisbursementService service, CancellationToken ct)
    {
        if (user.IsInRole(Roles.SchoolOfficer))
        {
            return BatchesForbidden();
        }

        if (await service.GetBatchAsync(id, batchId, ct) is not { } batch)
        {
            return Problems.NotFound(Messages.Batch(batchId, id));
        }

        var exceptions = await service.ListExceptionsAsync(id, batchId, ct);
        return TypedResults.Ok(new BatchDetailView(BatchView.From(batch), [.. exceptions.Select(ExceptionView.From)]));
    }

    private static async Task<Results<Ok<Page<BatchItemView>>, ProblemHttpResult>> ItemsAsync(
        string id, string batchId, string? continuationToken, int? pageSize, string? status, ClaimsPrincipal user, DisbursementService service, CancellationToken ct)
    {
        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        if (status is not null && !BatchItemStatuses.All.Contains(status))
        {
            return Problems.Invalid("status", new Text($"status 应为以下之一：{string.Join(", ", BatchItemStatuses.All)}。", $"status is one of {string.Join(", ", BatchItemStatuses.All)}."));
        }

        var offset = 0;
        if (continuationToken is not null && (!int.TryParse(continuationToken, out offset) || offset < 0))
        {
            return Problems.Invalid("continuationToken", Messages.NotOurToken);
        }

        if (await service.GetBatchAsync(id, batchId, ct) is null)
        {
            return Problems.NotFound(Messages.Batch(batchId, id));
        }

        // A school officer sees the rows of their own school only.
        var items = (await service.ListItemStatesAsync(id, batchId, ct))
            .Where(s => (!user.IsInRole(Roles.SchoolOfficer) || user.CanAccessSchool(s.Item.SchoolCode)) && (status is null || s.Status == status)).ToList();
        var next = offset + size < items.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<BatchItemView>([.. items.Skip(offset).Take(size).Select(BatchItemView.From)], next));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PaymentFileAsync(
        string id, string batchId, ClaimsPrincipal user, DisbursementService service, CancellationToken ct)
    {
        if (await service.GetBatchAsync(id, batchId, ct) is not { } batch)
        {
            return Problems.NotFound(Messages.Batch(batchId, id));
        }

        if (await service.DownloadPaymentFileAsync(batch, user.Actor(), ct) is not { } file)
        {
            return Problems.Conflict(new Text($"发放批次 {batchId} 仍在生成中。", $"Batch {batchId} is still being cut."));
        }

        return TypedResults.File(file.File, "text/csv; charset=GB18030", $"{id}-{batchId}.csv");
    }

    private static async Task<Ok<Page<DownloadView>>> DownloadsAsync(string id, string batchId, DisbursementService service, CancellationToken ct) =>
        TypedResults.Ok(new Page<DownloadView>(
            [.. (await service.ListDownloadsAsync(id, batchId, ct)).Select(d => new DownloadView(d.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), d.Actor, d.At, d.FileHash))],
            null));

    private static async Task<Results<Accepted<ResultAccepted>, Ok<ReconciledView>, ProblemHttpResult>> ResultAsync(
        string id, string batchId, HttpRequest http, ClaimsPrincipal user, DisbursementService service, CycleSignals signals,
        Workflow.WorkflowEngine engine, CancellationToken ct)
    {
        // The file is the body, or the file part of a multipart form (as the console's upload sends it).
        var (file, _, _) = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.ContentType, out var type)
            ? await FileUploads.OpenAsync(http, type, ct)
            : (http.Body, null, null);
        using var buffer = new MemoryStream();
        if (file is not null)
        {
            await file.CopyToAsync(buffer, ct);
        }

        if (buffer.Length == 0 || buffer.Length > BankFiles.MaxResultBytes)
        {
            return Problems.Invalid("file", new Text("需要银行回盘文件（CSV），作为请求体或 multipart 文件部分发送，最大 64 MiB。", "The bank's result file (CSV) is required as the body or a multipart file part, at most 64 MiB."));
        }

        var bytes = buffer.ToArray();
        var (rows, errors) = BankFiles.ParseResult(bytes);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var accepted = await service.AcceptResultAsync(id, batchId, bytes, ct);
        var location = $"/api/cycles/{id}/batches/{batchId}";
        switch (accepted.Status)
        {
            case AcceptStatus.NotFound:
                return Problems.NotFound(Messages.Batch(batchId, id));
            case AcceptStatus.NotSealed:
                return Problems.Conflict(new Text($"发放批次 {batchId} 仍在生成中。", $"Batch {batchId} is still being cut."));
            case AcceptStatus.DifferentFile:
                return Problems.Conflict(new Text($"发放批次 {batchId} 已用另一份回盘文件对账。", $"Batch {batchId} was reconciled with another result file."));
            case AcceptStatus.AlreadyReconciled:
                // A repeat finishes what a crash after reconciling may have left undone (the cycle's follow-up
                // steps, which open nothing twice), and answers the outcome.
                await signals.ResultAppliedAsync(id, batchId, accepted.Batch!.ResultHash, user.Actor(), ct);
                return TypedResults.Ok(new ReconciledView(false, BatchView.From(accepted.Batch!), [.. (await service.ListExceptionsAsync(id, batchId, ct)).Select(ExceptionView.From)]));
        }

        // Every taker of the same file raises the same event (one marker): a crash before it is mended by the repeat.
        var raised = await engine.RaiseAsync(id, new Workflow.WorkflowEvent($"result|{batchId}|{accepted.Batch!.ResultHash}", CycleEvents.ResultTaken, new System.Text.Json.Nodes.JsonObject { ["batchId"] = batchId }, user.Actor()), ct);
        if (raised.Outcome is not (Workflow.EventOutcome.Applied or Workflow.EventOutcome.Duplicate))
        {
            // A cycle on an earlier definition has no reconciliation step: reconcile within the request, as it did; the
            // follow-up and the cycle moving on are its steps all the same.
            await service.ApplyResultAsync(id, batchId, ct);
            await signals.ResultAppliedAsync(id, batchId, accepted.Batch.ResultHash, user.Actor(), ct);
        }

        var batch = (await service.GetBatchAsync(id, batchId, ct))!;
        return TypedResults.Accepted(location, new ResultAccepted(accepted.Status == AcceptStatus.Accepted, batch.Status, location, BatchView.From(batch)));
    }

    private static async Task<Results<Ok<ResolvedView>, ProblemHttpResult>> ResolveAsync(
        string id, string batchId, int sequence, HttpRequest http, ClaimsPrincipal user, DisbursementService service, CycleSignals signals, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<ResolveRequest>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var (reason, errors) = body!.Validate();
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var outcome = await service.ResolveAsync(id, batchId, sequence, body.Outcome == "paid", reason!, user.Actor(), ct);
        if (outcome.Status is ResolveStatus.Resolved or ResolveStatus.AlreadyResolved)
        {
            // Also on a repeat: it finishes what a crash after resolving may have left undone.
            await signals.CloseRequestedAsync(id, $"resolved|{batchId}|{sequence}", $"batch {batchId} row {sequence} resolved", user.Actor(), ct);
        }

        return outcome.Status switch
        {
            ResolveStatus.Resolved or ResolveStatus.AlreadyResolved => TypedResults.Ok(new ResolvedView(
                true, outcome.Status == ResolveStatus.Resolved, outcome.Resolution!.Outcome, outcome.Resolution.Reason, outcome.Resolution.ResolvedBy, outcome.Resolution.ResolvedAt)),
            ResolveStatus.Conflict => Problems.Conflict(
                new Text(
                    $"发放批次 {batchId} 的第 {sequence} 行已按“{ResolutionChinese(outcome.Resolution!.Outcome)}”处理，以首次处理为准。",
                    $"Row {sequence} of batch {batchId} was resolved as {outcome.Resolution!.Outcome} already; the first resolution stands."),
                new Dictionary<string, Text[]>
                {
                    ["outcome"] = [new Text(
                        $"已由 {outcome.Resolution.ResolvedBy} 按“{ResolutionChinese(outcome.Resolution.Outcome)}”处理：{outcome.Resolution.Reason}",
                        $"Resolved as {outcome.Resolution.Outcome} by {outcome.Resolution.ResolvedBy}: {outcome.Resolution.Reason}")],
                }),
            ResolveStatus.NotFound => Problems.NotFound(new Text($"资助周期 {id} 发放批次 {batchId} 的第 {sequence} 行", $"Row {sequence} of batch {batchId} in cycle {id}")),
            ResolveStatus.NotReconciled => Problems.Conflict(new Text($"发放批次 {batchId} 尚无银行回盘结果。", $"Batch {batchId} has no bank result yet.")),
            _ => Problems.Conflict(new Text($"发放批次 {batchId} 的第 {sequence} 行没有存疑，无需处理。", $"Row {sequence} of batch {batchId} is not in doubt: nothing to resolve.")),
        };
    }

    private static async Task<FileContentHttpResult> DisclosureAsync(string id, DisbursementService service, CancellationToken ct) =>
        TypedResults.File(await DisclosureWorkbook.WriteAsync(id, await service.DisclosureAsync(id, ct), ct), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{id}-disclosure.xlsx");

    private static string ResolutionChinese(string outcome) => outcome == "paid" ? "确认到账" : "下一批次重发";

    /// <summary>A school officer's own school; null (the county) for everyone else.</summary>
    private static string? OwnSchool(ClaimsPrincipal user) => user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "" : null;

    private static ProblemHttpResult BatchesForbidden() =>
        Problems.Forbidden(new Text("发放批次属于县级；学校经办人可在 /batches/{batchId}/items 查看本校各行，在 /disbursement 查看本校资金。", "Payment batches are the county's; a school officer reads their school's rows in /batches/{batchId}/items and its money in /disbursement."));

    /// <summary>One program's money as the API and the cycle's figures show it.</summary>
    public static ProgramTotalsView TotalsView(ProgramTotals t) => ProgramTotalsView.From(t);
}
