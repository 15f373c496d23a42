using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>
/// The cycle's step after a bank result was taken (<c>disbursement.result</c>): applies the stored file to its batch,
/// opens the rectification items it leaves, and moves the cycle on when every batch is reconciled. Idempotent: a
/// redelivered or retried step, or one a crash cut short, finishes the same reconciliation and applies nothing twice.
/// </summary>
public sealed class ReconcileResultActivity(DisbursementService service, ReconciliationFollowUp followUp, CycleCloser closer) : IActivity
{
    public const string KindName = "disbursement.reconcile";

    public string Kind => KindName;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var batchId = (string)context.Input!["batchId"]!;
        var batch = await service.ApplyResultAsync(context.InstanceId, batchId, cancellationToken)
            ?? throw new InvalidOperationException($"Batch {batchId} of cycle {context.InstanceId} does not exist.");
        await followUp.OpenItemsAsync(context.InstanceId, cancellationToken);
        await closer.AfterReconciliationAsync(context.InstanceId, (string?)context.Input["actor"] ?? "workflow", cancellationToken);
        var result = batch.Result;
        return new JsonObject
        {
            ["batchId"] = batch.Id,
            ["paid"] = result?.Paid ?? 0,
            ["failed"] = result?.Failed ?? 0,
            ["inDoubt"] = result?.InDoubt.Count ?? 0,
            ["exceptions"] = result?.Exceptions ?? 0,
        };
    }
}
