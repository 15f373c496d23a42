using System.Text.Json.Nodes;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>
/// The cycle's step when the notice ends: the payable entitlements from the approved ledger (holds applied), then one
/// regular batch per program. Idempotent: a retried or redelivered step finishes and returns the same batches.
/// </summary>
public sealed class CutBatchesActivity(DisbursementService service, Accounts.CycleAccounts accounts, WorkflowEngine engine) : IActivity
{
    public const string KindName = "disbursement.cut";

    public string Kind => KindName;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runId = (string)context.Input!["runId"]!;
        // The accounts as they are now decide who is cut: uploads since the last check count.
        if (await engine.GetAsync(context.InstanceId, cancellationToken) is { } cycle)
        {
            await accounts.RefreshAsync(context.InstanceId, Cycles.CycleState.Of(cycle).CountyCode!, runId, cycle.Stage, cancellationToken);
        }

        var batches = await service.CutAfterNoticeAsync(context.InstanceId, runId, context.StepId, cancellationToken);
        var list = new JsonArray();
        foreach (var b in batches)
        {
            list.Add(new JsonObject { ["id"] = b.Id, ["program"] = b.Program, ["count"] = b.Count, ["total"] = b.Total.Value });
        }

        return new JsonObject { ["batches"] = list };
    }
}
