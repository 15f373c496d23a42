using Azure.Data.Tables;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Rectification;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Accounts;

/// <summary>
/// What the cycle shows under <c>accounts</c>, counted per eligible child: withAccount + noAccount + holderMismatch is
/// every eligible child; invalidAccount is the part of noAccount with an invalid number; pendingReview the part of
/// holderMismatch nobody has decided.
/// </summary>
public sealed record AccountFigures(int WithAccount, int NoAccount, int InvalidAccount, int HolderMismatch, int PendingReview)
{
    public static readonly AccountFigures Zero = new(0, 0, 0, 0, 0);

    /// <summary>One more child in <paramref name="status"/> (a confirmed holder mismatch counts as withAccount).</summary>
    public AccountFigures Add(AccountStatus status, bool pendingReview) => status switch
    {
        AccountStatus.WithAccount => this with { WithAccount = WithAccount + 1 },
        AccountStatus.InvalidAccount => this with { NoAccount = NoAccount + 1, InvalidAccount = InvalidAccount + 1 },
        AccountStatus.HolderMismatch => this with { HolderMismatch = HolderMismatch + 1, PendingReview = PendingReview + (pendingReview ? 1 : 0) },
        _ => this with { NoAccount = NoAccount + 1 },
    };
}

/// <summary>The account a batch pays an entitlement to, as the payment file carries it.</summary>
public sealed record PayableAccount(string Holder, string Number, string Bank);

/// <summary>The county's accounts registry, as the cycles read it (<see cref="AccountsStore"/>).</summary>
public interface IAccountsRegistry
{
    /// <summary>The latest account row of every child of the county that has one, by person key.</summary>
    Task<IReadOnlyDictionary<string, AccountRecord>> LatestForCountyAsync(string county, CancellationToken cancellationToken);

    /// <summary>The latest account row of each of <paramref name="personKeys"/> that has one (by default, from the county's).</summary>
    async Task<IReadOnlyDictionary<string, AccountRecord>> LatestForAsync(string county, IReadOnlyCollection<string> personKeys, CancellationToken cancellationToken)
    {
        var all = await LatestForCountyAsync(county, cancellationToken);
        return personKeys.Where(all.ContainsKey).Distinct().ToDictionary(k => k, k => all[k], StringComparer.Ordinal);
    }
}

/// <summary>
/// The accounts of one cycle's eligible children: whether each can be paid, and to which account. Kept in the table
/// <c>cycleaccounts</c> (PK <c>{cycle}|{2 hex of the person key}</c>, RK the person key; the counts in PK
/// <c>{cycle}|summary</c>, RK <c>county</c> and <c>school|{code}</c>), rebuilt by <see cref="RefreshAsync"/> whenever
/// what decides it changes: a verification run, a confirmed name mismatch, an accounts upload, a holder decision, and
/// before the notice's end cuts (a cut by hand checks its children only: <see cref="PayableForAsync"/>). A holder
/// mismatch is a discrepancy of the run (kind <c>holderMismatch</c>, one per child, id <c>holderMismatch-{person key}</c>)
/// decided like a name mismatch; a decision holds for the account it was made on, and a new account asks again. The cut pays only children whose row is usable (<see cref="LoadPayableAsync"/>).
/// </summary>
public sealed class CycleAccounts(
    StorageAccount storage, EligibilityStore eligibility, DisbursementService disbursement, IAccountsRegistry registry, RectificationStore rectification, ILogger<CycleAccounts> logger) : IDeclaresTables
{
    public const string TableName = "cycleaccounts";

    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new(TableName, CycleRowScope.CyclePartitions)];
    private const string SummaryPartitionSuffix = "|summary";
    private const string CountyRow = "county";
    private const string SchoolRowPrefix = "school|";

    private readonly TableClient _table = storage.Table(TableName);

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    private static string ChildPartition(string cycleId, string personKey) => $"{cycleId}|{personKey[..2]}";

    private static string SummaryPartition(string cycleId) => cycleId + SummaryPartitionSuffix;

    /// <summary>
    /// Re-evaluates every eligible child of <paramref name="runId"/> against the county's latest accounts. Idempotent:
    /// rows that did not change are not written. Stages from disbursement on also open (or update) each school's
    /// rectification item listing its children who cannot be paid.
    /// </summary>
    public Task<AccountFigures> RefreshAsync(string cycleId, string countyCode, string runId, string stage, CancellationToken cancellationToken) =>
        RefreshAsync(cycleId, runId, stage, registry.LatestForCountyAsync(countyCode, cancellationToken), cancellationToken);

    /// <summary>
    /// The check itself, against <paramref name="latestAccounts"/> (the county's latest accounts, being read or given).
    /// Its four reads (the eligible children, the registry, the holder decisions, the cycle's rows) are independent,
    /// so they run at once.
    /// </summary>
    private async Task<AccountFigures> RefreshAsync(
        string cycleId, string runId, string stage, Task<IReadOnlyDictionary<string, AccountRecord>> latestAccounts, CancellationToken cancellationToken)
    {
        var childrenRead = EligibleChildrenAsync(cycleId, runId, cancellationToken);
        var decisionsRead = HolderDecisionsAsync(cycleId, runId, cancellationToken);
        var existingRead = ChildRowsAsync(cycleId, cancellationToken);
        await Task.WhenAll(childrenRead, latestAccounts, decisionsRead, existingRead);
        var (children, latest, decisions, existing) = (childrenRead.Result, latestAccounts.Result, decisionsRead.Result, existingRead.Result);

        var writes = new List<TableTransactionAction>();
        var discrepancyWrites = new List<TableEntity>();
        var county = AccountFigures.Zero;
        var schools = new SortedDictionary<string, (string Name, AccountFigures Figures, List<string> Unpaid)>(StringComparer.Ordinal);
        foreach (var (key, child) in children)
        {
            var account = latest.GetValueOrDefault(key);
            var state = AccountRules.Classify(account, child.Name, child.HouseholdNames);
            var decision = state == AccountStatus.HolderMismatch && decisions.TryGetValue(key, out var d) && d.AccountVersion == VersionOf(account) ? d.Decision : null;
            var usable = state == AccountStatus.WithAccount || (state == AccountStatus.HolderMismatch && decision == "confirm");
            var shownState = usable ? AccountStatus.WithAccount : state;
            county = county.Add(shownState, decision is null);
            var school = schools.TryGetValue(child.SchoolCode, out var s) ? s : (Name: child.SchoolName, Figures: AccountFigures.Zero, Unpaid: new List<string>());
            schools[child.SchoolCode] = (school.Name, school.Figures.Add(shownState, decision is null), school.Unpaid);
            if (!usable)
            {
                school.Unpaid.Add(child.Name);
            }

            var row = new TableEntity(ChildPartition(cycleId, key), key)
            {
                ["Name"] = child.Name,
                ["SchoolCode"] = child.SchoolCode,
                ["SchoolName"] = child.SchoolName,
                ["State"] = AccountRules.Name(shownState),
                ["Usable"] = usable,
                ["Holder"] = account?.Holder,
                ["AccountNumber"] = account?.Valid == true ? account.AccountNumber : null,
                ["Bank"] = account?.Bank,
                ["AccountVersion"] = VersionOf(account),
            };
            if (!existing.Remove(key, out var before) || !Same(before, row))
            {
                writes.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, row));
            }

            // What is left in decisions afterwards is a mismatch no longer true: it leaves the list.
            if (state == AccountStatus.HolderMismatch && (!decisions.Remove(key, out var known) || known.AccountVersion != VersionOf(account)))
            {
                discrepancyWrites.Add(HolderMismatchEntity(key, child, account!));
            }
        }

        // Children no longer eligible, and mismatches an account settled, leave the cycle's figures and lists.
        writes.AddRange(existing.Values.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e)));
        writes.AddRange(SummaryRows(cycleId, county, schools).Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
        await StorageTables.SubmitAsync(_table, writes, cancellationToken);
        await eligibility.WriteDiscrepanciesAsync(cycleId, runId, discrepancyWrites, decisions.Values, cancellationToken);

        if (stage is Stages.Disbursement or Stages.Rectification)
        {
            foreach (var (code, school) in schools.Where(s => s.Value.Unpaid.Count > 0))
            {
                await OpenSchoolItemAsync(cycleId, code, school.Name, school.Unpaid, cancellationToken);
            }
        }

        logger.LogInformation("{CycleId}: accounts checked for {Children} children, {Changed} rows changed", cycleId, children.Count, writes.Count);
        return county;
    }

    /// <summary>The same for a cycle as stored: nothing before its verification has completed (null then).</summary>
    public Task<AccountFigures?> RefreshAsync(Cycle cycle, CancellationToken cancellationToken) => RefreshAsync(cycle, null, cancellationToken);

    /// <summary>
    /// The same against <paramref name="latest"/>, the county's latest accounts as the caller knows them (an upload that
    /// just wrote them, for every cycle of the county); the registry is read when null.
    /// </summary>
    public async Task<AccountFigures?> RefreshAsync(Cycle cycle, IReadOnlyDictionary<string, AccountRecord>? latest, CancellationToken cancellationToken) =>
        cycle.State.Verification is { IsCompleted: true, RunId: { } runId }
        && cycle.Stage is not (Stages.Closed or Stages.Cancelled)
            ? await RefreshAsync(cycle.Id, runId, cycle.Stage, latest is null ? registry.LatestForCountyAsync(cycle.CountyCode, cancellationToken) : Task.FromResult(latest), cancellationToken)
            : null;

    /// <summary>What a holder decision is bound to: the registry row it was made on (a new upload asks again).</summary>
    public static string? VersionOf(AccountRecord? account) => account is null ? null : $"{account.FileSha256}#{account.FileRow}";

    /// <summary>The cycle's figures (the county's, or one school's); null before the first check.</summary>
    public async Task<AccountFigures?> FiguresAsync(string cycleId, string? schoolCode, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(SummaryPartition(cycleId), schoolCode is null ? CountyRow : SchoolRowPrefix + Keys.Safe(schoolCode), cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            // Checked, and the school has no eligible child: zeros; never checked: nothing to show.
            return schoolCode is not null && (await _table.GetEntityIfExistsAsync<TableEntity>(SummaryPartition(cycleId), CountyRow, cancellationToken: cancellationToken)).HasValue
                ? AccountFigures.Zero
                : null;
        }

        var e = row.Value!;
        return new AccountFigures(e.GetInt32("WithAccount") ?? 0, e.GetInt32("NoAccount") ?? 0, e.GetInt32("InvalidAccount") ?? 0, e.GetInt32("HolderMismatch") ?? 0, e.GetInt32("PendingReview") ?? 0);
    }

    /// <summary>
    /// The account each payable child is paid to, by person key: only children whose account is usable; with
    /// <paramref name="personKeys"/>, only those children, read from the shards they fall in.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, PayableAccount>> LoadPayableAsync(
        StorageAccount storage, string cycleId, CancellationToken cancellationToken, IReadOnlySet<string>? personKeys = null)
    {
        var payable = new Dictionary<string, PayableAccount>(StringComparer.Ordinal);
        if (personKeys is { Count: 0 })
        {
            return payable;
        }

        var partitions = personKeys is null ? StorageTables.StartsWith("PartitionKey", cycleId + "|") : Disbursement.ShardRange.Spanning(personKeys).Filter(cycleId);
        var filter = partitions + " and Usable eq true";
        await foreach (var e in storage.Table(TableName).QueryAsync<TableEntity>(filter, select: ["RowKey", "Holder", "AccountNumber", "Bank"], cancellationToken: cancellationToken))
        {
            if ((personKeys is null || personKeys.Contains(e.RowKey)) && Payable(e) is { } account)
            {
                payable[e.RowKey] = account;
            }
        }

        return payable;
    }

    /// <summary>
    /// For a cut of a few rows (<c>POST …/batches</c>): the account each of <paramref name="personKeys"/> is paid to, only
    /// those usable, read from the children's rows alone. Each row is checked against the registry's latest account
    /// (point reads): when one is not the account the cycle last looked at (an upload whose refresh did not finish),
    /// the whole cycle is refreshed first (<see cref="RefreshAsync"/>), as every cut did before.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PayableAccount>> PayableForAsync(
        string cycleId, string countyCode, string runId, string stage, IReadOnlyCollection<string> personKeys, CancellationToken cancellationToken)
    {
        var rows = await ChildRowsAsync(cycleId, personKeys, cancellationToken);
        var latest = await registry.LatestForAsync(countyCode, personKeys, cancellationToken);
        if (personKeys.Any(k => (rows.TryGetValue(k, out var row) ? row.GetString("AccountVersion") : null) != VersionOf(latest.GetValueOrDefault(k))))
        {
            await RefreshAsync(cycleId, countyCode, runId, stage, cancellationToken);
            rows = await ChildRowsAsync(cycleId, personKeys, cancellationToken);
        }

        return rows.Values
            .Where(e => e.GetBoolean("Usable") == true)
            .Select(e => (e.RowKey, Account: Payable(e)))
            .Where(p => p.Account is not null)
            .ToDictionary(p => p.RowKey, p => p.Account!, StringComparer.Ordinal);
    }

    /// <summary>The account a usable child's row pays to; null when it names no account number.</summary>
    private static PayableAccount? Payable(TableEntity usable) =>
        usable.GetString("AccountNumber") is { Length: > 0 } number ? new PayableAccount(usable.GetString("Holder") ?? "", number, usable.GetString("Bank") ?? "") : null;

    /// <summary>Every child's row of the cycle (not the counts), by person key.</summary>
    private async Task<Dictionary<string, TableEntity>> ChildRowsAsync(string cycleId, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in _table.QueryAsync<TableEntity>(StorageTables.StartsWith("PartitionKey", cycleId + "|"), cancellationToken: cancellationToken))
        {
            if (e.PartitionKey != SummaryPartition(cycleId))
            {
                rows[e.RowKey] = e;
            }
        }

        return rows;
    }

    /// <summary>The run's holder-mismatch discrepancies (decided or not), by person key.</summary>
    private async Task<Dictionary<string, DiscrepancyRow>> HolderDecisionsAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        var decisions = new Dictionary<string, DiscrepancyRow>(StringComparer.Ordinal);
        await foreach (var d in eligibility.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.HolderMismatch, cancellationToken))
        {
            decisions[HolderMismatchKey(d.Id)] = d;
        }

        return decisions;
    }

    private async Task<Dictionary<string, TableEntity>> ChildRowsAsync(string cycleId, IReadOnlyCollection<string> personKeys, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(personKeys.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(ChildPartition(cycleId, key), key, cancellationToken: ct);
            if (row.HasValue)
            {
                lock (rows)
                {
                    rows[key] = row.Value!;
                }
            }
        });
        return rows;
    }

    private static string HolderMismatchKey(string discrepancyId) => discrepancyId[(DiscrepancyKinds.HolderMismatch.Length + 1)..];

    private sealed record Child(IdNumber IdNumber, string Name, string SchoolCode, string SchoolName, IReadOnlyList<string> HouseholdNames);

    /// <summary>Every child the run's ledger (verification and review) or a late confirmation makes eligible, by person key.</summary>
    private async Task<Dictionary<string, Child>> EligibleChildrenAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        // Read at once, merged in the order they were read one after another before: a child keeps its first program's
        // row, and a late entitlement adds only a child no ledger lists.
        var reads = LedgerWorkbook.ProgramSheets.Keys.Select(program => LedgerChildrenAsync(cycleId, runId, program, cancellationToken)).Append(LateChildrenAsync(cycleId, cancellationToken)).ToList();
        var children = new Dictionary<string, Child>(StringComparer.Ordinal);
        foreach (var (key, child) in (await Task.WhenAll(reads)).SelectMany(r => r))
        {
            children.TryAdd(key, child);
        }

        return children;
    }

    /// <summary>Entitlements confirmed after verification (控辍保学 follow-up, rectification) have no ledger row: the child alone may hold the account.</summary>
    private async Task<List<(string Key, Child Child)>> LateChildrenAsync(string cycleId, CancellationToken cancellationToken)
    {
        var children = new List<(string, Child)>();
        await foreach (var p in disbursement.EntitledPeopleAsync(cycleId, cancellationToken))
        {
            children.Add((p.PersonKey, new Child(p.IdNumber, p.Name, p.SchoolCode, p.SchoolName, [])));
        }

        return children;
    }

    private async Task<List<(string Key, Child Child)>> LedgerChildrenAsync(string cycleId, string runId, string program, CancellationToken cancellationToken)
    {
        var children = new List<(string, Child)>();
        await foreach (var row in eligibility.AllLedgerAsync(cycleId, runId, program, cancellationToken))
        {
            children.Add((row.IdNumber.PersonKey, new Child(row.IdNumber, row.Name, row.SchoolCode, row.SchoolName, row.HouseholdNames)));
        }

        return children;
    }

    private static TableEntity HolderMismatchEntity(string key, Child child, AccountRecord account) =>
        new(string.Empty, DiscrepancyKinds.HolderMismatch + "|" + key)
        {
            ["Kind"] = DiscrepancyKinds.HolderMismatch,
            ["File"] = "accounts",
            ["Reason"] = $"账户名「{account.Holder}」既不是学生本人，也不是扶贫系统中同户的家庭成员",
            ["StudentName"] = child.Name,
            ["SchoolCode"] = child.SchoolCode,
            ["SchoolName"] = child.SchoolName,
            ["MaskedId"] = child.IdNumber.Masked,
            ["MaskedAccount"] = account.MaskedAccount,
            ["AccountVersion"] = VersionOf(account),
            ["Column"] = "账户名",
        };

    private static IEnumerable<TableEntity> SummaryRows(string cycleId, AccountFigures county, SortedDictionary<string, (string Name, AccountFigures Figures, List<string> Unpaid)> schools)
    {
        static TableEntity Row(string partition, string rowKey, AccountFigures f) => new(partition, rowKey)
        {
            ["WithAccount"] = f.WithAccount,
            ["NoAccount"] = f.NoAccount,
            ["InvalidAccount"] = f.InvalidAccount,
            ["HolderMismatch"] = f.HolderMismatch,
            ["PendingReview"] = f.PendingReview,
        };

        yield return Row(SummaryPartition(cycleId), CountyRow, county);
        foreach (var (code, school) in schools)
        {
            yield return Row(SummaryPartition(cycleId), SchoolRowPrefix + Keys.Safe(code), school.Figures);
        }
    }

    /// <summary>One item per school, opened once and its list of children brought up to date as accounts arrive.</summary>
    private async Task OpenSchoolItemAsync(string cycleId, string schoolCode, string schoolName, List<string> names, CancellationToken cancellationToken)
    {
        const int Shown = 100;
        var listed = string.Join("、", names.Take(Shown)) + (names.Count > Shown ? $" 等{names.Count}人" : "");
        var description = $"{schoolName}有{names.Count}名受助学生没有可用的代发账户（无账户、账号无效或账户名待核实），资金暂不能发放：{listed}。请收集账户信息后上传，下一批补发将发放。";
        if (description.Length > RectificationItemInput.MaxDescription)
        {
            description = description[..(RectificationItemInput.MaxDescription - 1)] + "…";
        }

        var input = new RectificationItemInput(
            cycleId, RectificationSources.NoAccount, "school:" + schoolCode, $"{schoolName}：{names.Count}名学生缺少可用的代发账户", description,
            SchoolCode.IsValid(schoolCode) ? Assignees.ForSchool(schoolCode) : Assignees.ForSection(Assignees.AidSection), SchoolCode.IsValid(schoolCode) ? schoolCode : null);
        if (input.Validate().Count > 0)
        {
            input = input with { Description = null };
        }

        var opened = await rectification.OpenAsync(input, cancellationToken);
        if (!opened.Created && (opened.Item.Title != input.Title.Trim() || opened.Item.Description != input.Description?.Trim()))
        {
            await rectification.ReviseAsync(cycleId, opened.Item.Id, input.Title.Trim(), input.Description?.Trim(), cancellationToken);
        }
    }

    private static bool Same(TableEntity before, TableEntity after) =>
        after.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp"))
            .All(k => Equals(before.TryGetValue(k, out var v) ? v : null, after[k]));
}
