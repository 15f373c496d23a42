using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Rosters;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// The notice-end cut works through the entitlement partitions a group at a time (issue 13, peak memory): whatever the
/// groups, every payable child is in exactly one batch of its program, with its own account, once; a child without an
/// account is left for 补发; a cut that crashed part-way through the groups is finished, not cut again.
/// </summary>
public sealed class GroupedCutTests
{
    private const string Living = "living_subsidy";
    private const string Preschool = "preschool_aid";
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>300 children, half in each program; their person keys fall in every group of partitions.</summary>
    private static readonly IReadOnlyList<StudentRecord> Students =
        [.. Enumerable.Range(1, 300).Select(n => LedgerWorld.Student(n, n % 2 == 0 ? "4107260001" : "4107260002", 500m + n, n % 2 == 0 ? Living : Preschool))];

    [Fact]
    public void Students_PersonKeys_FallInEveryGroupOfPartitions()
    {
        var groups = ShardRange.Groups(16).ToList();
        Assert.Equal(16, groups.Count);
        Assert.Equal(("00", "ff"), (groups[0].First, groups[^1].Last));
        Assert.All(groups, g => Assert.Contains(Students, s => InRange(g, PersonKeys.Shard(s.IdNumber.PersonKey))));
    }

    [Fact]
    public async Task CutAfterNoticeAsync_RowsInEveryGroup_EachPayableChildOnceWithItsAccountAndTheRestFor补发()
    {
        var world = await LedgerWorld.CreateAsync();
        var withoutAccount = Students.Where((_, i) => i % 25 == 0).ToList();
        await world.AddLedgerAsync(Students.Except(withoutAccount));
        await world.AddLedgerAsync(withoutAccount, withAccounts: false);
        var service = world.Service();

        var batches = await service.CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-1", None);

        Assert.Equal([Living, Preschool], batches.Select(b => b.Program).Order(StringComparer.Ordinal));
        var accounts = await world.Registry.LatestForCountyAsync("410726", None);
        foreach (var batch in batches)
        {
            var items = await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None);
            var expected = Students.Except(withoutAccount).Where(s => s.Entitlements[0].Program == batch.Program).ToList();
            Assert.Equal(expected.Select(s => s.IdNumber.Value).Order(StringComparer.Ordinal), items.Select(i => i.IdNumber.Value).Order(StringComparer.Ordinal));
            Assert.All(items, i => Assert.Equal(accounts[i.PersonKey].AccountNumber, i.Account?.Number));
            Assert.Equal((BatchStatuses.Sealed, expected.Count, expected.Sum(s => s.Entitlements[0].Amount.Value)), (batch.Status, batch.Count, batch.Total.Value));
        }

        var rows = await world.AllAsync("entitlements");
        Assert.All(withoutAccount, s =>
        {
            var row = Assert.Single(rows, r => r.GetString("IdNumber") == s.IdNumber.Value);
            Assert.Equal((EntitlementStatuses.Pending, null, true), (row.GetString("Status"), row.GetString("BatchId"), row.GetBoolean("BackPay")));
        });

        // The step delivered again: the same batches, nothing added.
        var again = await service.CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-1", None);
        Assert.Equal(batches.Select(b => (b.Id, b.Count)), again.Select(b => (b.Id, b.Count)));
        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(25)]
    [InlineData(100)]
    public async Task CutAfterNoticeAsync_CrashPartWayThroughTheGroups_TheRetriedStepFinishesTheBatchesWithEachChildOnce(int crashAtWrite)
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync(Students);
        await world.Service().PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        var crash = new CrashAtWrite(crashAtWrite) { Armed = true };

        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.Service(crash.At).CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-1", None));
        var service = world.Service();
        var batches = await service.CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-1", None);

        var members = new List<string>();
        foreach (var batch in batches)
        {
            Assert.Equal(BatchStatuses.Sealed, batch.Status);
            members.AddRange((await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None)).Select(i => $"{i.Program}|{i.IdNumber.Value}"));
        }

        Assert.Equal(Students.Select(s => $"{s.Entitlements[0].Program}|{s.IdNumber.Value}").Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));
        Assert.Equal(2, batches.Count);
        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    [Fact]
    public async Task PrepareAsync_HoldOpenedOnPreparedRows_ReadsThemAgainAndHoldsOnlyThose()
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync(Students);
        var service = world.Service();
        Assert.Equal(Students.Count, await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));
        var named = Students[41];
        await world.HoldAsync("C1", named, HoldStatuses.Open);

        Assert.Equal(1, await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));

        var rows = await world.AllAsync("entitlements");
        var held = rows.Where(r => r.GetString("Status") == EntitlementStatuses.Held).Select(r => r.GetString("IdNumber")).ToList();
        Assert.Equal([named.IdNumber.Value], held);
        Assert.Equal(0, await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));
        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    /// <summary>
    /// The regular batch's own mark of a child without an account can lose a race (another writer changed the row), and
    /// a preparation can add a row behind a cut that already passed its partition: either way the row reaches a later
    /// regular batch unmarked. Seen once in a full run as the property test's "paid, but not as 补发". The later batch
    /// marks it 补发 as it claims it; a row the bank failed in the first batch is a retry there, not 补发.
    /// </summary>
    [Fact]
    public async Task CutBatchAsync_RowTheFirstRegularBatchLeftUnmarked_IsPaidAs补发ByTheNextRegularBatch()
    {
        var world = await LedgerWorld.CreateAsync();
        var late = Students[10];
        var program = late.Entitlements[0].Program;
        await world.AddLedgerAsync(Students.Where(s => s != late));
        await world.AddLedgerAsync([late], withAccounts: false);
        var service = world.Service();
        var first = Assert.Single(await service.CutAfterNoticeAsync(LedgerWorld.CycleId, LedgerWorld.RunId, "step-1", None), b => b.Program == program);
        var table = world.Storage.Table("entitlements");
        var row = Assert.Single(await world.AllAsync("entitlements"), r => r.GetString("IdNumber") == late.IdNumber.Value);
        Assert.Equal((EntitlementStatuses.Pending, true), (row.GetString("Status"), row.GetBoolean("BackPay")));
        row.Remove("BackPay");
        row.Remove("BackPayReason");
        await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        var items = await service.ListItemsAsync(LedgerWorld.CycleId, first.Id, None);
        var failed = items[0];
        await BankResult.ReconcileAsync(service, first.Id, BankResult.Csv(BankResult.For(items, i => i.Sequence == failed.Sequence)));
        world.Registry.Give(late.IdNumber.Value, late.Name);
        await world.CheckAccountsAsync();

        var second = (await service.CutBatchAsync(LedgerWorld.CycleId, program, BatchKinds.Regular, null, "admin", null, None)).Batch!;

        var secondItems = await service.ListItemsAsync(LedgerWorld.CycleId, second.Id, None);
        Assert.Equal(
            [(failed.IdNumber.Value, false, (string?)null), (late.IdNumber.Value, true, SystemReasons.AfterRegularBatch)],
            secondItems.Select(i => (i.IdNumber.Value, i.BackPay, i.BackPayReason)).OrderBy(x => x.Item2));
        var stored = Assert.Single(await world.AllAsync("entitlements"), r => r.GetString("IdNumber") == late.IdNumber.Value);
        Assert.Equal((second.Id, true), (stored.GetString("BatchId"), stored.GetBoolean("BackPay")));
        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    private static bool InRange(ShardRange range, string shard) =>
        string.CompareOrdinal(shard, range.First) >= 0 && string.CompareOrdinal(shard, range.Last) <= 0;
}
