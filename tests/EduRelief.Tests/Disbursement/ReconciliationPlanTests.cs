using EduRelief.Eligibility;
using EduRelief.Disbursement;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>The pure decision over a whole result file (DOMAIN "Bank results"), no storage.</summary>
public sealed class ReconciliationPlanTests
{
    private static readonly BatchItem[] Items = [Item(1), Item(2), Item(3)];

    private static BatchItem Item(int n) => new(n, $"key{n}", $"学生{n}", LedgerWorld.Id(n), "4107260001", "城关镇第一小学", "living_subsidy", new Yuan(625m), false, null);

    private static BankResultRow Row(int fileRow, int sequence, int person, bool success, decimal amount = 625m, string? reason = null) =>
        new(fileRow, sequence, LedgerWorld.IdFor(person), new Yuan(amount), success, reason);

    private static ReconciliationDecision Decide(params BankResultRow[] rows) => ReconciliationPlan.Decide(Items, rows);

    private static ItemDecision For(ReconciliationDecision d, int sequence) => d.Items.Single(i => i.Item.Sequence == sequence);

    [Fact]
    public void Decide_OneCleanRowEach_PaidOrFailedWithTheBanksReasonAndNoException()
    {
        var d = Decide(Row(2, 1, 1, true), Row(3, 2, 2, false, reason: "账户已冻结"), Row(4, 3, 3, true));

        Assert.Equal([PlannedOutcome.Paid, PlannedOutcome.Failed, PlannedOutcome.Paid], d.Items.Select(i => i.Outcome));
        Assert.Equal("账户已冻结", For(d, 2).BankReason);
        Assert.Empty(d.Exceptions);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Decide_SuccessAndFailureForOnePerson_InDoubtWhicheverComesFirst(bool first, bool second)
    {
        var d = Decide(Row(2, 1, 1, first), Row(3, 2, 2, true), Row(4, 3, 3, true), Row(5, 1, 1, second));

        Assert.Equal((PlannedOutcome.InDoubt, ReconciliationKinds.ContradictoryRows), (For(d, 1).Outcome, For(d, 1).Why));
        Assert.Equal([2, 5], d.Exceptions.Where(e => e.Kind == ReconciliationKinds.ContradictoryRows).Select(e => e.Row!.FileRow));
        Assert.Equal(PlannedOutcome.Paid, For(d, 2).Outcome);
    }

    [Fact]
    public void Decide_TwoAmountsForOnePerson_InDoubt()
    {
        var d = Decide(Row(2, 1, 1, true), Row(3, 1, 1, true, 600m), Row(4, 2, 2, true), Row(5, 3, 3, true));

        Assert.Equal((PlannedOutcome.InDoubt, ReconciliationKinds.ContradictoryRows), (For(d, 1).Outcome, For(d, 1).Why));
        Assert.All(d.Exceptions, e => Assert.Equal(1, e.Item!.Sequence));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_AmountDiffersFromTheBatch_InDoubtEvenAsAFailure(bool success)
    {
        var d = Decide(Row(2, 1, 1, true), Row(3, 2, 2, success, 626m), Row(4, 3, 3, true));

        Assert.Equal((PlannedOutcome.InDoubt, ReconciliationKinds.AmountDiffers), (For(d, 2).Outcome, For(d, 2).Why));
        Assert.Equal(ReconciliationKinds.AmountDiffers, Assert.Single(d.Exceptions).Kind);
    }

    [Fact]
    public void Decide_IdenticalDuplicateRow_OneAnswerAppliedOnceAndADuplicateRowException()
    {
        var d = Decide(Row(2, 1, 1, false, reason: "卡号错误"), Row(3, 1, 1, false, reason: "卡号错误"), Row(4, 2, 2, true), Row(5, 3, 3, true));

        Assert.Equal((PlannedOutcome.Failed, "卡号错误"), (For(d, 1).Outcome, For(d, 1).BankReason));
        var duplicate = Assert.Single(d.Exceptions);
        Assert.Equal((ReconciliationKinds.DuplicateRow, 3, "duplicateRow|r0000003"), (duplicate.Kind, duplicate.Row!.FileRow, duplicate.Key));
    }

    [Fact]
    public void Decide_StrayRowWithABatchPersonsIdUnderAnotherSequence_PutsThatPersonInDoubtAndAppliesNothing()
    {
        // Person 1 is paid at sequence 1, but the bank also names them under sequence 2 (person 2's row).
        var d = Decide(Row(2, 1, 1, true), Row(3, 2, 1, false), Row(4, 2, 2, true), Row(5, 3, 3, true));

        Assert.Equal((PlannedOutcome.InDoubt, ReconciliationKinds.IdMismatch), (For(d, 1).Outcome, For(d, 1).Why));
        Assert.Equal(PlannedOutcome.Paid, For(d, 2).Outcome);
        var stray = Assert.Single(d.Exceptions);
        Assert.Equal((ReconciliationKinds.IdMismatch, 1), (stray.Kind, stray.Item!.Sequence));
    }

    [Fact]
    public void Decide_UnknownIdNumber_NotInBatchWhateverItsSequenceAndNobodyAffected()
    {
        var d = Decide(Row(2, 1, 1, true), Row(3, 2, 2, true), Row(4, 3, 3, true), Row(5, 2, 99, false), Row(6, 7, 98, true));

        Assert.All(d.Items, i => Assert.Equal(PlannedOutcome.Paid, i.Outcome));
        Assert.Equal([(ReconciliationKinds.NotInBatch, (BatchItem?)null), (ReconciliationKinds.NotInBatch, null)], d.Exceptions.Select(e => (e.Kind, e.Item)));
    }

    [Fact]
    public void Decide_NoRowAnswersForAnItem_NotReturnedAndInDoubt()
    {
        var d = Decide(Row(2, 1, 1, true), Row(3, 3, 3, false));

        Assert.Equal((PlannedOutcome.NotReturned, EntitlementStatuses.InDoubt), (For(d, 2).Outcome, For(d, 2).Status));
        var missing = Assert.Single(d.Exceptions);
        Assert.Equal((ReconciliationKinds.NotReturned, "notReturned|s0000002"), (missing.Kind, missing.Key));
    }
}
