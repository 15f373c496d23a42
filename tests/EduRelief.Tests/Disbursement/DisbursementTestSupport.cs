using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using EduRelief.Accounts;
using EduRelief.Calendar;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Rectification;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EduRelief.Tests.Disbursement;

/// <summary>Thrown by a crash policy: the process dies right after a storage write committed.</summary>
public sealed class SimulatedCrashException(string point) : Exception($"Simulated crash after {point}.");

/// <summary>
/// Crashes a service between two storage writes, from outside the app: a pipeline policy of the service's own storage
/// account hands every write storage answered 2xx (anything but a read; an entity-group transaction is answered 202
/// even when storage refused it inside, so a crash may also follow a write that did not commit) to
/// <paramref name="afterWrite"/>, which may throw <see cref="SimulatedCrashException"/>. The caller then sees the
/// crash exactly where the process would have died, with that write done and nothing after it.
/// </summary>
public sealed class CrashAfterWritePolicy(Func<string, Task> afterWrite) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (Committed(message))
        {
            await afterWrite(Describe(message));
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        if (Committed(message))
        {
            afterWrite(Describe(message)).GetAwaiter().GetResult();
        }
    }

    private static bool Committed(HttpMessage message) =>
        message.Request.Method != RequestMethod.Get && message.Request.Method != RequestMethod.Head && message.Response.Status is >= 200 and < 300;

    /// <summary>The method and the resource's last path segment, e.g. <c>POST $batch</c> or <c>PUT p1batches(PartitionKey=…)</c>.</summary>
    private static string Describe(HttpMessage message) => $"{message.Request.Method} {message.Request.Uri.Path.Split('/')[^1]}";
}

/// <summary>Crashes once, right after the <paramref name="n"/>th committed write from the moment it is armed.</summary>
public sealed class CrashAtWrite(int n)
{
    private int _writes;

    public bool Armed { get; set; }

    /// <summary>Whether it crashed (the run had at least <c>n</c> writes).</summary>
    public bool Crashed { get; private set; }

    public Task At(string write)
    {
        if (Armed && !Crashed && Interlocked.Increment(ref _writes) == n)
        {
            Crashed = true;
            throw new SimulatedCrashException($"write {n} ({write})");
        }

        return Task.CompletedTask;
    }
}

/// <summary>A cycle's ledger written straight through EligibilityStore on a fresh storage prefix, and services over it.</summary>
public sealed class LedgerWorld
{
    public const string CycleId = "410726-2026-autumn";
    public const string RunId = "run1";

    private readonly string _connectionString;

    private LedgerWorld(string connectionString)
    {
        _connectionString = connectionString;
        Storage = new StorageAccount(connectionString, Repo.NewPrefix(), new RequestCounter());
    }

    public StorageAccount Storage { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 10, 13, 1, 0, 0, TimeSpan.Zero));

    public EligibilityStore Ledger => new(Storage);

    public ObjectionHoldStore Holds => new(Storage);

    public static async Task<LedgerWorld> CreateAsync()
    {
        var world = new LedgerWorld((await Azurite.SharedAsync()).ConnectionString);
        await world.Ledger.CreateTablesAsync(CancellationToken.None);
        await world.Holds.CreateTableAsync(CancellationToken.None);
        await world.Service().CreateStorageAsync(CancellationToken.None);
        await world.Accounts.CreateTableAsync(CancellationToken.None);
        await world.Storage.Table("rectification").CreateIfNotExistsAsync();
        return world;
    }

    /// <summary>A service on this world's storage; with <paramref name="afterWrite"/>, on an account that may crash after each committed write.</summary>
    public DisbursementService Service(Func<string, Task>? afterWrite = null) =>
        afterWrite is null
            ? new(Storage, Ledger, Holds, Clock)
            : new(new StorageAccount(_connectionString, Storage.Prefix, new RequestCounter(), [new CrashAfterWritePolicy(afterWrite)]), Ledger, Holds, Clock);

    /// <summary>A valid 18-digit number for person <paramref name="n"/>, born 2015.</summary>
    public static string IdFor(int n)
    {
        var first17 = "41072620150301" + n.ToString("D3", CultureInfo.InvariantCulture);
        return first17 + IdNumbers.CheckCharacter(first17);
    }

    /// <summary>Person <paramref name="n"/>'s number as the app holds it.</summary>
    public static IdNumber Id(int n) => IdNumber.FromStored(IdFor(n));

    public static StudentRecord Student(int n, string school = "4107260001", decimal amount = 625m, string program = "living_subsidy") => new(
        Id(n), $"学生{n}", school, school == "4107260001" ? "城关镇第一小学" : "城关镇第二小学", SchoolStage.Primary, 3, true, n, n, $"学生{n}", $"H{n}", "脱贫户",
        [new Entitlement(program, new Yuan(amount))]);

    /// <summary>The county's accounts registry as these tests fill it: by person key.</summary>
    public FakeAccountsRegistry Registry { get; } = new();

    public CycleAccounts Accounts => new(Storage, Ledger, Service(), Registry, new RectificationStore(Storage, new WorkingCalendar(Storage, Clock), Clock), NullLogger<CycleAccounts>.Instance);

    /// <summary>
    /// The students' ledger rows, each with an account in their own name unless <paramref name="withAccounts"/> is false,
    /// and the cycle's accounts checked (as at the notice, so no rectification item is opened).
    /// </summary>
    public async Task AddLedgerAsync(IEnumerable<StudentRecord> students, string source = "verification", bool withAccounts = true)
    {
        var list = students.ToList();
        await Ledger.UpsertLedgerAsync(list.SelectMany(s => s.Entitlements.Select(e => EligibilityStore.LedgerEntity(CycleId, RunId, s, e, source))), CancellationToken.None);
        if (withAccounts)
        {
            foreach (var s in list)
            {
                Registry.Give(s.IdNumber.Value, s.Name);
            }
        }

        await CheckAccountsAsync();
    }

    public Task<AccountFigures> CheckAccountsAsync(string stage = "notice") => Accounts.RefreshAsync(CycleId, "410726", RunId, stage, CancellationToken.None);

    public async Task HoldAsync(string caseNumber, StudentRecord student, string status) =>
        await Storage.Table("holds").UpsertEntityAsync(new TableEntity(CycleId, caseNumber)
        {
            ["SchoolCode"] = student.SchoolCode,
            ["StudentName"] = student.Name,
            ["Status"] = status,
            ["CreatedAt"] = Clock.GetUtcNow(),
        });

    public async Task<IReadOnlyList<TableEntity>> AllAsync(string table)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in Storage.Table(table).QueryAsync<TableEntity>())
        {
            rows.Add(e);
        }

        return rows;
    }
}

/// <summary>Writes bank result files as the bank would.</summary>
public static class BankResult
{
    public sealed record Line(int Sequence, string IdNumber, decimal Amount, bool Success, string Reason = "");

    public static byte[] Csv(IEnumerable<Line> lines, Encoding? encoding = null)
    {
        var text = new StringBuilder("序号,身份证号,金额,状态,原因\r\n");
        foreach (var l in lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"{l.Sequence},{l.IdNumber},{l.Amount:0.00},{(l.Success ? "成功" : "失败")},{l.Reason}\r\n");
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (encoding ?? Encoding.GetEncoding(936)).GetBytes(text.ToString());
    }

    /// <summary>The bank pays every item except those <paramref name="fail"/> picks.</summary>
    public static IEnumerable<Line> For(IEnumerable<BatchItem> items, Func<BatchItem, bool>? fail = null) =>
        items.Select(i => fail?.Invoke(i) == true ? new Line(i.Sequence, i.IdNumber.Value, i.Amount.Value, false, "账户已冻结") : new Line(i.Sequence, i.IdNumber.Value, i.Amount.Value, true));

    public static async Task<ReconcileOutcome> ReconcileAsync(DisbursementService service, string batchId, byte[] file)
    {
        var (rows, errors) = BankFiles.ParseResult(file);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(' ', e.Value.Select(m => m.En)))));
        }

        return await service.ReconcileAsync(LedgerWorld.CycleId, batchId, file, rows, CancellationToken.None);
    }
}

/// <summary>An accounts registry in memory: valid 62-prefixed card numbers (Luhn-checked) made up per person.</summary>
public sealed class FakeAccountsRegistry : IAccountsRegistry
{
    private readonly Dictionary<string, AccountRecord> _accounts = new(StringComparer.Ordinal);

    /// <summary>A new latest account for the child, as an upload would record it (each call a new file row).</summary>
    public void Give(string idNumber, string holder, bool valid = true, string bank = "中国农业银行延津县支行")
    {
        var key = PersonKeys.Of(idNumber);
        lock (_accounts)
        {
            var n = _accounts.Count + 1;
            _accounts[key] = new AccountRecord(key, valid ? CardNumber(n) : "12345", holder, bank, valid, DateTimeOffset.UnixEpoch, "test", "fake", n);
        }
    }

    public Task<IReadOnlyDictionary<string, AccountRecord>> LatestForCountyAsync(string county, CancellationToken cancellationToken)
    {
        lock (_accounts)
        {
            return Task.FromResult<IReadOnlyDictionary<string, AccountRecord>>(new Dictionary<string, AccountRecord>(_accounts));
        }
    }

    /// <summary>A 19-digit UnionPay-style number (62...) whose last digit makes the Luhn check pass.</summary>
    public static string CardNumber(int n)
    {
        var body = "621700" + n.ToString("D12", CultureInfo.InvariantCulture);
        for (var check = 0; ; check++)
        {
            if (AccountRules.PassesLuhn(body + check))
            {
                return body + check;
            }
        }
    }
}
