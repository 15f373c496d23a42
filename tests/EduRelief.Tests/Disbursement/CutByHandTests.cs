using Azure.Data.Tables;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// What a cut by hand (<c>POST …/batches</c>) reads instead of preparing the whole cycle again (issue 13 item 8): the
/// entitlements catch up on holds and late ledger rows alone, the accounts of just the children a batch may take, and
/// the counters written without reading them back when this instance wrote them last.
/// </summary>
public sealed class CutByHandTests
{
    private const string Program = "living_subsidy";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task CommitAsync_SecondWriteToAPartition_IsOneTransactionWithoutReadingTheCounter()
    {
        var world = await LedgerWorld.CreateAsync();
        var table = new EntitlementTable(world.Storage);
        var partition = EntitlementTable.Partition(LedgerWorld.CycleId, "ab" + new string('0', 30));
        TableEntity Row(string key) => new(partition, EntitlementTable.Row(Program, "ab" + key.PadLeft(30, '0')))
        {
            ["SchoolCode"] = "4107260001", ["Program"] = Program, ["AmountFen"] = 62500L, ["Status"] = EntitlementStatuses.Pending, ["Name"] = "学生" + key,
        };
        Assert.True(await table.TryWriteAsync(null, Row("1"), None));

        var before = world.Storage.Counter.Total;
        Assert.True(await table.TryWriteAsync(null, Row("2"), None));

        Assert.Equal(1, world.Storage.Counter.Total - before);
        await CountersTests.AssertCountersEqualRecountAsync(world.Service());
    }

    [Fact]
    public async Task CommitAsync_CounterMovedByAnotherInstance_ReadsItAgainAndCountsEveryRow()
    {
        var world = await LedgerWorld.CreateAsync();
        var (one, two) = (new EntitlementTable(world.Storage), new EntitlementTable(world.Storage));
        var partition = EntitlementTable.Partition(LedgerWorld.CycleId, "cd" + new string('0', 30));
        TableEntity Row(string key) => new(partition, EntitlementTable.Row(Program, "cd" + key.PadLeft(30, '0')))
        {
            ["SchoolCode"] = "4107260001", ["Program"] = Program, ["AmountFen"] = 62500L, ["Status"] = EntitlementStatuses.Pending, ["Name"] = "学生" + key,
        };

        // One remembers the counter it wrote; two moves it; one's next write meets the stale ETag and reads it again.
        Assert.True(await one.TryWriteAsync(null, Row("1"), None));
        Assert.True(await two.TryWriteAsync(null, Row("2"), None));
        Assert.True(await one.TryWriteAsync(null, Row("3"), None));

        var totals = Assert.Single(await world.Service().TotalsAsync(LedgerWorld.CycleId, None, "4107260001"));
        Assert.Equal(new Figure(3, new Yuan(1875m)), totals.Pending);
        await CountersTests.AssertCountersEqualRecountAsync(world.Service());
    }

    [Fact]
    public async Task CatchUpAsync_HoldOpenedAndLateLedgerRowSinceThePreparation_FollowsTheHoldAndAddsTheRowAsBackPay()
    {
        var world = await LedgerWorld.CreateAsync();
        var (held, late) = (LedgerWorld.Student(1), LedgerWorld.Student(3));
        await world.AddLedgerAsync([held, LedgerWorld.Student(2)]);
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        Assert.NotNull((await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch);

        // Since then: an objection on a paid-to-be row's person, and a row rectification confirmed whose entitlement a
        // crash left unwritten.
        await world.HoldAsync("C7", held, HoldStatuses.Open);
        await world.AddLedgerAsync([late], source: "rectification");

        Assert.Equal(1, await service.CatchUpAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));
        var rows = await world.AllAsync("entitlements");
        var added = rows.Single(r => r.GetString("IdNumber") == late.IdNumber.Value);
        Assert.Equal((EntitlementStatuses.Pending, true, "rectification"), (added.GetString("Status"), added.GetBoolean("BackPay"), added.GetString("Source")));
        Assert.Equal(0, await service.CatchUpAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));
        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    [Fact]
    public async Task CatchUpAsync_HoldOpenedOnAnUnbatchedRow_HoldsIt()
    {
        var world = await LedgerWorld.CreateAsync();
        var named = LedgerWorld.Student(1);
        await world.AddLedgerAsync([named, LedgerWorld.Student(2)]);
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
        await world.HoldAsync("C9", named, HoldStatuses.Open);

        Assert.Equal(1, await service.CatchUpAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None));

        Assert.Equal(new Figure(1, new Yuan(625m)), (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single().Held);
        var batch = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;
        Assert.Equal([LedgerWorld.IdFor(2)], (await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None)).Select(i => i.IdNumber.Value));
    }

    [Fact]
    public async Task PayableForAsync_RegistryChangedWithoutARefresh_RefreshesAndPaysTheNewAccount()
    {
        var world = await LedgerWorld.CreateAsync();
        var student = LedgerWorld.Student(1);
        await world.AddLedgerAsync([student, LedgerWorld.Student(2)]);
        var key = student.IdNumber.PersonKey;
        var before = (await world.Accounts.PayableForAsync(LedgerWorld.CycleId, "410726", LedgerWorld.RunId, "disbursement", [key], None))[key];

        // A new upload whose refresh of the cycle never ran (a crash after the registry was written).
        world.Registry.Give(student.IdNumber.Value, student.Name);
        var after = await world.Accounts.PayableForAsync(LedgerWorld.CycleId, "410726", LedgerWorld.RunId, "disbursement", [key], None);

        Assert.NotEqual(before.Number, after[key].Number);
        Assert.Equal((await world.Registry.LatestForCountyAsync("410726", None))[key].AccountNumber, after[key].Number);
        Assert.Single(after);
    }
}
