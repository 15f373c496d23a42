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

    /// <summary>Each seed is a different interleaving, crash pattern and (for result files) bank.</summary>
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task CutAndReconcile_DuplicatesCrashesAndTwoInstances_NeverPayALedgerKeyTwice(int seed)
    {
        // Six of them are owed under a second program too: the ledger key is (cycle, person, program).
        var (world, students) = await WorldAsync(24, 6);
        var owed = students.Sum(s => s.Entitlements.Sum(e => e.Amount));

        var crashes = new RandomCrashes(new Random(seed), 0.2);
        var a = world.Service(crashes.At);
        var b = world.Service(crashes.At);
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

        output.WriteLine($"seed {seed}: {crashes.Count} simulated crashes, {(await healthy.ListBatchesAsync(LedgerWorld.CycleId, None)).Count} batches");
        Assert.True(crashes.Count > 0, "the seed injected no crash");

        // At most one payment row and one paid entitlement per ledger key, and they agree.
        var payments = await world.AllAsync("payments");
        var entitlements = (await world.AllAsync("entitlements")).Where(e => e.RowKey != EntitlementTable.CounterRow).ToList();
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

    /// <summary>
    /// DOMAIN "Bank results": random result files (contradictory rows, identical duplicates, strays, other amounts, rows
    /// left out, unknown ID numbers) uploaded three times at once over two crashing instances, and in-doubt rows
    /// resolved at random, twice at once, sometimes with a contradicting second resolution. After every step: for every
    /// ledger key the money in batches the bank may have paid it in is at most the entitlement, and the key is in at most
    /// one batch not yet reconciled. "May have paid" is the test's own reading of the file: every row naming the person
    /// is a failure at its sequence with its amount, or a person resolved it unpaid; anything else might be money.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomResultFiles_ContradictionsDuplicatesStraysCrashesAndResolutions_NoKeyPaidBeyondItsEntitlement(int seed)
    {
        var (world, students) = await WorldAsync(16, 4);
        var entitled = students.SelectMany(s => s.Entitlements.Select(e => (Key: (e.Program, DisbursementService.PersonKey(s.IdNumber)), e.Amount))).ToDictionary(x => x.Key, x => x.Amount);
        var random = new Random(seed);
        var crashes = new RandomCrashes(new Random(seed), 0.15);
        var files = new Dictionary<string, IReadOnlyList<BankResult.Line>>();
        var unpaid = new HashSet<(string BatchId, string PersonKey)>();
        var a = world.Service(crashes.At);
        var b = world.Service(crashes.At);
        async Task StepAsync(DisbursementService x, DisbursementService y, bool cleanBank)
        {
            await Task.WhenAll(
                Survive(() => x.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None)),
                Survive(() => x.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => y.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => y.CutBatchAsync(LedgerWorld.CycleId, Programs[1], BatchKinds.Regular, null, "workflow", null, None)));
            await AssertBankResultInvariantAsync(x, entitled, files, unpaid);

            foreach (var batch in (await x.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(z => z.Status is BatchStatuses.Sealed or BatchStatuses.Reconciling))
            {
                if (!files.TryGetValue(batch.Id, out var lines))
                {
                    var items = await x.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None);
                    files[batch.Id] = lines = cleanBank ? [.. BankResult.For(items)] : RandomResult(items, random);
                }

                var file = BankResult.Csv(lines);
                await Task.WhenAll(
                    Survive(() => BankResult.ReconcileAsync(x, batch.Id, file)),
                    Survive(() => BankResult.ReconcileAsync(y, batch.Id, file)),
                    Survive(() => BankResult.ReconcileAsync(x, batch.Id, file)));
                await AssertBankResultInvariantAsync(y, entitled, files, unpaid);
            }

            foreach (var batch in (await x.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(z => z.Status == BatchStatuses.Reconciled))
            {
                foreach (var state in (await x.ListItemStatesAsync(LedgerWorld.CycleId, batch.Id, None)).Where(s => s.Status == EntitlementStatuses.InDoubt))
                {
                    var paid = random.Next(2) == 0;
                    var answers = new List<ResolveOutcome>();
                    async Task Resolve(DisbursementService service, bool outcome)
                    {
                        var answer = await service.ResolveAsync(LedgerWorld.CycleId, batch.Id, state.Item.Sequence, outcome, "核实", "admin", None);
                        lock (answers)
                        {
                            answers.Add(answer);
                        }
                    }

                    await Task.WhenAll(
                        Survive(() => Resolve(x, paid)),
                        Survive(() => Resolve(y, paid)),
                        Survive(() => Resolve(y, random.Next(4) == 0 ? !paid : paid)));
                    var recorded = answers.Where(r => r.Resolution is not null).Select(r => r.Resolution!.Outcome).Distinct().ToList();
                    Assert.True(recorded.Count <= 1, $"two resolutions recorded for {batch.Id} row {state.Item.Sequence}: {string.Join(", ", recorded)}");
                    if (recorded is ["unpaid"])
                    {
                        unpaid.Add((batch.Id, state.Item.PersonKey));
                    }

                    await AssertBankResultInvariantAsync(x, entitled, files, unpaid);
                }
            }
        }

        for (var round = 0; round < 4; round++)
        {
            await StepAsync(a, b, cleanBank: false);
        }

        // Then healthy instances and, at last, a bank that pays everything: the ledger settles, each key paid once.
        var healthy = world.Service();
        for (var round = 0; round < 6; round++)
        {
            await StepAsync(healthy, world.Service(), cleanBank: round >= 3);
        }

        output.WriteLine($"seed {seed}: {crashes.Count} simulated crashes, {files.Count} result files, {unpaid.Count} rows resolved unpaid");
        Assert.True(crashes.Count > 0, "the seed injected no crash");
        var payments = await world.AllAsync("payments");
        Assert.Equal(payments.Count, payments.Select(p => (p.PartitionKey, p.RowKey)).Distinct().Count());
        var totals = await healthy.TotalsAsync(LedgerWorld.CycleId, None);
        Assert.True(DisbursementCycleFigures.IsSettled(totals), string.Join("; ", totals));
        Assert.Equal(entitled.Values.Sum(), totals.Sum(t => t.Paid.Amount));
        Assert.Equal(payments.Count, totals.Sum(t => t.Paid.Count));
    }

    /// <summary>What a muddled bank might send back for a batch: per item a clean answer or one of the troubles DOMAIN names, rows shuffled.</summary>
    private static List<BankResult.Line> RandomResult(IReadOnlyList<BatchItem> items, Random random)
    {
        var lines = new List<BankResult.Line>();
        foreach (var i in items)
        {
            BankResult.Line Answer(bool success, decimal? amount = null) => new(i.Sequence, i.IdNumber, amount ?? i.Amount, success, success ? "" : "账户已冻结");
            var roll = random.Next(100);
            switch (roll)
            {
                case < 40:
                    lines.Add(Answer(true));
                    break;
                case < 55:
                    lines.Add(Answer(false));
                    break;
                case < 63:
                    lines.AddRange([Answer(false), Answer(true)]);
                    break;
                case < 70:
                    lines.AddRange([Answer(true), Answer(true, i.Amount - 25m)]);
                    break;
                case < 77:
                    lines.Add(Answer(random.Next(2) == 0, i.Amount + 10m));
                    break;
                case < 85:
                    var twice = Answer(random.Next(2) == 0);
                    lines.AddRange([twice, twice]);
                    break;
                case < 92:
                    break; // not returned
                case < 96:
                    lines.AddRange([Answer(true), new(i.Sequence % items.Count + 1, i.IdNumber, i.Amount, random.Next(2) == 0)]); // a stray under another sequence
                    break;
                default:
                    lines.AddRange([Answer(true), new(i.Sequence, LedgerWorld.IdFor(900 + i.Sequence), i.Amount, true)]); // an ID number nobody in the batch has
                    break;
            }
        }

        return [.. lines.OrderBy(_ => random.Next())];
    }

    private static async Task AssertBankResultInvariantAsync(
        DisbursementService service, Dictionary<(string, string), decimal> entitled, Dictionary<string, IReadOnlyList<BankResult.Line>> files, HashSet<(string, string)> unpaid)
    {
        var money = new Dictionary<(string, string), decimal>();
        var open = new Dictionary<(string, string), List<string>>();
        foreach (var batch in await service.ListBatchesAsync(LedgerWorld.CycleId, None))
        {
            var answered = batch.Status is BatchStatuses.Reconciling or BatchStatuses.Reconciled ? files[batch.Id] : null;
            foreach (var item in await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None))
            {
                var key = (item.Program, item.PersonKey);
                if (batch.Status != BatchStatuses.Reconciled)
                {
                    (open.TryGetValue(key, out var list) ? list : open[key] = []).Add(batch.Id);
                }

                var naming = answered?.Where(l => l.IdNumber == item.IdNumber).ToList() ?? [];
                var failed = naming.Count > 0 && naming.All(l => !l.Success && l.Sequence == item.Sequence && l.Amount == item.Amount);
                if (!failed && !unpaid.Contains((batch.Id, item.PersonKey)))
                {
                    money[key] = money.GetValueOrDefault(key) + item.Amount;
                }
            }
        }

        Assert.All(money, kv => Assert.True(kv.Value <= entitled[kv.Key], $"{kv.Key}: {kv.Value} in batches the bank may have paid, entitled to {entitled[kv.Key]}"));
        Assert.All(open, kv => Assert.True(kv.Value.Count <= 1, $"{kv.Key} is in open batches {string.Join(", ", kv.Value)}"));
        foreach (var t in await service.TotalsAsync(LedgerWorld.CycleId, None))
        {
            Assert.Equal(t.Owed, t.Paid + t.Pending + t.Failed + t.Held + t.InDoubt);
        }

        // The maintained counters survive the crashes and the concurrent instances exactly.
        await CountersTests.AssertCountersEqualRecountAsync(service);
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

        await CountersTests.AssertCountersEqualRecountAsync(service);
    }

    /// <summary>A ledger of <paramref name="people"/> living subsidies over two schools; the first <paramref name="preschool"/> also get a preschool aid.</summary>
    private static async Task<(LedgerWorld World, List<EduRelief.Eligibility.StudentRecord> Students)> WorldAsync(int people, int preschool)
    {
        var world = await LedgerWorld.CreateAsync();
        var students = Enumerable.Range(1, people).Select(n => LedgerWorld.Student(n, n % 2 == 0 ? "4107260001" : "4107260002")).ToList();
        students.AddRange(Enumerable.Range(1, preschool).Select(n => LedgerWorld.Student(n, amount: 500m, program: "preschool_aid")));
        await world.AddLedgerAsync(students);
        return (world, students);
    }

    /// <summary>The fault injector: a crash at a random share of the points between storage writes, counted.</summary>
    private sealed class RandomCrashes(Random random, double share)
    {
        public int Count { get; private set; }

        public Task At(string point)
        {
            lock (random)
            {
                if (random.NextDouble() < share)
                {
                    Count++;
                    throw new SimulatedCrashException(point);
                }
            }

            return Task.CompletedTask;
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
