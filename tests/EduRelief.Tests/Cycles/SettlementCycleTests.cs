using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Tests.Notices;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>Version 3 of the aid cycle on its transition table: findings at approval, payment at the notice's end, closing.</summary>
public sealed class SettlementCycleTests
{
    private static readonly AidCycleDefinitionV3 V3 = new();
    private static readonly DateTimeOffset Now = new(2026, 10, 13, 0, 0, 1, TimeSpan.FromHours(8));

    private static (Transition Transition, TransitionContext Context) On(string stage, string eventName, JsonObject data, JsonObject? payload = null)
    {
        var context = new TransitionContext("410726-2026-autumn", stage, 20, data, new WorkflowEvent("e1", eventName, payload, "timer"), Now);
        return (V3.Find(stage, eventName)!, context);
    }

    [Fact]
    public void Approve_OnVersion3_AlsoOpensTheRunsFindings()
    {
        var (effects, _) = NoticeCycleVersionTests.Approve(V3);

        Assert.Contains(effects, e => e is StartTimer { Event: CycleEvents.NoticeEnded });
        Assert.Single(effects.OfType<FanOut>());
        var findings = Assert.Single(effects.OfType<RunActivity>());
        Assert.Equal((SettlementSteps.Findings, SettlementSteps.FindingsKind, "r7"), (findings.Name, findings.Kind, (string?)findings.Input!["runId"]));
    }

    [Fact]
    public void NoticeEnded_OnVersion3_TakesTheNoticeDownAndCutsPaymentsOverTheApprovedRun()
    {
        var data = new JsonObject { ["verification"] = new JsonObject { ["runId"] = "r7" }, ["notice"] = new JsonObject() };
        var (transition, context) = On(Stages.Notice, CycleEvents.NoticeEnded, data);

        var effects = transition.Effects!(context).ToList();

        Assert.Equal(Stages.Disbursement, transition.Next(context));
        var cut = Assert.Single(effects.OfType<RunActivity>());
        Assert.Equal((SettlementSteps.Payments, SettlementSteps.PaymentsKind, "r7"), (cut.Name, cut.Kind, (string?)cut.Input!["runId"]));
        Assert.NotNull(data["notice"]!["takenDownAt"]);
    }

    [Theory]
    [InlineData(0, Stages.Rectification)]
    [InlineData(2, Stages.Disbursement)]
    public void PaymentsCut_NothingToPayMovesOnAtOnce_OtherwiseWaitsForTheBank(int batches, string expected)
    {
        var list = new JsonArray();
        for (var i = 0; i < batches; i++)
        {
            list.Add(new JsonObject { ["id"] = $"living-00{i + 1}", ["program"] = "living", ["count"] = 3, ["total"] = 1750m });
        }

        var data = new JsonObject();
        var (transition, context) = On(Stages.Disbursement, SettlementSteps.PaymentsCut, data, new JsonObject { ["batches"] = list });

        Assert.Empty(transition.Effects!(context));

        Assert.Equal(expected, transition.Next(context));
        Assert.Equal(batches, data["disbursement"]!["batches"]!.AsArray().Count);
    }

    [Fact]
    public void Table_Version3_ClosesOnlyFromRectificationAndReconcilesOnlyFromDisbursement()
    {
        Assert.Equal(Stages.Closed, V3.Find(Stages.Rectification, CycleEvents.RectificationCompleted)!.To);
        Assert.Null(V3.Find(Stages.Disbursement, CycleEvents.RectificationCompleted));
        Assert.Equal(Stages.Rectification, V3.Find(Stages.Disbursement, CycleEvents.Reconciled)!.To);
        Assert.Null(V3.Find(Stages.Rectification, CycleEvents.Reconciled));
        Assert.Null(new AidCycleDefinitionV2().Find(Stages.Disbursement, SettlementSteps.PaymentsCut));
    }

    /// <summary>The one step a row starts, with its name, kind and input.</summary>
    private static RunActivity StepOf(string stage, string eventName, JsonObject? payload = null)
    {
        var data = new JsonObject { ["verification"] = new JsonObject { ["runId"] = "r7" } };
        var (transition, context) = On(stage, eventName, data, payload);
        var step = Assert.Single(transition.Effects!(context).OfType<RunActivity>());
        Assert.Null(transition.To);
        return step;
    }

    [Theory]
    [InlineData(Stages.Disbursement)]
    [InlineData(Stages.Rectification)]
    public void BankResult_ReconciledThenFollowedUpThenSettled_EachAStepOfTheTable(string stage)
    {
        var followUp = StepOf(stage, SettlementSteps.Reconciled, new JsonObject { ["batchId"] = "living-001", ["actor"] = "admin", ["paid"] = 3 });
        Assert.Equal((ClosingSteps.ResultFollowUp, ClosingSteps.ResultFollowUpKind, "living-001", "admin"), (followUp.Name, followUp.Kind, (string?)followUp.Input!["batchId"], (string?)followUp.Input["actor"]));

        var applied = StepOf(stage, CycleEvents.ResultApplied, new JsonObject { ["batchId"] = "living-002" });
        Assert.Equal((ClosingSteps.ResultFollowUpKind, "living-002", "timer"), (applied.Kind, (string?)applied.Input!["batchId"], (string?)applied.Input["actor"]));

        var settle = StepOf(stage, ClosingSteps.ResultFollowedUp, new JsonObject { ["batchId"] = "living-001", ["actor"] = "admin", ["items"] = 2 });
        Assert.Equal((ClosingSteps.SettleKind, "admin", true), (settle.Kind, (string?)settle.Input!["actor"], (bool?)settle.Input["afterResult"]));
    }

    [Theory]
    [InlineData(Stages.Disbursement)]
    [InlineData(Stages.Rectification)]
    public void ObjectionDecidedOrCloseRequested_MovesPayablesOrSettles_NeverAfterAResult(string stage)
    {
        var payables = StepOf(stage, CycleEvents.ObjectionDecided, new JsonObject { ["caseNumber"] = "410726-2026-000001", ["decision"] = "dismissed" });
        Assert.Equal((ClosingSteps.PayablesKind, "r7"), (payables.Kind, (string?)payables.Input!["runId"]));

        foreach (var on in new[] { ClosingSteps.PayablesFollowed, CycleEvents.CloseRequested })
        {
            var settle = StepOf(stage, on);
            Assert.Equal((ClosingSteps.SettleKind, false), (settle.Kind, (bool?)settle.Input!["afterResult"]));
        }
    }

    [Theory]
    [InlineData(Stages.Review)]
    [InlineData(Stages.Notice)]
    public void SettlingEvents_BeforeMoneyMoves_HaveNoRow(string stage)
    {
        foreach (var on in new[] { CycleEvents.ResultApplied, CycleEvents.ObjectionDecided, CycleEvents.CloseRequested, ClosingSteps.Settled })
        {
            Assert.Null(V3.Find(stage, on));
        }
    }

    [Fact]
    public void Close_CommitsOnlyUnderTheFenceItsCheckRanUnder()
    {
        var data = new JsonObject();
        var (fence, fencing) = On(Stages.Rectification, CycleEvents.CloseFenced, data, new JsonObject { ["fenceId"] = "f1" });
        fence.Effects!(fencing);
        Assert.Equal("f1", AidCycleDefinition.FenceOf(data));

        var (close, stale) = On(Stages.Rectification, CycleEvents.RectificationCompleted, data, new JsonObject { ["fenceId"] = "f0" });
        Assert.NotNull(close.Guard!(stale));

        var (withdraw, withdrawing) = On(Stages.Rectification, CycleEvents.CloseWithdrawn, data, new JsonObject { ["fenceId"] = "f1" });
        withdraw.Effects!(withdrawing);
        Assert.Null(AidCycleDefinition.FenceOf(data));
        var (_, afterWithdrawal) = On(Stages.Rectification, CycleEvents.RectificationCompleted, data, new JsonObject { ["fenceId"] = "f1" });
        Assert.NotNull(close.Guard!(afterWithdrawal));

        fence.Effects!(fencing);
        var (_, current) = On(Stages.Rectification, CycleEvents.RectificationCompleted, data, new JsonObject { ["fenceId"] = "f1" });
        Assert.Null(close.Guard!(current));
    }

    [Fact]
    public void Approve_WithAReason_RecordsItBesideTheNoticePeriod()
    {
        var data = new JsonObject { ["verification"] = new JsonObject { ["runId"] = "r7", ["schools"] = new JsonArray() } };
        var period = new JsonObject { ["endsAt"] = "2026-10-16T23:59:59+08:00", ["workingDays"] = 5, ["calendarMissing"] = false };
        var context = new TransitionContext("410726-2026-autumn", Stages.Review, 20, data, new WorkflowEvent("approve", CycleEvents.Approve, period, "admin", "复核无误，同意公示"), Now);

        V3.Find(Stages.Review, CycleEvents.Approve)!.Effects!(context);

        Assert.Equal("复核无误，同意公示; notice published until 2026-10-16T23:59:59+08:00", context.Reason);
    }
}
