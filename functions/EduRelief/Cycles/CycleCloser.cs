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
public sealed class CycleCloser(WorkflowEngine engine, DisbursementService disbursement, RectificationStore rectification, Hotline.ObjectionHoldStore holds, TimeProvider clock)
{
    /// <summary>
    /// After an objection is decided while money is moving: the payable rows follow the hold (dismissed → owed as 补发,
    /// upheld → not owed), and a cycle that was waiting only on that decision closes.
    /// </summary>
    public async Task AfterObjectionDecidedAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance?.Stage is not (Stages.Disbursement or Stages.Rectification) || (string?)instance.Data["verification"]?["runId"] is not { } runId)
        {
            return;
        }

        await disbursement.PrepareAsync(cycleId, runId, cancellationToken);
        await TryCloseAsync(cycleId, actor, cancellationToken);
    }

    /// <summary>After a bank result: the last reconciled batch moves the cycle from disbursement to rectification.</summary>
    public async Task AfterReconciliationAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        if (await disbursement.AllReconciledAsync(cycleId, cancellationToken))
        {
            await engine.RaiseAsync(cycleId, new WorkflowEvent("reconciled", CycleEvents.Reconciled, null, actor, "every payment batch reconciled"), cancellationToken);
        }

        await TryCloseAsync(cycleId, actor, cancellationToken);
    }

    /// <summary>What still blocks closing the cycle, read from its instance, items, ledger and holds.</summary>
    private async Task<ClosingCheck> CheckAsync(InstanceSnapshot instance, CancellationToken cancellationToken)
    {
        var cycleId = instance.Id;
        var blockers = new List<string>();
        if (instance.Version >= 3 && instance.Data["findings"] is null)
        {
            // Version 3 opens the verification's findings as items at approval; until that step is done they are not counted.
            blockers.Add("The verification's findings are not yet opened as rectification items (see the cycle's dead letters).");
        }

        var undecided = (await holds.ListAsync(cycleId, cancellationToken)).Count(h => h.Status == Hotline.HoldStatuses.Open);
        if (undecided > 0)
        {
            blockers.Add($"{undecided} objections are not decided yet.");
        }

        var items = await rectification.SummarizeAsync(cycleId, clock.GetUtcNow(), cancellationToken);
        if (items.Accepted < items.Items)
        {
            blockers.Add($"{items.Items - items.Accepted} of {items.Items} rectification items are not accepted yet.");
        }

        foreach (var t in await disbursement.TotalsAsync(cycleId, cancellationToken))
        {
            if (t.Pending.Count + t.Failed.Count + t.Held.Count + t.InDoubt.Count > 0)
            {
                blockers.Add($"{t.Program}: {t.Pending.Count} pending, {t.Failed.Count} failed, {t.Held.Count} held and {t.InDoubt.Count} in-doubt payments are still owed.");
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

        var check = await CheckAsync(instance, cancellationToken);
        if (!check.CanClose)
        {
            return (null, check);
        }

        var result = await engine.RaiseAsync(cycleId, new WorkflowEvent("close", CycleEvents.RectificationCompleted, null, actor, "cycle closed"), cancellationToken);
        return (result, check);
    }
}
