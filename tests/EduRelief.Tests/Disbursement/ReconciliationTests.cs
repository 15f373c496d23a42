using System.Text;
using EduRelief.Eligibility;
using EduRelief.Disbursement;
using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>Batches and the bank's result against Azurite, through the service the endpoints and the workflow call.</summary>
public sealed class ReconciliationTests
{
    private const string Program = "living_subsidy";
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<(LedgerWorld World, DisbursementService Service, Batch Batch, IReadOnlyList<BatchItem> Items)> CutFirstBatchAsync(int people = 4)
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync(Enumerable.Range(1, people).Select(n => LedgerWorld.Student(n)));
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        var cut = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        Assert.True(cut.Created);
        return (world, service, cut.Batch!, await service.ListItemsAsync(LedgerWorld.CycleId, cut.Batch!.Id, None));
    }

    private static async Task<ProgramTotals> TotalsAsync(DisbursementService service)
    {
        var totals = (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single(t => t.Program == Program);
        Assert.Equal(totals.Owed, totals.Paid + totals.Pending + totals.Failed + totals.Held + totals.InDoubt);
        return totals;
    }

    [Fact]
    public async Task CutBatchAsync_FourPayable_SealsOneBatchWithSequencesAndTotal()
    {
        var (_, service, batch, items) = await CutFirstBatchAsync();

        Assert.Equal(BatchStatuses.Sealed, batch.Status);
        Assert.Equal($"{Program}-001", batch.Id);
        Assert.Equal(4, batch.Count);
        Assert.Equal(new Yuan(2500m), batch.Total);
        Assert.Equal([1, 2, 3, 4], items.Select(i => i.Sequence));
        Assert.Equal(items.OrderBy(i => i.PersonKey, StringComparer.Ordinal).Select(i => i.PersonKey), items.Select(i => i.PersonKey));
        // Everything is claimed: a second cut has nothing to pay and writes no batch.
        Assert.Null((await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch);
        Assert.Single(await service.ListBatchesAsync(LedgerWorld.CycleId, None));
        var totals = await TotalsAsync(service);
        Assert.Equal(new Figure(4, new Yuan(2500m)), totals.Pending);
    }

    [Fact]
    public async Task PaymentFile_SealedBatch_IsGbkWithHeaderRowsAndTrailerAndEveryDownloadIsRecorded()
    {
        var (_, service, batch, items) = await CutFirstBatchAsync(3);

        var first = await service.DownloadPaymentFileAsync(batch, "admin-1", None);
        var second = await service.DownloadPaymentFileAsync(batch, "admin-2", None);

        Assert.Equal(first!.Value.Sha256, second!.Value.Sha256);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var lines = Encoding.GetEncoding(936).GetString(first.Value.File).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("序号,姓名,身份证号,资助项目,金额,学校标识码,账户名,账号,开户行", lines[0]);
        var account = items[0].Account!;
        Assert.Equal(items[0].Name, account.Holder);
        Assert.Matches("^62[0-9]{17}$", account.Number);
        Assert.Equal($"1,{items[0].Name},{items[0].IdNumber.Value},生活补助,625.00,4107260001,{items[0].Name},{account.Number},中国农业银行延津县支行", lines[1]);
        Assert.Equal("合计,3,1875.00", lines[^1]);
        Assert.Equal(5, lines.Length);
        var downloads = await service.ListDownloadsAsync(LedgerWorld.CycleId, batch.Id, None);
        Assert.Equal(["admin-1", "admin-2"], downloads.Select(d => d.Actor).Order());
        Assert.Equal(2, (await service.GetBatchAsync(LedgerWorld.CycleId, batch.Id, None))!.Downloads);
    }

    [Fact]
    public async Task ReconcileAsync_EveryExceptionKind_RecordedAndOnlyCleanSuccessesPaid()
    {
        var (_, service, batch, items) = await CutFirstBatchAsync(5);
        var file = BankResult.Csv(
        [
            new(1, items[0].IdNumber.Value, items[0].Amount.Value, true),                // paid
            new(2, items[1].IdNumber.Value, items[1].Amount.Value + 10m, true),          // amountDiffers
            new(3, items[1].IdNumber.Value, items[2].Amount.Value, true),                // idMismatch: sequence 3 is someone else
            new(9, LedgerWorld.IdFor(99), 625m, true),                       // notInBatch
            new(1, items[0].IdNumber.Value, items[0].Amount.Value, true),                // duplicateRow
            new(4, items[3].IdNumber.Value, items[3].Amount.Value, false, "卡号错误"),    // failed: owed, next batch
            new(5, LedgerWorld.IdFor(98), items[4].Amount.Value, true),            // notInBatch: nobody of the batch
            // sequences 3 and 5: no row answers for them, notReturned
        ]);

        var outcome = await BankResult.ReconcileAsync(service, batch.Id, file);

        Assert.Equal(ReconcileStatus.Reconciled, outcome.Status);
        Assert.Equal(
            [ReconciliationKinds.AmountDiffers, ReconciliationKinds.DuplicateRow, ReconciliationKinds.IdMismatch, ReconciliationKinds.NotInBatch, ReconciliationKinds.NotInBatch, ReconciliationKinds.NotReturned, ReconciliationKinds.NotReturned],
            outcome.Exceptions.Select(e => e.Kind).Order(StringComparer.Ordinal));
        Assert.Equal([3, 5], outcome.Exceptions.Where(e => e.Kind == ReconciliationKinds.NotReturned).Select(e => e.Sequence!.Value).Order());
        Assert.Equal(3, outcome.Exceptions.Single(e => e.Kind == ReconciliationKinds.IdMismatch).Sequence);
        Assert.Equal(new Yuan(635m), outcome.Exceptions.Single(e => e.Kind == ReconciliationKinds.AmountDiffers).BankAmount);
        Assert.All(outcome.Exceptions, e => Assert.Contains("********", e.MaskedId));
        Assert.Equal(new BatchFigures(1, new Yuan(625m), 1, new Yuan(625m), 7) { InDoubt = new Figure(3, new Yuan(1875m)) }, outcome.Batch!.Result);
        var totals = await TotalsAsync(service);
        Assert.Equal(new Figure(1, new Yuan(625m)), totals.Paid);
        Assert.Equal(new Figure(1, new Yuan(625m)), totals.Failed);
        Assert.Equal(Figure.Zero, totals.Pending);
        Assert.Equal(new Figure(3, new Yuan(1875m)), totals.InDoubt); // rows 2, 3 and 5 stay owed in the batch until a person resolves them
        var states = await service.ListItemStatesAsync(LedgerWorld.CycleId, batch.Id, None);
        Assert.Equal(
            [("paid", null), ("inDoubt", ReconciliationKinds.AmountDiffers), ("inDoubt", ReconciliationKinds.NotReturned), ("failed", null), ("inDoubt", ReconciliationKinds.NotReturned)],
            states.Select(s => (s.Status, s.InDoubtReason)));
        Assert.Equal("卡号错误", states[3].BankReason);
    }

    [Fact]
    public async Task ReconcileAsync_SameFileTwice_ChangesNothingAndAnotherFileIsRefused()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(3);
        var file = BankResult.Csv(BankResult.For(items, i => i.Sequence == 2));
        var first = await BankResult.ReconcileAsync(service, batch.Id, file);
        var paymentsBefore = await world.AllAsync("payments");
        var entitlementsBefore = (await world.AllAsync("entitlements")).Select(e => e.ETag.ToString()).Order(StringComparer.Ordinal).ToList();

        var again = await BankResult.ReconcileAsync(world.Service(), batch.Id, file);
        var other = await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(BankResult.For(items)));

        Assert.Equal(ReconcileStatus.Reconciled, first.Status);
        Assert.Equal(ReconcileStatus.Unchanged, again.Status);
        Assert.Equal(ReconcileStatus.DifferentFile, other.Status);
        Assert.Equal(2, paymentsBefore.Count);
        Assert.Equal(paymentsBefore.Select(p => p.ETag), (await world.AllAsync("payments")).Select(p => p.ETag));
        Assert.Equal(entitlementsBefore, (await world.AllAsync("entitlements")).Select(e => e.ETag.ToString()).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(first.Batch!.Result, again.Batch!.Result);
    }

    [Fact]
    public async Task ResolveAsync_InDoubtRows_PaidOnceOrOwedAgainFirstResolutionWins()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(4);
        // Row 2 comes back with another amount, row 3 not at all; rows 1 and 4 are paid.
        await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(
        [
            new(1, items[0].IdNumber.Value, items[0].Amount.Value, true),
            new(2, items[1].IdNumber.Value, items[1].Amount.Value + 10m, true),
            new(4, items[3].IdNumber.Value, items[3].Amount.Value, true),
        ]));
        Assert.Equal(new Figure(2, new Yuan(1250m)), (await TotalsAsync(service)).InDoubt);
        Assert.Null((await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch);

        // The bank confirms row 2 arrived (its amount was a typo in their file); row 3 never left: pay it again.
        var resolved = await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 2, paid: true, "银行确认已入账", "admin", None);
        Assert.Equal((ResolveStatus.Resolved, "paid", "银行确认已入账"), (resolved.Status, resolved.Resolution!.Outcome, resolved.Resolution.Reason));
        var repeated = await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 2, paid: true, "重复提交", "admin-2", None);
        Assert.Equal((ResolveStatus.AlreadyResolved, "银行确认已入账", "admin"), (repeated.Status, repeated.Resolution!.Reason, repeated.Resolution.ResolvedBy));
        var other = await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 2, paid: false, "改口", "admin-2", None);
        Assert.Equal((ResolveStatus.Conflict, "paid"), (other.Status, other.Resolution!.Outcome));
        Assert.Equal(ResolveStatus.NothingToResolve, (await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 1, paid: false, "已付行", "admin", None)).Status);
        Assert.Equal(ResolveStatus.NotFound, (await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 9, paid: false, "x", "admin", None)).Status);
        Assert.Equal(ResolveStatus.Resolved, (await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 3, paid: false, "银行未收到该行", "admin", None)).Status);

        var totals = await TotalsAsync(service);
        Assert.Equal(new Figure(3, new Yuan(1875m)), totals.Paid);
        Assert.Equal(new Figure(1, new Yuan(625m)), totals.Failed);
        Assert.Equal(Figure.Zero, totals.InDoubt);
        Assert.Equal(3, (await world.AllAsync("payments")).Count);
        var next = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        Assert.Equal([items[2].PersonKey], (await service.ListItemsAsync(LedgerWorld.CycleId, next.Batch!.Id, None)).Select(i => i.PersonKey));
        Assert.Equal(["paid", "paid", "failed", "paid"], (await service.ListItemStatesAsync(LedgerWorld.CycleId, batch.Id, None)).Select(s => s.Status));

        // Each exception says how it was resolved, so nobody is offered to resolve it again.
        var exceptions = (await service.ListExceptionsAsync(LedgerWorld.CycleId, batch.Id, None)).ToDictionary(e => e.ItemSequence!.Value);
        Assert.Equal(("paid", "银行确认已入账", "admin"), (exceptions[2].Resolution, exceptions[2].ResolutionReason, exceptions[2].ResolvedBy));
        Assert.Equal(("unpaid", "银行未收到该行"), (exceptions[3].Resolution, exceptions[3].ResolutionReason));
        Assert.Equal(world.Clock.GetUtcNow(), exceptions[3].ResolvedAt);
    }

    [Fact]
    public async Task ReconcileAsync_SuccessAndFailureForOnePerson_InDoubtAndNeverInTheNextBatchUntilResolved()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(3);
        var doubtful = items[0];
        await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(
        [
            new(1, doubtful.IdNumber.Value, doubtful.Amount.Value, false, "账户已冻结"),
            new(2, items[1].IdNumber.Value, items[1].Amount.Value, false, "卡号错误"),
            new(3, items[2].IdNumber.Value, items[2].Amount.Value, true),
            new(1, doubtful.IdNumber.Value, doubtful.Amount.Value, true),
        ]));
        // Preparing the entitlements again (a dismissed objection names the person) does not move an in-doubt row.
        await world.HoldAsync("C1", LedgerWorld.Student(int.Parse(doubtful.Name[2..])), HoldStatuses.Dismissed);
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);

        var next = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        var backPay = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.BackPay, "补发", "admin", null, None);

        Assert.Equal([items[1].PersonKey], (await service.ListItemsAsync(LedgerWorld.CycleId, next.Batch!.Id, None)).Select(i => i.PersonKey));
        Assert.Null(backPay.Batch);
        Assert.Equal(new Figure(1, new Yuan(625m)), (await TotalsAsync(service)).InDoubt);
        Assert.DoesNotContain(await world.AllAsync("payments"), x => x.RowKey.EndsWith(doubtful.PersonKey, StringComparison.Ordinal));
        Assert.False(DisbursementCycleFigures.IsSettled(await service.TotalsAsync(LedgerWorld.CycleId, None)));

        // Resolved unpaid, the next batch takes it (once the batch in flight is answered).
        await BankResult.ReconcileAsync(service, next.Batch.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, next.Batch.Id, None))));
        Assert.Equal(ResolveStatus.Resolved, (await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, 1, paid: false, "银行确认未入账", "admin", None)).Status);
        var third = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        Assert.Equal([doubtful.PersonKey], (await service.ListItemsAsync(LedgerWorld.CycleId, third.Batch!.Id, None)).Select(i => i.PersonKey));
    }

    /// <summary>
    /// The process dies right after each storage write of applying a result in turn (write 1, then 2, … until an apply
    /// runs through): the step redelivered to a healthy instance finishes it, a second redelivery changes nothing, and
    /// the money is applied once.
    /// </summary>
    [Fact]
    public async Task ApplyResultAsync_CrashedAfterAnyWriteThenRedelivered_AppliesOnceAndCountersEqualRecount()
    {
        for (var n = 1; ; n++)
        {
            var (world, _, batch, items) = await CutFirstBatchAsync(4);
            var file = BankResult.Csv(BankResult.For(items, i => i.Sequence == 2));
            var crash = new CrashAtWrite(n);
            var crashing = world.Service(crash.At);
            Assert.Equal(AcceptStatus.Accepted, (await crashing.AcceptResultAsync(LedgerWorld.CycleId, batch.Id, file, None)).Status);
            Assert.Equal(AcceptStatus.AlreadyAccepted, (await world.Service().AcceptResultAsync(LedgerWorld.CycleId, batch.Id, file, None)).Status);
            Assert.Equal(BatchStatuses.Reconciling, (await world.Service().GetBatchAsync(LedgerWorld.CycleId, batch.Id, None))!.Status);

            crash.Armed = true;
            try
            {
                await crashing.ApplyResultAsync(LedgerWorld.CycleId, batch.Id, None);
            }
            catch (SimulatedCrashException)
            {
                Assert.True(crash.Crashed);
            }

            var service = world.Service();
            var first = await service.ApplyResultAsync(LedgerWorld.CycleId, batch.Id, None);
            var redelivered = await service.ApplyResultAsync(LedgerWorld.CycleId, batch.Id, None);

            Assert.Equal(BatchStatuses.Reconciled, first!.Status);
            Assert.Equal(new BatchFigures(3, new Yuan(1875m), 1, new Yuan(625m), 0) { InDoubt = Figure.Zero }, first.Result);
            Assert.Equal(first.Result, redelivered!.Result);
            Assert.Equal(3, (await world.AllAsync("payments")).Count);
            Assert.Single((await world.AllAsync("entitlements")).Where(e => e.GetString("Status") == EntitlementStatuses.Failed), e => e.GetInt32("Attempts") == 1);
            Assert.Equal(AcceptStatus.AlreadyReconciled, (await service.AcceptResultAsync(LedgerWorld.CycleId, batch.Id, file, None)).Status);
            Assert.Equal(AcceptStatus.DifferentFile, (await service.AcceptResultAsync(LedgerWorld.CycleId, batch.Id, BankResult.Csv(BankResult.For(items)), None)).Status);
            await CountersTests.AssertCountersEqualRecountAsync(service);
            if (!crash.Crashed)
            {
                // Every write of a clean apply has had its crash; the loop ran at least through the payment rows.
                Assert.True(n > 3, $"an apply wrote only {n - 1} times");
                return;
            }
        }
    }

    [Fact]
    public async Task ReconcileAsync_FourIdenticalUploadsAtOnce_OneReconciledAndEffectsApplyOnce()
    {
        var (world, _, batch, items) = await CutFirstBatchAsync(6);
        var file = BankResult.Csv(BankResult.For(items, i => i.Sequence % 2 == 0));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => BankResult.ReconcileAsync(world.Service(), batch.Id, file)));

        Assert.Equal(1, outcomes.Count(o => o.Status == ReconcileStatus.Reconciled));
        Assert.Equal(3, outcomes.Count(o => o.Status == ReconcileStatus.Unchanged));
        Assert.Equal(3, (await world.AllAsync("payments")).Count);
        Assert.All((await world.AllAsync("entitlements")).Where(e => e.GetString("Status") == EntitlementStatuses.Failed), e => Assert.Equal(1, e.GetInt32("Attempts")));
    }

    [Fact]
    public async Task ResolveAsync_IdenticalResolutionsAtOnce_AppliedOnce()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(2);
        await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv([new(1, items[0].IdNumber.Value, items[0].Amount.Value, true)]));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(n => world.Service().ResolveAsync(LedgerWorld.CycleId, batch.Id, 2, paid: false, "银行未收到", $"admin-{n}", None)));

        Assert.Equal(1, outcomes.Count(o => o.Status == ResolveStatus.Resolved));
        Assert.Single(outcomes.Select(o => o.Resolution!.ResolvedBy).Distinct());
        var row = (await world.AllAsync("entitlements")).Single(e => e.RowKey.EndsWith(items[1].PersonKey, StringComparison.Ordinal));
        Assert.Equal((EntitlementStatuses.Failed, 1), (row.GetString("Status"), row.GetInt32("Attempts")));
    }

    [Fact]
    public async Task FailedPayment_GoesIntoNextBatch_ThenSucceedsOnce()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(3);
        var failing = items[1];
        await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(BankResult.For(items, i => i.PersonKey == failing.PersonKey)));
        Assert.Equal(new Figure(1, new Yuan(625m)), (await TotalsAsync(service)).Failed);

        var next = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        var nextItems = await service.ListItemsAsync(LedgerWorld.CycleId, next.Batch!.Id, None);
        Assert.Equal($"{Program}-002", next.Batch.Id);
        Assert.Equal([failing.PersonKey], nextItems.Select(i => i.PersonKey));
        Assert.Equal(new Figure(1, new Yuan(625m)), (await TotalsAsync(service)).Pending);

        await BankResult.ReconcileAsync(service, next.Batch.Id, BankResult.Csv(BankResult.For(nextItems)));

        var totals = await TotalsAsync(service);
        Assert.Equal(new Figure(3, new Yuan(1875m)), totals.Paid);
        Assert.Equal(Figure.Zero, totals.Failed);
        Assert.Equal(Figure.Zero, totals.Pending);
        var payments = await world.AllAsync("payments");
        Assert.Equal(3, payments.Count);
        Assert.Equal(next.Batch.Id, payments.Single(p => p.RowKey.EndsWith(failing.PersonKey, StringComparison.Ordinal)).GetString("BatchId"));
        var row = (await world.AllAsync("entitlements")).Single(e => e.RowKey.EndsWith(failing.PersonKey, StringComparison.Ordinal));
        Assert.Equal(1, row.GetInt32("Attempts"));
        Assert.Equal("账户已冻结", row.GetString("FailureReason"));
        Assert.Null((await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch);
    }

    [Fact]
    public async Task ReconcileAsync_SuccessForKeyPaidInAnotherBatch_RefusedByStorageAsAlreadyPaid()
    {
        var (world, service, batch, items) = await CutFirstBatchAsync(2);
        await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(BankResult.For(items, i => i.Sequence == 1)));
        var next = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        var nextItems = await service.ListItemsAsync(LedgerWorld.CycleId, next.Batch!.Id, None);
        await BankResult.ReconcileAsync(service, next.Batch.Id, BankResult.Csv(BankResult.For(nextItems)));
        // Forge the situation the keys exist for: the same ledger key in a third batch, the bank reporting success again.
        var forged = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);
        Assert.Null(forged.Batch);
        var paid = (await world.AllAsync("entitlements")).Single(e => e.RowKey.EndsWith(nextItems[0].PersonKey, StringComparison.Ordinal));
        paid["Status"] = EntitlementStatuses.Pending;
        paid.Remove("PaidBatchId");
        await world.Storage.Table("entitlements").UpdateEntityAsync(paid, paid.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        var third = await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None);

        var outcome = await BankResult.ReconcileAsync(service, third.Batch!.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, third.Batch.Id, None))));

        Assert.Equal(ReconciliationKinds.AlreadyPaid, Assert.Single(outcome.Exceptions).Kind);
        Assert.Equal(2, (await world.AllAsync("payments")).Count);
    }

    [Fact]
    public async Task BackPay_DismissedObjectionAndLateConfirmation_GoIntoSupplementaryBatchWithReason()
    {
        var world = await LedgerWorld.CreateAsync();
        var held = LedgerWorld.Student(1);
        var cancelled = LedgerWorld.Student(2);
        await world.AddLedgerAsync([held, cancelled, LedgerWorld.Student(3)]);
        await world.HoldAsync("C1", held, HoldStatuses.Open);
        await world.HoldAsync("C2", cancelled, HoldStatuses.Open);
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        var regular = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;
        Assert.Equal(1, regular.Count);
        Assert.Equal(new Figure(2, new Yuan(1250m)), (await TotalsAsync(service)).Held);

        await world.HoldAsync("C1", held, HoldStatuses.Dismissed);
        await world.HoldAsync("C2", cancelled, HoldStatuses.Upheld);
        await world.AddLedgerAsync([LedgerWorld.Student(4)], source: "review");
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        Assert.True(await service.AddLateAsync(LedgerWorld.CycleId, new Payable("学生5", LedgerWorld.Id(5), "4107260002", "城关镇第二小学", Program, new Yuan(625m)), "控辍保学劝返入学", None));
        Assert.False(await service.AddLateAsync(LedgerWorld.CycleId, new Payable("学生5", LedgerWorld.Id(5), "4107260002", "城关镇第二小学", Program, new Yuan(625m)), "again", None));
        // A late child is paid only once an account in their name is on file and checked.
        world.Registry.Give(LedgerWorld.IdFor(5), "学生5");
        await world.CheckAccountsAsync();
        var backPay = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.BackPay, "补发：异议不成立及复核确认", "admin", null, None)).Batch!;
        var items = await service.ListItemsAsync(LedgerWorld.CycleId, backPay.Id, None);
        await BankResult.ReconcileAsync(service, regular.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, regular.Id, None))));
        await BankResult.ReconcileAsync(service, backPay.Id, BankResult.Csv(BankResult.For(items)));

        Assert.Equal(BatchKinds.BackPay, backPay.Kind);
        Assert.Equal("补发：异议不成立及复核确认", backPay.Reason);
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.True(i.BackPay));
        Assert.Contains(items, i => i.BackPayReason == "objection dismissed after the regular batch was cut");
        Assert.Contains(items, i => i.BackPayReason == "控辍保学劝返入学");
        var totals = await TotalsAsync(service);
        Assert.Equal(new Figure(4, new Yuan(2500m)), totals.Paid);
        Assert.Equal(new Figure(3, new Yuan(1875m)), totals.BackPaid);
        Assert.Equal(new Figure(1, new Yuan(625m)), totals.Cancelled);
        Assert.Equal(new Figure(4, new Yuan(2500m)), totals.Owed);
        var disclosure = await service.DisclosureAsync(LedgerWorld.CycleId, None);
        Assert.Equal([("4107260001", 3, 1875m), ("4107260002", 1, 625m)], disclosure.Select(d => (d.SchoolCode, d.Recipients, d.Amount.Value)));
    }

    [Fact]
    public async Task CutAfterNoticeAsync_SameStepDeliveredTwice_CutsOneBatchPerProgram()
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync([LedgerWorld.Student(1), LedgerWorld.Student(2), LedgerWorld.Student(3, amount: 500m, program: "preschool_aid")]);
        var service = world.Service();

        var first = await service.CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-42", None);
        await world.AddLedgerAsync([LedgerWorld.Student(4)]); // a late row must not make the redelivered step cut again
        var again = await world.Service().CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-42", None);

        Assert.Equal(["living_subsidy-001", "preschool_aid-001"], first.Select(b => b.Id).Order(StringComparer.Ordinal));
        Assert.Equal(first.Select(b => b.Id), again.Select(b => b.Id));
        Assert.Equal(2, (await service.ListBatchesAsync(LedgerWorld.CycleId, None)).Count);
        Assert.False(await service.AllReconciledAsync(LedgerWorld.CycleId, None));
        foreach (var batch in first)
        {
            await BankResult.ReconcileAsync(service, batch.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None))));
        }

        Assert.True(await service.AllReconciledAsync(LedgerWorld.CycleId, None));
        Assert.Equal(new Figure(1, new Yuan(625m)), (await TotalsAsync(service)).Pending); // the late row waits for the next batch
    }

    [Fact]
    public async Task CutBatchAsync_ObjectionSinceLastPrepare_LeavesThePersonOut()
    {
        var world = await LedgerWorld.CreateAsync();
        var named = LedgerWorld.Student(1);
        await world.AddLedgerAsync([named, LedgerWorld.Student(2)]);
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        await world.HoldAsync("C9", named, HoldStatuses.Open);

        var batch = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;

        var items = await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None);
        Assert.Equal([LedgerWorld.IdFor(2)], items.Select(i => i.IdNumber.Value));
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        Assert.Equal(new Figure(1, new Yuan(625m)), (await TotalsAsync(service)).Held);
    }

    /// <summary>
    /// The process dies right after each storage write of cutting a batch in turn (the batch row, the claims, the items,
    /// the seal …): the step rerun on another instance finishes the same batch, with every row once.
    /// </summary>
    [Fact]
    public async Task CutBatchAsync_CrashAfterAnyWrite_RerunOnAnotherInstanceFinishesTheSameBatch()
    {
        for (var n = 1; ; n++)
        {
            var world = await LedgerWorld.CreateAsync();
            await world.AddLedgerAsync(Enumerable.Range(1, 5).Select(n => LedgerWorld.Student(n)));
            var crash = new CrashAtWrite(n);
            var crashing = world.Service(crash.At);
            await crashing.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
            crash.Armed = true;
            try
            {
                await crashing.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "workflow", "step-1", None);
            }
            catch (SimulatedCrashException)
            {
                Assert.True(crash.Crashed);
            }

            var rerun = await world.Service().CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "workflow", "step-1", None);

            Assert.Equal($"{Program}-001", rerun.Batch!.Id);
            Assert.Equal(BatchStatuses.Sealed, rerun.Batch.Status);
            Assert.Equal(5, rerun.Batch.Count);
            Assert.Equal(5, (await world.Service().ListItemsAsync(LedgerWorld.CycleId, rerun.Batch.Id, None)).Select(i => i.PersonKey).Distinct().Count());
            Assert.Single(await crashing.ListBatchesAsync(LedgerWorld.CycleId, None));
            if (!crash.Crashed)
            {
                Assert.True(n > 3, $"a cut wrote only {n - 1} times");
                return;
            }
        }
    }

    [Fact]
    public void ParseResult_BadRowsAndMissingColumn_NameRowAndColumn()
    {
        var (_, missing) = BankFiles.ParseResult(Encoding.UTF8.GetBytes("序号,身份证号,状态\r\n1,x,成功\r\n"));
        var (rows, bad) = BankFiles.ParseResult(Encoding.UTF8.GetBytes("序号,身份证号,金额,状态,原因\r\n1,410726201503010012,625.00,成功,\r\nx,410726201503010012,6.255,好,\r\n"));

        Assert.Equal(["金额"], missing.Keys);
        Assert.Empty(rows);
        Assert.Equal(["row 3, 序号", "row 3, 状态", "row 3, 金额"], bad.Keys.Order(StringComparer.Ordinal));
    }
}
