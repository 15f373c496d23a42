using Azure.Data.Tables;
using EduRelief.Eligibility;
using EduRelief.Disbursement;
using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>The cycle's money comes from counters kept with the entitlement rows; a recount of every row is the oracle.</summary>
public sealed class CountersTests
{
    private const string Program = "living_subsidy";
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>
    /// County-wide and for each school, the sum of the partitions' counters and (<paramref name="rollup"/>) the cycle's
    /// roll-up (what GET /api/cycles/{id} shows) both equal a scan of every entitlement row: a writer that forgot a
    /// counter, or forgot to refresh the roll-up, fails here. Right after a crash the roll-up may lag for the partitions
    /// written before it (until a retry names them or every partition is refreshed): such a check leaves it out.
    /// </summary>
    internal static async Task AssertCountersEqualRecountAsync(DisbursementService service, bool rollup = true)
    {
        foreach (var school in new string?[] { null, "4107260001", "4107260002" })
        {
            var recount = await service.RecountAsync(LedgerWorld.CycleId, None, school);
            Assert.Equal(recount, await service.CountersTotalsAsync(LedgerWorld.CycleId, None, school));
            if (rollup)
            {
                Assert.Equal(recount, await service.TotalsAsync(LedgerWorld.CycleId, None, school));
            }
        }
    }

    [Fact]
    public void Apply_RowMovesFromPendingToBackPaid_CountsMoveAndRoundTrip()
    {
        static TableEntity Row(string status, bool backPay) => new("c|00", "living_subsidy|00ab")
        {
            ["SchoolCode"] = "4107260001", ["Program"] = Program, ["AmountFen"] = 62500L, ["Status"] = status, ["BackPay"] = backPay,
        };
        var counters = new EntitlementCounters();

        Assert.True(counters.Apply(null, Row(EntitlementStatuses.Pending, true)));
        Assert.False(counters.Apply(Row(EntitlementStatuses.Pending, true), Row(EntitlementStatuses.Pending, false)));
        Assert.True(counters.Apply(Row(EntitlementStatuses.Pending, true), Row(EntitlementStatuses.Paid, true)));
        var stored = new TableEntity("c|00", EntitlementTable.CounterRow);
        counters.WriteTo(stored);
        var totals = Assert.Single(EntitlementCounters.ReadFrom(stored).Totals([Program], "4107260001"));

        Assert.Equal((new Figure(1, new Yuan(625m)), new Figure(1, new Yuan(625m)), Figure.Zero, new Figure(1, new Yuan(625m))), (totals.Owed, totals.Paid, totals.Pending, totals.BackPaid));
        Assert.Empty(EntitlementCounters.ReadFrom(stored).Totals([Program], "4107260002"));
    }

    [Fact]
    public void TryAddChanges_KeptChangesAddUpToTheDifference_OlderVersionsAreRefused()
    {
        static TableEntity Row(int n) => new("c|00", $"{Program}|{n:x4}")
        {
            ["SchoolCode"] = "4107260001", ["Program"] = Program, ["AmountFen"] = 100L * n, ["Status"] = EntitlementStatuses.Pending,
        };

        // Twelve writes, one new pending row each: version n holds rows 1..n.
        var written = new List<TableEntity?> { null };
        var counters = new EntitlementCounters();
        for (var n = 1; n <= 12; n++)
        {
            var change = new EntitlementCounters();
            counters.Apply(null, Row(n));
            change.Apply(null, Row(n));
            var next = new TableEntity("c|00", EntitlementTable.CounterRow);
            counters.WriteTo(next);
            CounterVersions.Follow(written[^1], next, change);
            written.Add(next);
        }

        var latest = written[^1];
        Assert.Equal(12, CounterVersions.VersionOf(latest));

        // From version 6: rows 7..12 are added, as a roll-up holding version 6 needs.
        var sums = EntitlementCounters.ReadFrom(written[6]);
        Assert.True(CounterVersions.TryAddChanges(latest, 6, sums));
        Assert.Equal(EntitlementCounters.ReadFrom(latest).Totals([Program], null), sums.Totals([Program], null));

        // Version 3 is more than the kept changes behind: refused, nothing added (the roll-up is summed anew).
        var untouched = EntitlementCounters.ReadFrom(written[3]);
        Assert.False(CounterVersions.TryAddChanges(latest, 3, untouched));
        Assert.Equal(EntitlementCounters.ReadFrom(written[3]).Totals([Program], null), untouched.Totals([Program], null));
        Assert.True(CounterVersions.TryAddChanges(latest, 12, untouched));
    }

    [Fact]
    public async Task TotalsAsync_ManyStepsRefreshingAtOnceOnTwoInstances_EqualsRecount()
    {
        var world = await LedgerWorld.CreateAsync();
        var instances = new[] { world.Service(), world.Service() };
        await instances[0].PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);

        // Each late entitlement moves one partition's counter and then refreshes the roll-up, racing the others.
        await Parallel.ForEachAsync(Enumerable.Range(1, 16), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
            await instances[n % 2].AddLateAsync(
                LedgerWorld.CycleId, new Payable($"学生{n}", LedgerWorld.Id(n), n % 3 == 0 ? "4107260002" : "4107260001", "城关镇第一小学", Program, new Yuan(500m + n)), "控辍保学劝返入学", ct));

        await AssertCountersEqualRecountAsync(instances[1]);
        Assert.Equal(16, (await instances[0].TotalsAsync(LedgerWorld.CycleId, None)).Single().Pending.Count);
    }

    [Fact]
    public async Task TotalsAsync_JourneyWithFailuresInDoubtHoldsAndBackPay_EqualsRecountAfterEveryStep()
    {
        var world = await LedgerWorld.CreateAsync();
        var students = Enumerable.Range(1, 12).Select(n => LedgerWorld.Student(n, n % 3 == 0 ? "4107260002" : "4107260001")).ToList();
        await world.AddLedgerAsync(students);
        await world.HoldAsync("C1", students[0], HoldStatuses.Open);
        await world.HoldAsync("C2", students[1], HoldStatuses.Open);
        var service = world.Service();
        await AssertCountersEqualRecountAsync(service);
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        await AssertCountersEqualRecountAsync(service);
        Assert.Equal(new Figure(2, new Yuan(1250m)), (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single().Held);

        var first = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;
        await AssertCountersEqualRecountAsync(service);
        var items = await service.ListItemsAsync(LedgerWorld.CycleId, first.Id, None);
        // Rows 1-2 fail, row 3 comes back twice with two answers (in doubt), row 4 is not returned, the rest are paid.
        var lines = BankResult.For(items.Where(i => i.Sequence != 4), i => i.Sequence <= 2).ToList();
        lines.Add(new BankResult.Line(3, items[2].IdNumber.Value, items[2].Amount.Value, false, "账户异常"));
        await BankResult.ReconcileAsync(service, first.Id, BankResult.Csv(lines));
        await AssertCountersEqualRecountAsync(service);
        Assert.Equal(new Figure(2, new Yuan(1250m)), (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single().InDoubt);

        // One in-doubt row resolved paid, the other unpaid; one hold dismissed (补发), the other upheld (cancelled).
        await service.ResolveAsync(LedgerWorld.CycleId, first.Id, 3, paid: true, "银行确认已入账", "admin", None);
        await AssertCountersEqualRecountAsync(service);
        await service.ResolveAsync(LedgerWorld.CycleId, first.Id, 4, paid: false, "银行未收到", "admin", None);
        await AssertCountersEqualRecountAsync(service);
        await world.HoldAsync("C1", students[0], HoldStatuses.Dismissed);
        await world.HoldAsync("C2", students[1], HoldStatuses.Upheld);
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        await AssertCountersEqualRecountAsync(service);
        await service.AddLateAsync(LedgerWorld.CycleId, new Payable("学生99", LedgerWorld.Id(99), "4107260002", "城关镇第二小学", Program, new Yuan(750m)), "控辍保学劝返入学", None);
        await AssertCountersEqualRecountAsync(service);

        var second = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;
        await AssertCountersEqualRecountAsync(service);
        await BankResult.ReconcileAsync(service, second.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, second.Id, None))));
        await AssertCountersEqualRecountAsync(service);
        world.Registry.Give(LedgerWorld.IdFor(99), "学生99");
        await world.CheckAccountsAsync("disbursement");
        var backPay = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.BackPay, "补发", "admin", null, None)).Batch!;
        await AssertCountersEqualRecountAsync(service);
        await BankResult.ReconcileAsync(service, backPay.Id, BankResult.Csv(BankResult.For(await service.ListItemsAsync(LedgerWorld.CycleId, backPay.Id, None))));

        await AssertCountersEqualRecountAsync(service);
        var totals = (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single();
        Assert.Equal((12, 1, 0), (totals.Paid.Count, totals.Cancelled.Count, totals.Pending.Count + totals.Failed.Count + totals.Held.Count + totals.InDoubt.Count));
        Assert.True(totals.BackPaid.Count >= 2, $"backPaid {totals.BackPaid.Count}: the dismissed objection and the late child");
    }
}
