using System.Text.Json.Nodes;
using EduRelief.Disbursement;
using EduRelief.Hosting;
using EduRelief.Hotline;
using EduRelief.Rectification;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// One thing that keeps a cycle from closing: <paramref name="Kind"/> is <c>stage</c>, <c>findings</c>,
/// <c>objections</c>, <c>cases</c>, <c>items</c>, <c>exceptions</c> or <c>payments</c>; <paramref name="Count"/> how many;
/// <paramref name="Detail"/> says it in Chinese and <paramref name="DetailEn"/> in English.
/// </summary>
public sealed record ClosingBlocker(string Kind, int Count, string Detail, string DetailEn)
{
    public ClosingBlocker(string kind, int count, Text detail)
        : this(kind, count, detail.Zh, detail.En)
    {
    }

    internal Text Words => new(Detail, DetailEn);
}

/// <summary>Why a cycle cannot close yet; empty when it can.</summary>
public sealed record ClosingCheck(IReadOnlyList<ClosingBlocker> Blockers)
{
    public bool CanClose => Blockers.Count == 0;

    /// <summary>The 409 problem's <c>errors</c>: <c>cycle</c> lists every blocker, and each kind names its own.</summary>
    public Dictionary<string, Text[]> Errors()
    {
        var errors = new Dictionary<string, Text[]> { ["cycle"] = [.. Blockers.Select(b => b.Words)] };
        foreach (var kind in Blockers.GroupBy(b => b.Kind))
        {
            errors[kind.Key] = [.. kind.Select(b => b.Words)];
        }

        return errors;
    }

    public static ClosingCheck NotInRectification(string? stage) =>
        new([new ClosingBlocker("stage", 1, new Text(
            $"资助周期处于“{(stage is null ? "无" : Stages.Chinese(stage))}”阶段；只有处于整改阶段的周期才能关闭。",
            $"The cycle is in stage {stage ?? "none"}; only a cycle in rectification closes."))]);
}

/// <summary>
/// Moves a cycle on when its money or its follow-up is done: to <c>rectification</c> once every payment batch is
/// reconciled, and to <c>closed</c> once every rectification item is accepted, every hotline case of the cycle closed,
/// every objection decided and the ledger settled (everyone owed was paid, nothing failed or held). Run by the cycle's
/// settling step (<see cref="SettleCycleActivity"/>, after each bank result, accepted item, resolved row and decided
/// objection: see <see cref="AidCycleDefinition"/>'s settling rows), and by the bureau's explicit close.
/// <para>
/// Closing is a fence (<see cref="CycleEvents.CloseFenced"/>), a last check, then the close under that fence
/// (<see cref="CycleEvents.RectificationCompleted"/>, guarded by the fence's id) or the fence taken down. Whatever opens
/// something new for a cycle (<see cref="CycleGate"/>) writes it first and then reads the cycle: a fence it meets is
/// settled by the same last check, which now sees the newcomer and takes the fence down, so the close cannot commit.
/// </para>
/// </summary>
public sealed class CycleCloser(
    WorkflowEngine engine, DisbursementService disbursement, RectificationStore rectification, ObjectionHoldStore holds, HotlineStore cases, TimeProvider clock,
    IEnumerable<IClosePause> pauses)
{
    /// <summary>
    /// After a bank result's follow-up: the last reconciled batch moves the cycle from disbursement to rectification,
    /// and a cycle with nothing left open closes.
    /// </summary>
    public async Task<(EventResult? Result, ClosingCheck Check)> AfterReconciliationAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        await LeaveDisbursementIfReconciledAsync(cycleId, actor, cancellationToken);
        return await TryCloseAsync(cycleId, actor, cancellationToken, firstLookFromRollup: true);
    }

    /// <summary>
    /// The bureau's own close (<c>POST /api/cycles/{id}/close</c>), decided in its request: a cycle whose batches are all
    /// reconciled leaves disbursement first (its settling step may not have run yet), and a close that lost its fence to
    /// the settling step's own close, with nothing blocking, is tried again. True when the cycle is closed, by this close
    /// or by a settling step meanwhile.
    /// </summary>
    public async Task<(bool Closed, ClosingCheck Check)> CloseByHandAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        if ((await engine.GetAsync(cycleId, cancellationToken))?.Stage == Stages.Disbursement)
        {
            await LeaveDisbursementIfReconciledAsync(cycleId, actor, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            var (result, check) = await TryCloseAsync(cycleId, actor, cancellationToken);
            var stage = result?.Instance?.Stage ?? (await engine.GetAsync(cycleId, cancellationToken))?.Stage;
            if (stage == Stages.Closed)
            {
                return (true, check);
            }

            if (!check.CanClose || stage != Stages.Rectification || attempt == 3)
            {
                return (false, check);
            }
        }
    }

    private async Task LeaveDisbursementIfReconciledAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        if (await disbursement.AllReconciledAsync(cycleId, cancellationToken))
        {
            await engine.RaiseAsync(cycleId, new WorkflowEvent("reconciled", CycleEvents.Reconciled, null, actor, "every payment batch reconciled"), cancellationToken);
        }
    }

    /// <summary>What blocks closing the cycle now (the console shows it); null when there is no such cycle.</summary>
    public async Task<(string Stage, ClosingCheck Check)?> WhatBlocksAsync(string cycleId, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        return (instance.Stage, instance.Stage switch
        {
            Stages.Closed => new ClosingCheck([]),
            Stages.Rectification => await CheckAsync(instance, cancellationToken),
            _ => ClosingCheck.NotInRectification(instance.Stage),
        });
    }

    /// <summary>
    /// What still blocks closing the cycle, read from its instance, items, cases, ledger and holds. The money owed is
    /// summed from the counters themselves, or read from the roll-up (<paramref name="fromRollup"/>: a first look that
    /// decides nothing but whether to try).
    /// </summary>
    private async Task<ClosingCheck> CheckAsync(InstanceSnapshot instance, CancellationToken cancellationToken, bool fromRollup = false)
    {
        var cycleId = instance.Id;
        var blockers = new List<ClosingBlocker>();
        var state = CycleState.Of(instance);
        if (instance.Version >= 3 && state.Findings is null)
        {
            // Version 3 opens the verification's findings as items at approval; until that step is done they are not counted.
            blockers.Add(new("findings", 1, new Text(
                "核验发现的问题尚未生成整改事项（请查看该周期已暂停的后台步骤）。",
                "The verification's findings are not yet opened as rectification items (see the cycle's dead letters).")));
        }

        var undecided = (await holds.ListAsync(cycleId, cancellationToken)).Count(h => h.Status == HoldStatuses.Open);
        if (undecided > 0)
        {
            blockers.Add(new("objections", undecided, new Text($"还有 {undecided} 件公示异议尚未作出决定。", $"{undecided} objections are not decided yet.")));
        }

        var openCases = 0;
        await foreach (var c in cases.AllForCycleAsync(state.CountyCode ?? cycleId[..6], cycleId, cancellationToken))
        {
            openCases += c.Status == HotlineStatuses.Closed ? 0 : 1;
        }

        if (openCases > 0)
        {
            blockers.Add(new("cases", openCases, new Text($"本周期还有 {openCases} 件热线工单尚未办结。", $"{openCases} hotline cases of the cycle are not closed yet.")));
        }

        var items = await rectification.SummarizeAsync(cycleId, clock.GetUtcNow(), cancellationToken);
        if (items.Accepted < items.Items)
        {
            blockers.Add(new("items", items.Items - items.Accepted, new Text(
                $"{items.Items} 项整改事项中还有 {items.Items - items.Accepted} 项尚未验收。",
                $"{items.Items - items.Accepted} of {items.Items} rectification items are not accepted yet.")));
        }

        // A bank result's exceptions become items in the step after it: until then they block as themselves (a close
        // in between would leave them outside a closed cycle).
        var exceptions = await disbursement.ListCycleExceptionsAsync(cycleId, cancellationToken);
        if (exceptions.Count > 0
            && await rectification.CountWithoutItemAsync(cycleId, RectificationSources.Reconciliation, exceptions.Select(e => e.Id), cancellationToken) is > 0 and var unopened)
        {
            blockers.Add(new("exceptions", unopened, new Text(
                $"还有 {unopened} 条对账异常尚未生成整改事项（对账的后续步骤尚未完成）。",
                $"{unopened} reconciliation exceptions are not yet opened as rectification items (the reconciliation's follow-up step has not run yet).")));
        }

        // The counters themselves, not the roll-up GET shows: a close must not follow a refresh a crash cut short.
        foreach (var t in fromRollup ? await disbursement.TotalsAsync(cycleId, cancellationToken) : await disbursement.CountersTotalsAsync(cycleId, cancellationToken))
        {
            var owed = t.Pending.Count + t.Failed.Count + t.Held.Count + t.InDoubt.Count;
            if (owed > 0)
            {
                blockers.Add(new("payments", owed, new Text(
                    $"{Notices.NoticeContent.ProgramName(t.Program)}：还有 {t.Pending.Count} 笔待发放、{t.Failed.Count} 笔发放失败、{t.Held.Count} 笔暂缓、{t.InDoubt.Count} 笔待核实的资金未结清。",
                    $"{t.Program}: {t.Pending.Count} pending, {t.Failed.Count} failed, {t.Held.Count} held and {t.InDoubt.Count} in-doubt payments are still owed.")));
            }
        }

        return new ClosingCheck(blockers);
    }

    /// <summary>
    /// Closes the cycle when it is in rectification and nothing blocks it; returns what blocks it otherwise. After a bank
    /// result (<paramref name="firstLookFromRollup"/>) the first look reads the money from the roll-up, not the 256
    /// counter rows: each batch's step would otherwise sum them while rows are still owed. The check behind the fence
    /// always sums the counters, and a person's close looks at them first.
    /// </summary>
    public async Task<(EventResult? Result, ClosingCheck Check)> TryCloseAsync(string cycleId, string actor, CancellationToken cancellationToken, bool firstLookFromRollup = false)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance?.Stage != Stages.Rectification)
        {
            return (null, ClosingCheck.NotInRectification(instance?.Stage));
        }

        // A first look without the fence, so that the usual answer (something still open) writes nothing.
        var check = await CheckAsync(instance, cancellationToken, firstLookFromRollup);
        if (!check.CanClose)
        {
            return (null, check);
        }

        var fenceId = Guid.NewGuid().ToString("N");
        var fenced = await engine.RaiseAsync(
            cycleId, new WorkflowEvent($"close-fence|{fenceId}", CycleEvents.CloseFenced, new JsonObject { ["fenceId"] = fenceId }, actor, "closing"), cancellationToken);
        if (fenced.Outcome != EventOutcome.Applied)
        {
            return (null, ClosingCheck.NotInRectification(fenced.Instance?.Stage));
        }

        return await SettleAsync(cycleId, fenceId, actor, pause: true, cancellationToken);
    }

    /// <summary>
    /// Finishes the close attempt behind fence <paramref name="fenceId"/>: the last check, then the close under the fence
    /// when nothing blocks, else the fence comes down. Run by the closer, and by a newcomer that met the fence.
    /// </summary>
    public async Task<(EventResult? Result, ClosingCheck Check)> SettleAsync(string cycleId, string fenceId, string actor, bool pause, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance?.Stage != Stages.Rectification || CycleState.Of(instance).Closing?.Id != fenceId)
        {
            return (null, instance?.Stage == Stages.Rectification ? await CheckAsync(instance, cancellationToken) : ClosingCheck.NotInRectification(instance?.Stage));
        }

        var check = await CheckAsync(instance, cancellationToken);
        foreach (var hold in pause ? pauses : [])
        {
            await hold.BeforeCommitAsync(cycleId, cancellationToken);
        }

        if (!check.CanClose)
        {
            await engine.RaiseAsync(
                cycleId, new WorkflowEvent($"close-withdraw|{fenceId}", CycleEvents.CloseWithdrawn, new JsonObject { ["fenceId"] = fenceId }, actor, check.Blockers[0].Detail), cancellationToken);
            return (null, check);
        }

        var result = await engine.RaiseAsync(
            cycleId, new WorkflowEvent("close", CycleEvents.RectificationCompleted, new JsonObject { ["fenceId"] = fenceId }, actor, "cycle closed"), cancellationToken);
        if (result.Outcome is EventOutcome.Applied or EventOutcome.Duplicate)
        {
            return (result, check);
        }

        // A newcomer took the fence down after this check: say what blocks now.
        var now = await engine.GetAsync(cycleId, cancellationToken);
        return (null, now?.Stage == Stages.Rectification ? await CheckAsync(now, cancellationToken) : ClosingCheck.NotInRectification(now?.Stage));
    }
}
