using Azure.Data.Tables;
using EduRelief.Disbursement;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// The property the storage keys exist for: whatever interleaving of duplicate step deliveries, retries, crashes
/// between writes and a second instance, no ledger key is paid twice, and the totals invariant holds throughout.
/// Real code on Azurite; each seed is a different interleaving and crash pattern.
/// </summary>
public sealed class NoDoublePaymentPropertyTests(ITestOutputHelper output)
{
    private static readonly string[] Programs = ["living_subsidy", "preschool_aid"];
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task CutAndReconcile_DuplicatesCrashesAndTwoInstances_NeverPayALedgerKeyTwice(int seed)
    {
        var world = await LedgerWorld.CreateAsync();
        var students = Enumerable.Range(1, 24).Select(n => LedgerWorld.Student(n, n % 2 == 0 ? "4107260001" : "4107260002")).ToList();
        // Six of them are owed under a second program too: the ledger key is (cycle, person, program).
        students.AddRange(Enumerable.Range(1, 6).Select(n => LedgerWorld.Student(n, amount: 500m, program: "preschool_aid")));
        await world.AddLedgerAsync(students);
        var owed = students.Sum(s => s.Entitlements.Sum(e => e.Amount));

        var random = new Random(seed);
        var crashes = 0;
        Task Faults(string point)
        {
            lock (random)
            {
                if (random.NextDouble() < 0.2)
                {
                    crashes++;
                    throw new SimulatedCrashException(point);
                }
            }

            return Task.CompletedTask;
        }

        var a = world.Service(Faults);
        var b = world.Service(Faults);
        for (var round = 0; round < 4; round++)
        {
            // Duplicate deliveries of "prepare and cut" on two instances at once, each possibly crashing part-way.
            await Task.WhenAll(
                Survive(() => a.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None)),
                Survive(() => b.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None)),
                Survive(() => a.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => b.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => a.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => b.CutBatchAsync(LedgerWorld.CycleId, Programs[1], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => a.CutBatchAsync(LedgerWorld.CycleId, Programs[1], BatchKinds.Regular, null, "workflow", null, None)));
            await AssertInvariantAsync(a);

            // The bank's answer for every sealed batch, uploaded three times over two instances at once.
            foreach (var batch in (await a.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(x => x.Status is BatchStatuses.Sealed or BatchStatuses.Reconciling))
            {
                var file = await BankFileAsync(a, batch);
                await Task.WhenAll(
                    Survive(() => BankResult.ReconcileAsync(a, batch.Id, file)),
                    Survive(() => BankResult.ReconcileAsync(b, batch.Id, file)),
                    Survive(() => BankResult.ReconcileAsync(a, batch.Id, file)));
            }

            await AssertInvariantAsync(b);
        }

        // Afterwards a healthy instance finishes whatever the crashes left.
        var healthy = world.Service();
        for (var round = 0; round < 8; round++)
        {
            await healthy.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);
            foreach (var program in Programs)
            {
                await healthy.CutBatchAsync(LedgerWorld.CycleId, program, BatchKinds.Regular, null, "workflow", null, None);
            }

            foreach (var batch in (await healthy.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(x => x.Status != BatchStatuses.Reconciled))
            {
                await BankResult.ReconcileAsync(healthy, batch.Id, await BankFileAsync(healthy, batch));
            }
        }

        output.WriteLine($"seed {seed}: {crashes} simulated crashes, {(await healthy.ListBatchesAsync(LedgerWorld.CycleId, None)).Count} batches");
        Assert.True(crashes > 0, "the seed injected no crash");

        // At most one payment row and one paid entitlement per ledger key, and they agree.
        var payments = await world.AllAsync("payments");
        var entitlements = await world.AllAsync("entitlements");
        Assert.Equal(students.Sum(s => s.Entitlements.Count), entitlements.Count);
        Assert.Equal(payments.Count, payments.Select(p => (p.PartitionKey, p.RowKey)).Distinct().Count());
        Assert.Equal(
            entitlements.Where(e => e.GetString("Status") == EntitlementStatuses.Paid).Select(e => (e.PartitionKey, e.RowKey)).Order(),
            payments.Select(p => (p.PartitionKey, p.RowKey)).Order());

        // The bank's files matched their batches, so storage never had to refuse a second payment.
        Assert.Empty(await healthy.ListCycleExceptionsAsync(LedgerWorld.CycleId, None));

        // The bank paid each key at most once: every batch that held a key, except the one that paid it, failed it.
        var appearances = new Dictionary<(string, string), int>();
        foreach (var batch in await healthy.ListBatchesAsync(LedgerWorld.CycleId, None))
        {
            foreach (var item in await healthy.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None))
            {
                var key = (item.Program, item.PersonKey);
                appearances[key] = appearances.GetValueOrDefault(key) + 1;
            }
        }

        Assert.All(appearances, kv => Assert.True(kv.Value <= (FailsFirst(kv.Key.Item2) ? 2 : 1), $"{kv.Key} was in {kv.Value} batches"));

        // Everyone owed is paid in the end, exactly what the ledger says.
        var totals = await healthy.TotalsAsync(LedgerWorld.CycleId, None);
        Assert.Equal(owed, totals.Sum(t => t.Paid.Amount));
        Assert.Equal(payments.Count, totals.Sum(t => t.Paid.Count));
        Assert.All(totals, t => Assert.Equal(t.Owed, t.Paid));
    }

    /// <summary>One person in four has a frozen card the first time the bank tries.</summary>
    private static bool FailsFirst(string personKey) => personKey[^1] is '0' or '4' or '8' or 'c';

    /// <summary>The bank's deterministic answer: success, except a key's first attempt when <see cref="FailsFirst"/>.</summary>
    private static async Task<byte[]> BankFileAsync(DisbursementService service, Batch batch)
    {
        var earlier = new HashSet<string>();
        foreach (var other in (await service.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(x => x.Program == batch.Program && string.CompareOrdinal(x.Id, batch.Id) < 0))
        {
            earlier.UnionWith((await service.ListItemsAsync(LedgerWorld.CycleId, other.Id, None)).Select(i => i.PersonKey));
        }

        var items = await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None);
        return BankResult.Csv(BankResult.For(items, i => FailsFirst(i.PersonKey) && !earlier.Contains(i.PersonKey)));
    }

    private static async Task AssertInvariantAsync(DisbursementService service)
    {
        foreach (var t in await service.TotalsAsync(LedgerWorld.CycleId, None))
        {
            Assert.Equal(t.Owed, t.Paid + t.Pending + t.Failed + t.Held);
        }
    }

    private static async Task Survive(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (SimulatedCrashException)
        {
            // The step's process died here; a retry or another instance carries on.
        }
    }
}
