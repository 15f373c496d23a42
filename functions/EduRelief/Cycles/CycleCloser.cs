using EduRelief.Disbursement;
using EduRelief.Rectification;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>Why a cycle cannot close yet; empty when it can.</summary>
public sealed record ClosingCheck(IReadOnlyList<string> Blockers)
{
    public bool CanClose => Blockers.Count == 0;
}

/// <summary>
/// Moves a cycle on when its money or its follow-up is done: to <c>rectification</c> once every payment batch is
/// reconciled, and to <c>closed</c> once every rectification item is accepted and the ledger is settled (everyone owed
/// was paid, nothing failed or held). Called after each reconciliation and each accepted item, and by the bureau's
/// explicit close; each move is an event with a fixed id, so repeating it changes nothing.
/// </summary>
public sealed class CycleCloser(WorkflowEngine engine, DisbursementService disbursement, RectificationStore rectification, TimeProvider clock)
{
    /// <summary>After a bank result: the last reconciled batch moves the cycle from disbursement to rectification.</summary>
    public async Task AfterReconciliationAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        if (await disbursement.AllReconciledAsync(cycleId, cancellationToken))
        {
            await engine.RaiseAsync(cycleId, new WorkflowEvent("reconciled", CycleEvents.Reconciled, null, actor, "every payment batch reconciled"), cancellationToken);
        }

        await TryCloseAsync(cycleId, actor, cancellationToken);
    }

    public async Task<ClosingCheck> CheckAsync(string cycleId, CancellationToken cancellationToken)
    {
        var blockers = new List<string>();
        var items = await rectification.SummarizeAsync(cycleId, clock.GetUtcNow(), cancellationToken);
        if (items.Accepted < items.Items)
        {
            blockers.Add($"{items.Items - items.Accepted} of {items.Items} rectification items are not accepted yet.");
        }

        foreach (var t in await disbursement.TotalsAsync(cycleId, cancellationToken))
        {
            if (t.Pending.Count + t.Failed.Count + t.Held.Count > 0)
            {
                blockers.Add($"{t.Program}: {t.Pending.Count} pending, {t.Failed.Count} failed and {t.Held.Count} held payments are still owed.");
            }
        }

        return new ClosingCheck(blockers);
    }

    /// <summary>Closes the cycle when it is in rectification and nothing blocks it; returns what blocks it otherwise.</summary>
    public async Task<(EventResult? Result, ClosingCheck Check)> TryCloseAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance?.Stage != Stages.Rectification)
        {
            return (null, new ClosingCheck([$"The cycle is in stage {instance?.Stage ?? "none"}; only a cycle in rectification closes."]));
        }

        var check = await CheckAsync(cycleId, cancellationToken);
        if (!check.CanClose)
        {
            return (null, check);
        }

        var result = await engine.RaiseAsync(cycleId, new WorkflowEvent("close", CycleEvents.RectificationCompleted, null, actor, "cycle closed"), cancellationToken);
        return (result, check);
    }
}
