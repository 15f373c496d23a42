using System.Text.Json.Nodes;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// The cycle moves on if it can (<see cref="ClosingSteps.Settle"/>): after a bank result's follow-up, to rectification
/// once every batch is reconciled; then, in rectification, closed when nothing blocks (<see cref="CycleCloser"/>, with
/// its fence against newcomers). Repeating it changes nothing that is already so.
/// </summary>
public sealed class SettleCycleActivity(CycleCloser closer) : IActivity
{
    public string Kind => ClosingSteps.SettleKind;

    public RetryPolicy Retry { get; } = new(6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var actor = (string?)context.Input?["actor"] ?? "workflow";
        var (result, _) = (bool?)context.Input?["afterResult"] == true
            ? await closer.AfterReconciliationAsync(context.InstanceId, actor, cancellationToken)
            : await closer.TryCloseAsync(context.InstanceId, actor, cancellationToken);
        return new JsonObject { ["closed"] = result?.Outcome is EventOutcome.Applied or EventOutcome.Duplicate };
    }
}
