using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rosters;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Disbursement;

public sealed record CutBatchRequest(string? Program, string? Kind, string? Reason, string? RequestId);

public static class DisbursementEndpoints
{
    public static IServiceCollection AddDisbursement(this IServiceCollection services) => services
        .AddSingleton<DisbursementService>()
        .AddSingleton<ReconciliationFollowUp>()
        .AddSingleton<PaymentStatusQueries>()
        .AddSingleton<Workflow.IActivity, CutBatchesActivity>()
        .AddSingleton<Workflow.IActivity, ReconcileResultActivity>()
        .AddSingleton<ICycleFigures, DisbursementCycleFigures>();

    public static void MapDisbursement(this IEndpointRouteBuilder app)
    {
        var ofCycle = app.MapCycleGroup();
        var group = app.MapGroup(CycleRoutes.Prefix);
        app.MapPaymentStatus();

        // A school officer gets the money of their own school's students.
        ofCycle.MapGet("/disbursement", async (string id, ClaimsPrincipal user, DisbursementService service, CancellationToken ct) =>
            TypedResults.Ok(new { programs = (await service.TotalsAsync(id, ct, OwnSchool(user))).Select(TotalsView) }))
            .RequireAuthorization(Policies.Staff);

        // Batches are the county's payment files: the bureau's and the inspectors', not a school's.
        // Outside the cycle group: a school officer is refused (403) before the cycle is looked for.
        group.MapGet("/batches", async (string id, ClaimsPrincipal user, CycleService cycles, DisbursementService service, CancellationToken ct) =>
            user.IsInRole(Roles.SchoolOfficer) ? (IResult)BatchesForbidden()
            : await cycles.FindAsync(id, ct) is null ? Problems.NotFound(Messages.Cycle(id))
            : TypedResults.Ok(new { items = (await service.ListBatchesAsync(id, ct)).Select(BatchView), continuationToken = (string?)null }))
            .RequireAuthorization(Policies.Staff);

        ofCycle.MapPost("/batches", async (string id, HttpRequest http, ClaimsPrincipal user, DisbursementService service, Accounts.CycleAccounts accounts, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CutBatchRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, Text[]>();
            if (body!.Program is null || !Eligibility.LedgerWorkbook.ProgramSheets.ContainsKey(body.Program))
            {
                errors["program"] = [new Text($"program 须为以下之一：{string.Join("、", Eligibility.LedgerWorkbook.ProgramSheets.Select(p => $"{p.Key}（{p.Value}）"))}。", $"program is one of {string.Join(", ", Eligibility.LedgerWorkbook.ProgramSheets.Keys)}.")];
            }

            var kind = body.Kind ?? BatchKinds.Regular;
            if (!BatchKinds.All.Contains(kind))
            {
                errors["kind"] = [new Text("kind 为 regular（常规批次）或 backpay（补发批次）。", "kind is regular or backpay.")];
            }

            var reason = body.Reason?.Trim();
            if ((kind == BatchKinds.BackPay && string.IsNullOrEmpty(reason)) || reason?.Length > 500)
            {
                errors["reason"] = [new Text("补发批次须填写补发原因，1 至 500 个字符。", "A 补发 batch needs a reason of 1 to 500 characters.")];
            }

            if (body.RequestId is { } requestId && (requestId.Length is 0 or > 100 || requestId != Workflow.Keys.Safe(requestId)))
            {
                errors["requestId"] = [new Text("requestId 为 1 至 100 个字符，不得含有 / \\ # ?。", "requestId is 1 to 100 characters without / \\ # ?.")];
            }

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
                id, runId, body.Program!, kind, string.IsNullOrEmpty(reason) ? null : reason, user.Actor(), body.RequestId,
                (keys, token) => accounts.PayableForAsync(id, cycle.CountyCode, runId, cycle.Stage, keys, token), ct);
            if (outcome.Batch is null)
            {
                return Problems.Conflict(new Text($"本周期的{BankFiles.ProgramName(body.Program!)}没有可发放的款项：应发的每一笔都已发放、暂缓或在未结批次中。", $"Nothing of {body.Program} is payable in cycle {id}: every owed row is paid, held or in an open batch."));
            }

            return outcome.Created
                ? TypedResults.Created($"/api/cycles/{id}/batches/{outcome.Batch.Id}", BatchView(outcome.Batch))
                : TypedResults.Ok(BatchView(outcome.Batch));
        }).RequireAuthorization(Policies.Admin);

        group.MapGet("/batches/{batchId}", async (string id, string batchId, ClaimsPrincipal user, DisbursementService service, CancellationToken ct) =>
        {
            if (user.IsInRole(Roles.SchoolOfficer))
            {
                return (IResult)BatchesForbidden();
            }

            if (await service.GetBatchAsync(id, batchId, ct) is not { } batch)
            {
                return Problems.NotFound(Messages.Batch(batchId, id));
            }

            var exceptions = await service.ListExceptionsAsync(id, batchId, ct);
            return TypedResults.Ok(new { batch = BatchView(batch), exceptions = exceptions.Select(ExceptionView) });
        }).RequireAuthorization(Policies.Staff);

        // Each row with what became of it in this batch; ?status= pending|paid|failed|inDoubt narrows the list.
        group.MapGet("/batches/{batchId}/items", async (string id, string batchId, string? continuationToken, int? pageSize, string? status, ClaimsPrincipal user, DisbursementService service, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
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
            var page = items.Skip(offset).Take(size).Select(s => new
            {
                id = s.Item.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sequence = s.Item.Sequence,
                name = s.Item.Name,
                maskedId = IdNumbers.Mask(s.Item.IdNumber),
                schoolCode = s.Item.SchoolCode,
                schoolName = s.Item.SchoolName,
                program = s.Item.Program,
                amount = s.Item.Amount,
                backPay = s.Item.BackPay,
                backPayReason = s.Item.BackPayReason,
                status = s.Status,
                bankReason = s.BankReason,
                inDoubtReason = s.InDoubtReason,
            });
            var next = offset + size < items.Count ? (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return TypedResults.Ok(new { items = page, continuationToken = next });
        }).RequireAuthorization(Policies.Staff);

        group.MapGet("/batches/{batchId}/payment-file", async (string id, string batchId, ClaimsPrincipal user, DisbursementService service, CancellationToken ct) =>
        {
            if (await service.GetBatchAsync(id, batchId, ct) is not { } batch)
            {
                return (IResult)Problems.NotFound(Messages.Batch(batchId, id));
            }

            if (await service.DownloadPaymentFileAsync(batch, user.Actor(), ct) is not { } file)
            {
                return Problems.Conflict(new Text($"发放批次 {batchId} 仍在生成中。", $"Batch {batchId} is still being cut."));
            }

            return TypedResults.File(file.File, "text/csv; charset=GB18030", $"{id}-{batchId}.csv");
        }).WithNoStore().RequireAuthorization(Policies.Admin);

        group.MapGet("/batches/{batchId}/downloads", async (string id, string batchId, DisbursementService service, CancellationToken ct) =>
            TypedResults.Ok(new
            {
                items = (await service.ListDownloadsAsync(id, batchId, ct)).Select(d => new { id = d.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), actor = d.Actor, at = d.At, fileSha256 = d.FileHash }),
                continuationToken = (string?)null,
            }))
            .RequireAuthorization(Policies.Admin);

        // A valid file is stored and answered 202: the cycle reconciles it as a step; follow the batch (Location).
        group.MapPost("/batches/{batchId}/result", async (string id, string batchId, HttpRequest http, ClaimsPrincipal user, DisbursementService service, ReconciliationFollowUp followUp, CycleCloser closer, Workflow.WorkflowEngine engine, CancellationToken ct) =>
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
                return (IResult)Problems.Invalid("file", new Text("需要银行回盘文件（CSV），作为请求体或 multipart 文件部分发送，最大 64 MiB。", "The bank's result file (CSV) is required as the body or a multipart file part, at most 64 MiB."));
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
                    // A repeat finishes what a crash after reconciling may have left undone, and answers the outcome.
                    await followUp.OpenItemsAsync(id, ct);
                    await closer.AfterReconciliationAsync(id, user.Actor(), ct);
                    return TypedResults.Ok(new { changed = false, batch = BatchView(accepted.Batch!), exceptions = (await service.ListExceptionsAsync(id, batchId, ct)).Select(ExceptionView) });
            }

            // Every taker of the same file raises the same event (one marker): a crash before it is mended by the repeat.
            var raised = await engine.RaiseAsync(id, new Workflow.WorkflowEvent($"result|{batchId}|{accepted.Batch!.ResultHash}", CycleEvents.ResultTaken, new System.Text.Json.Nodes.JsonObject { ["batchId"] = batchId }, user.Actor()), ct);
            if (raised.Outcome is not (Workflow.EventOutcome.Applied or Workflow.EventOutcome.Duplicate))
            {
                // A cycle on an earlier definition has no reconciliation step: reconcile within the request, as it did.
                await service.ApplyResultAsync(id, batchId, ct);
                await followUp.OpenItemsAsync(id, ct);
                await closer.AfterReconciliationAsync(id, user.Actor(), ct);
            }

            var batch = (await service.GetBatchAsync(id, batchId, ct))!;
            return TypedResults.Accepted(location, new
            {
                changed = accepted.Status == AcceptStatus.Accepted,
                status = batch.Status,
                location,
                batch = BatchView(batch),
            });
        }).RequireAuthorization(Policies.Admin);

        // The bureau's word on a row the bank's file left unclear, once it has asked the bank: paid, or owed again.
        group.MapPost("/batches/{batchId}/items/{sequence:int}/resolution", async (string id, string batchId, int sequence, HttpRequest http, ClaimsPrincipal user, DisbursementService service, CycleCloser closer, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<ResolveRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var errors = new Dictionary<string, Text[]>();
            if (body!.Outcome is not ("paid" or "unpaid"))
            {
                errors["outcome"] = [new Text("outcome 为 paid（银行确认已到账）或 unpaid（在下一批次重发）。", "outcome is paid (the bank confirms the money arrived) or unpaid (pay it in the next batch).")];
            }

            if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Trim().Length > 500)
            {
                errors["reason"] = [new Text("须填写处理原因，1 至 500 个字符，例如银行确认的情况。", "A reason of 1 to 500 characters is required, e.g. what the bank confirmed.")];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var outcome = await service.ResolveAsync(id, batchId, sequence, body.Outcome == "paid", body.Reason!.Trim(), user.Actor(), ct);
            if (outcome.Status is ResolveStatus.Resolved or ResolveStatus.AlreadyResolved)
            {
                // Also on a repeat: it finishes what a crash after resolving may have left undone.
                await closer.TryCloseAsync(id, user.Actor(), ct);
            }

            return outcome.Status switch
            {
                ResolveStatus.Resolved or ResolveStatus.AlreadyResolved => TypedResults.Ok(new
                {
                    resolved = true,
                    changed = outcome.Status == ResolveStatus.Resolved,
                    outcome = outcome.Resolution!.Outcome,
                    reason = outcome.Resolution.Reason,
                    resolvedBy = outcome.Resolution.ResolvedBy,
                    resolvedAt = outcome.Resolution.ResolvedAt,
                }),
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
        }).RequireAuthorization(Policies.Admin);

        ofCycle.MapGet("/disclosure.xlsx", async (string id, DisbursementService service, CancellationToken ct) =>
            TypedResults.File(await DisclosureWorkbook.WriteAsync(id, await service.DisclosureAsync(id, ct), ct), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{id}-disclosure.xlsx"))
            .WithNoStore().RequireAuthorization(Policies.Staff);
    }

    /// <summary>A school officer's own school; null (the county) for everyone else.</summary>
    private static string ResolutionChinese(string outcome) => outcome == "paid" ? "确认到账" : "下一批次重发";

    private static string? OwnSchool(ClaimsPrincipal user) => user.IsInRole(Roles.SchoolOfficer) ? user.SchoolCode() ?? "" : null;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult BatchesForbidden() =>
        Problems.Forbidden(new Text("发放批次属于县级；学校经办人可在 /batches/{batchId}/items 查看本校各行，在 /disbursement 查看本校资金。", "Payment batches are the county's; a school officer reads their school's rows in /batches/{batchId}/items and its money in /disbursement."));

    private static object FigureView(Figure f) => new { count = f.Count, amount = decimal.Round(f.Amount, 2) };

    public static object TotalsView(ProgramTotals t) => new
    {
        program = t.Program,
        owed = FigureView(t.Owed),
        paid = FigureView(t.Paid),
        pending = FigureView(t.Pending),
        failed = FigureView(t.Failed),
        held = FigureView(t.Held),
        inDoubt = FigureView(t.InDoubt),
        backPaid = FigureView(t.BackPaid),
        cancelled = FigureView(t.Cancelled),
    };

    private static object BatchView(Batch b) => new
    {
        id = b.Id,
        program = b.Program,
        kind = b.Kind,
        reason = b.Reason,
        status = b.Status,
        count = b.Count,
        total = b.Total,
        createdBy = b.CreatedBy,
        createdAt = b.CreatedAt,
        sealedAt = b.SealedAt,
        paymentFileSha256 = b.FileHash,
        downloads = b.Downloads,
        resultSha256 = b.ResultHash,
        reconciledAt = b.ReconciledAt,
        result = b.Result is { } r ? new { paid = r.Paid, paidAmount = r.PaidAmount, failed = r.Failed, failedAmount = r.FailedAmount, inDoubt = r.InDoubt.Count, inDoubtAmount = r.InDoubt.Amount, exceptions = r.Exceptions } : null,
    };

    private static object ExceptionView(ReconciliationException e) => new
    {
        id = e.Id,
        kind = e.Kind,
        sequence = e.Sequence,
        itemSequence = e.ItemSequence,
        fileRow = e.FileRow,
        maskedId = e.MaskedId,
        batchAmount = e.BatchAmount,
        bankAmount = e.BankAmount,
        bankStatus = e.BankStatus,
        bankReason = e.BankReason,
        resolution = e.Resolution,
        resolutionReason = e.ResolutionReason,
        resolvedBy = e.ResolvedBy,
        resolvedAt = e.ResolvedAt,
    };
}
