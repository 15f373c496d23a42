using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>
/// The cycle's step after a bank result was taken (<c>disbursement.result</c>): applies the stored file to its batch.
/// What follows (the items it leaves, the cycle moving on) are the cycle's next steps (<see cref="AidCycleDefinition"/>,
/// "Settling"). Idempotent: a redelivered or retried step, or one a crash cut short, finishes the same reconciliation
/// and applies nothing twice.
/// </summary>
public sealed class ReconcileResultActivity(DisbursementService service) : IActivity
{
    public const string KindName = SettlementSteps.ReconcileKind;

    public string Kind => KindName;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var batchId = (string)context.Input!["batchId"]!;
        var batch = await service.ApplyResultAsync(context.InstanceId, batchId, cancellationToken)
            ?? throw new InvalidOperationException($"Batch {batchId} of cycle {context.InstanceId} does not exist.");
        var result = batch.Result;
        return new JsonObject
        {
            ["batchId"] = batch.Id,
            ["actor"] = (string?)context.Input["actor"],
            ["paid"] = result?.Paid ?? 0,
            ["failed"] = result?.Failed ?? 0,
            ["inDoubt"] = result?.InDoubt.Count ?? 0,
            ["exceptions"] = result?.Exceptions ?? 0,
        };
    }
}

/// <summary>
/// After a bank result was applied: its exceptions and repeated failures become rectification items
/// (<see cref="ReconciliationFollowUp"/>, which opens nothing twice, so a repeat is harmless).
/// </summary>
public sealed class ResultFollowUpActivity(ReconciliationFollowUp followUp) : IActivity
{
    public string Kind => ClosingSteps.ResultFollowUpKind;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken) =>
        new()
        {
            ["batchId"] = (string?)context.Input?["batchId"],
            ["actor"] = (string?)context.Input?["actor"],
            ["items"] = await followUp.OpenItemsAsync(context.InstanceId, cancellationToken),
        };
}

/// <summary>
/// After an objection was decided while money moves: the payable rows of the run being paid follow the holds (dismissed
/// → owed, as 补发 when a batch has gone; upheld → not owed). <see cref="DisbursementService.PrepareAsync"/> is idempotent.
/// </summary>
public sealed class PayablesActivity(DisbursementService service) : IActivity
{
    public string Kind => ClosingSteps.PayablesKind;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var changed = (string?)context.Input?["runId"] is { } runId ? await service.PrepareAsync(context.InstanceId, runId, cancellationToken) : 0;
        return new JsonObject { ["actor"] = (string?)context.Input?["actor"], ["changed"] = changed };
    }
}
