using Azure.Data.Tables;
using EduRelief.Eligibility;
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

        var crashes = new RandomCrashes(new Random(seed), 0.05);
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
        await RefreshEverythingAsync(healthy);
        await AssertInvariantAsync(healthy, rollup: true);

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
    /// DOMAIN "Bank results" and "Accounts": random result files (contradictory rows, identical duplicates, strays, other
    /// amounts, rows left out, unknown ID numbers) uploaded three times at once over two crashing instances, in-doubt rows
    /// resolved at random, twice at once, sometimes with a contradicting second resolution, and about a third of the
    /// children starting without a usable account (no row, an invalid number, a holder mismatch pending) whose account
    /// arrives, or whose mismatch is decided, at random points between the cuts, uploads and resolutions. After every
    /// step: for every ledger key the money in batches the bank may have paid it in is at most the entitlement, the key is
    /// in at most one batch not yet reconciled, and no batch holds a child who had no usable account when it was cut.
    /// "May have paid" is the test's own reading of the file: every row naming the person is a failure at its sequence
    /// with its amount, or a person resolved it unpaid; anything else might be money. In the end every key is paid once,
    /// and a child whose account came after their program's regular batch was paid as 补发.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomResultFilesAndLateAccounts_CrashesAndResolutions_NoKeyPaidBeyondItsEntitlementNoneWithoutAnAccount(int seed)
    {
        var (world, students) = await WorldAsync(16, 4, withAccounts: false);
        var entitled = students.SelectMany(s => s.Entitlements.Select(e => (Key: (e.Program, s.IdNumber.PersonKey), e.Amount))).ToDictionary(x => x.Key, x => x.Amount);
        var random = new Random(seed);
        var crashes = new RandomCrashes(new Random(seed), 0.04);
        var files = new Dictionary<string, IReadOnlyList<BankResult.Line>>();
        var unpaid = new HashSet<(string BatchId, string PersonKey)>();
        var accounts = await LateAccounts.StartAsync(world, students, new Random(seed + 1000));
        var a = world.Service(crashes.At);
        var b = world.Service(crashes.At);
        Task InvariantAsync(DisbursementService service) => AssertBankResultInvariantAsync(service, entitled, files, unpaid, accounts.Usable);

        // An account arriving writes no batch and no ledger row: the invariant is checked after the next cut, upload or
        // resolution, before any later arrival could make the child look usable.
        async Task StepAsync(DisbursementService x, DisbursementService y, bool cleanBank)
        {
            await accounts.MaybeArriveAsync(x);
            // 补发 first: a child whose account arrived since the last step is owed there.
            await Task.WhenAll(
                Survive(() => x.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.BackPay, "补发", "admin", null, None)),
                Survive(() => y.CutBatchAsync(LedgerWorld.CycleId, Programs[1], BatchKinds.BackPay, "补发", "admin", null, None)));
            await InvariantAsync(y);
            await Task.WhenAll(
                Survive(() => x.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None)),
                Survive(() => x.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => y.CutBatchAsync(LedgerWorld.CycleId, Programs[0], BatchKinds.Regular, null, "workflow", null, None)),
                Survive(() => y.CutBatchAsync(LedgerWorld.CycleId, Programs[1], BatchKinds.Regular, null, "workflow", null, None)));
            await InvariantAsync(x);

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
                await InvariantAsync(y);
                await accounts.MaybeArriveAsync(y);
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

                    await InvariantAsync(x);
                    await accounts.MaybeArriveAsync(x);
                }
            }
        }

        for (var round = 0; round < 4; round++)
        {
            await StepAsync(a, b, cleanBank: false);
        }

        // Then healthy instances, every account still missing arriving on the way, and at last a bank that pays
        // everything: the ledger settles, each key paid once.
        var healthy = world.Service();
        for (var round = 0; round < 6; round++)
        {
            if (round == 2)
            {
                await accounts.AllArriveAsync(healthy);
            }

            await StepAsync(healthy, world.Service(), cleanBank: round >= 3);
        }

        output.WriteLine($"seed {seed}: {crashes.Count} simulated crashes, {files.Count} result files, {unpaid.Count} rows resolved unpaid, "
            + $"{accounts.Late} children without a usable account at first, {accounts.OwedBackPay.Count} of their entitlements owed as 补发");
        Assert.True(crashes.Count > 0, "the seed injected no crash");
        Assert.True(accounts.OwedBackPay.Count > 0, "no account arrived after a regular batch");
        await accounts.AssertEachPaidOnceAsBackPayAsync(healthy);
        await RefreshEverythingAsync(healthy);
        await CountersTests.AssertCountersEqualRecountAsync(healthy);
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
            BankResult.Line Answer(bool success, Yuan? amount = null) => new(i.Sequence, i.IdNumber.Value, (amount ?? i.Amount).Value, success, success ? "" : "账户已冻结");
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
                    lines.AddRange([Answer(true), Answer(true, i.Amount - new Yuan(25m))]);
                    break;
                case < 77:
                    lines.Add(Answer(random.Next(2) == 0, i.Amount + new Yuan(10m)));
                    break;
                case < 85:
                    var twice = Answer(random.Next(2) == 0);
                    lines.AddRange([twice, twice]);
                    break;
                case < 92:
                    break; // not returned
                case < 96:
                    lines.AddRange([Answer(true), new(i.Sequence % items.Count + 1, i.IdNumber.Value, i.Amount.Value, random.Next(2) == 0)]); // a stray under another sequence
                    break;
                default:
                    lines.AddRange([Answer(true), new(i.Sequence, LedgerWorld.IdFor(900 + i.Sequence), i.Amount.Value, true)]); // an ID number nobody in the batch has
                    break;
            }
        }

        return [.. lines.OrderBy(_ => random.Next())];
    }

    private static async Task AssertBankResultInvariantAsync(
        DisbursementService service, Dictionary<(string, string), Yuan> entitled, Dictionary<string, IReadOnlyList<BankResult.Line>> files, HashSet<(string, string)> unpaid,
        IReadOnlySet<string> usable)
    {
        var money = new Dictionary<(string, string), Yuan>();
        var open = new Dictionary<(string, string), List<string>>();
        foreach (var batch in await service.ListBatchesAsync(LedgerWorld.CycleId, None))
        {
            var answered = batch.Status is BatchStatuses.Reconciling or BatchStatuses.Reconciled ? files[batch.Id] : null;
            foreach (var item in await service.ListItemsAsync(LedgerWorld.CycleId, batch.Id, None))
            {
                // Accounts only ever arrive here, so a child usable now was usable at every later cut; one not usable
                // now was not at the cut that took them (DOMAIN "Accounts": never cut).
                Assert.True(usable.Contains(item.PersonKey), $"{item.Program} of {item.Name} is in batch {batch.Id} ({batch.Kind}) without a usable account");
                var key = (item.Program, item.PersonKey);
                if (batch.Status != BatchStatuses.Reconciled)
                {
                    (open.TryGetValue(key, out var list) ? list : open[key] = []).Add(batch.Id);
                }

                var naming = answered?.Where(l => l.IdNumber == item.IdNumber.Value).ToList() ?? [];
                var failed = naming.Count > 0 && naming.All(l => !l.Success && l.Sequence == item.Sequence && l.Amount == item.Amount.Value);
                if (!failed && !unpaid.Contains((batch.Id, item.PersonKey)))
                {
                    money[key] = money.GetValueOrDefault(key) + item.Amount;
                }
            }
        }

        Assert.All(money, kv => Assert.True(kv.Value <= entitled[kv.Key], $"{kv.Key}: {kv.Value} in batches the bank may have paid, entitled to {entitled[kv.Key]}"));
        Assert.All(open, kv => Assert.True(kv.Value.Count <= 1, $"{kv.Key} is in open batches {string.Join(", ", kv.Value)}"));
        foreach (var t in await service.CountersTotalsAsync(LedgerWorld.CycleId, None))
        {
            Assert.Equal(t.Owed, t.Paid + t.Pending + t.Failed + t.Held + t.InDoubt);
        }

        // The maintained counters survive the crashes and the concurrent instances exactly (the roll-up is checked
        // once the healthy instances have refreshed every partition).
        await CountersTests.AssertCountersEqualRecountAsync(service, rollup: false);
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

    /// <summary>Owed = paid + pending + failed + held, and the counters equal a recount; the roll-up only when <paramref name="rollup"/>.</summary>
    private static async Task AssertInvariantAsync(DisbursementService service, bool rollup = false)
    {
        foreach (var t in rollup ? await service.TotalsAsync(LedgerWorld.CycleId, None) : await service.CountersTotalsAsync(LedgerWorld.CycleId, None))
        {
            Assert.Equal(t.Owed, t.Paid + t.Pending + t.Failed + t.Held);
        }

        await CountersTests.AssertCountersEqualRecountAsync(service, rollup);
    }

    /// <summary>
    /// What a redelivered prepare or the notice's end does: every partition's counters summed into the roll-up again,
    /// which catches up whatever a crash between a write and its refresh left behind.
    /// </summary>
    private static Task RefreshEverythingAsync(DisbursementService service) => service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);

    /// <summary>
    /// A ledger of <paramref name="people"/> living subsidies over two schools; the first <paramref name="preschool"/>
    /// also get a preschool aid. Each child has an account in their name unless <paramref name="withAccounts"/> is false.
    /// </summary>
    private static async Task<(LedgerWorld World, List<EduRelief.Eligibility.StudentRecord> Students)> WorldAsync(int people, int preschool, bool withAccounts = true)
    {
        var world = await LedgerWorld.CreateAsync();
        var students = Enumerable.Range(1, people).Select(n => LedgerWorld.Student(n, n % 2 == 0 ? "4107260001" : "4107260002")).ToList();
        students.AddRange(Enumerable.Range(1, preschool).Select(n => LedgerWorld.Student(n, amount: 500m, program: "preschool_aid")));
        await world.AddLedgerAsync(students, withAccounts: withAccounts);
        return (world, students);
    }

    /// <summary>
    /// The children's accounts as the run changes them, and the test's own record of who is payable: about a third of
    /// the children start without a usable account (no row, an invalid number, or a holder that is neither the child nor
    /// of the household, pending review); at random points one of them gets an account in their name, or their mismatch
    /// is decided (confirmed: usable; rejected: they wait for an account in their name). Accounts are never taken away.
    /// </summary>
    private sealed class LateAccounts
    {
        private const double Chance = 0.25;

        private readonly LedgerWorld _world;
        private readonly Random _random;
        private readonly Dictionary<string, (EduRelief.Eligibility.StudentRecord Student, bool Mismatch)> _waiting = new(StringComparer.Ordinal);

        private LateAccounts(LedgerWorld world, Random random) => (_world, _random) = (world, random);

        /// <summary>Person keys of the children whose account is usable, as the cycle's accounts last checked them.</summary>
        public HashSet<string> Usable { get; } = new(StringComparer.Ordinal);

        /// <summary>How many children started without a usable account.</summary>
        public int Late { get; private set; }

        /// <summary>(program, person key) of late children whose program had a regular batch before their account came.</summary>
        public HashSet<(string Program, string PersonKey)> OwedBackPay { get; } = [];

        public static async Task<LateAccounts> StartAsync(LedgerWorld world, IEnumerable<EduRelief.Eligibility.StudentRecord> students, Random random)
        {
            var accounts = new LateAccounts(world, random);
            foreach (var student in students.DistinctBy(s => s.IdNumber))
            {
                accounts.Start(student);
            }

            await world.CheckAccountsAsync();
            return accounts;
        }

        private void Start(EduRelief.Eligibility.StudentRecord student)
        {
            var key = student.IdNumber.PersonKey;
            switch (_random.Next(6))
            {
                case 0: // no row at all
                    _waiting[key] = (student, false);
                    break;
                case 1:
                    _world.Registry.Give(student.IdNumber.Value, student.Name, valid: false);
                    _waiting[key] = (student, false);
                    break;
                case 2:
                    _world.Registry.Give(student.IdNumber.Value, "王某某");
                    _waiting[key] = (student, true);
                    break;
                default:
                    _world.Registry.Give(student.IdNumber.Value, student.Name);
                    Usable.Add(key);
                    break;
            }

            Late = _waiting.Count;
        }

        /// <summary>Now and then one waiting child's account arrives or their mismatch is decided.</summary>
        public async Task MaybeArriveAsync(DisbursementService service)
        {
            if (_waiting.Count > 0 && _random.NextDouble() < Chance)
            {
                await ArriveAsync(service, _waiting.Keys.Order(StringComparer.Ordinal).ElementAt(_random.Next(_waiting.Count)));
            }
        }

        /// <summary>Every child still waiting gets an account in their own name.</summary>
        public async Task AllArriveAsync(DisbursementService service)
        {
            while (_waiting.Count > 0)
            {
                var key = _waiting.Keys.Order(StringComparer.Ordinal).First();
                _waiting[key] = (_waiting[key].Student, false);
                await ArriveAsync(service, key);
            }
        }

        private async Task ArriveAsync(DisbursementService service, string key)
        {
            var (student, mismatch) = _waiting[key];
            var confirmed = false;
            if (mismatch)
            {
                confirmed = _random.Next(2) == 0;
                var row = await _world.Ledger.GetDiscrepancyAsync(LedgerWorld.CycleId, LedgerWorld.RunId, $"{EduRelief.Eligibility.DiscrepancyKinds.HolderMismatch}-{key}", None);
                Assert.NotNull(row);
                Assert.True(await _world.Ledger.RecordDecisionAsync(LedgerWorld.CycleId, LedgerWorld.RunId, row, confirmed ? "confirm" : "reject", "admin", "核实账户持有人", _world.Clock.GetUtcNow(), None));
            }
            else
            {
                _world.Registry.Give(student.IdNumber.Value, student.Name);
            }

            var usableNow = !mismatch || confirmed;
            if (usableNow)
            {
                // A program whose regular batch is out left this child out for want of an account: owed as 补发 there.
                var regular = (await service.ListBatchesAsync(LedgerWorld.CycleId, None)).Where(b => b.Kind == BatchKinds.Regular && b.Status != BatchStatuses.Cutting).Select(b => b.Program).ToHashSet();
                OwedBackPay.UnionWith(student.Entitlements.Select(e => e.Program).Where(regular.Contains).Select(p => (p, key)));
            }

            // As at the notice: the school's no-account rectification item is not what this run is about.
            await _world.CheckAccountsAsync();
            if (usableNow)
            {
                _waiting.Remove(key);
                Usable.Add(key);
            }
            else
            {
                _waiting[key] = (student, false); // rejected: waits for an account in their own name
            }
        }

        /// <summary>Each entitlement owed as 补发 was paid by exactly one batch, in a row marked 补发.</summary>
        public async Task AssertEachPaidOnceAsBackPayAsync(DisbursementService service)
        {
            var paidBy = new Dictionary<(string, string), List<BatchItem>>();
            foreach (var batch in await service.ListBatchesAsync(LedgerWorld.CycleId, None))
            {
                foreach (var state in (await service.ListItemStatesAsync(LedgerWorld.CycleId, batch.Id, None)).Where(x => x.Status == EntitlementStatuses.Paid))
                {
                    (paidBy.TryGetValue((state.Item.Program, state.Item.PersonKey), out var list) ? list : paidBy[(state.Item.Program, state.Item.PersonKey)] = []).Add(state.Item);
                }
            }

            Assert.All(OwedBackPay, key =>
            {
                var paid = Assert.Single(paidBy.GetValueOrDefault(key) ?? []);
                Assert.True(paid.BackPay, $"{key} was paid, but not as 补发");
            });
        }
    }

    /// <summary>A crash right after a random share of the committed storage writes (<see cref="CrashAfterWritePolicy"/>), counted.</summary>
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
