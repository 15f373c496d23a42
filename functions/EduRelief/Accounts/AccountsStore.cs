using Azure;
using Azure.Data.Tables;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Accounts;

/// <summary>The county's registry has changed <see cref="Version"/> times; the last change at <see cref="ChangedAt"/>.</summary>
public sealed record AccountsVersion(long Version, DateTimeOffset? ChangedAt);

/// <summary>
/// What an upload changed: children whose latest account is new or different (each got one history row). When no other
/// upload moved the version between this one's read of the registry and its own move, <see cref="Latest"/> is every
/// child's latest account as of <see cref="Version"/> (what it read, with its own changes), so that the cycles need not
/// read the registry again; otherwise null.
/// </summary>
public sealed record AccountsApplied(int Changed, AccountsVersion Version, IReadOnlyDictionary<string, AccountRecord>? Latest);

/// <summary>
/// The county accounts registry (DOMAIN "Accounts"), table <c>accounts</c>. Partitions are <c>{county}|{shard}</c>
/// (the first two hex digits of the person key, <see cref="PersonKeys"/>); in each, <c>latest|{personKey}</c> is the
/// child's latest account and <c>history|{personKey}|{utcTicks}</c> one row per upload that changed it. No ID number is
/// stored, in a key or elsewhere. Partition <c>{county}</c>, row <c>version</c>, counts the changes so that others can
/// tell when to look again. The uploaded files are kept as content-addressed blobs (container <c>accountfiles</c>).
/// </summary>
public sealed class AccountsStore(StorageAccount storage) : IAccountsRegistry, IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("accounts", CycleRowScope.CountyPartitions)];

    public const long MaxFileBytes = 64L * 1024 * 1024;

    private const string LatestPrefix = "latest|";
    private const string HistoryPrefix = "history|";
    private const string VersionRow = "version";
    private const int Parallelism = 16;

    private readonly TableClient _table = storage.Table("accounts");
    private readonly ContentAddressedBlobs _files = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("accountfiles")));

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await _table.CreateIfNotExistsAsync(cancellationToken);
        await CreateContainerAsync(cancellationToken);
    }

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _files.CreateAsync(cancellationToken);

    /// <summary>Keeps the uploaded file as evidence under its SHA-256, unless those bytes are stored already.</summary>
    public Task SaveFileAsync(string path, string sha256, string contentType, CancellationToken cancellationToken) =>
        _files.SaveFileAsync(path, sha256, contentType, cancellationToken);

    /// <summary>
    /// Makes each line the child's latest account unless it already is (same number, holder and bank), adding one
    /// history row per change in the same entity-group transaction, 100 actions at most. Idempotent: the same file again
    /// changes nothing, and a retry after a crash completes what was left. The version moves when anything changed, or
    /// when this file is not the one the version last recorded (a retry whose changes all landed before the crash).
    /// </summary>
    public async Task<AccountsApplied> ApplyAsync(string county, IReadOnlyList<AccountLine> lines, string fileSha256, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var before = await GetVersionAsync(county, cancellationToken);
        var latest = await LatestForCountyAsync(county, cancellationToken);
        var changes = lines
            .Where(l => !latest.TryGetValue(l.PersonKey, out var now) || now.AccountNumber != l.AccountNumber || now.Holder != l.Holder || now.Bank != l.Bank)
            .Select(l => new AccountRecord(l.PersonKey, l.AccountNumber, l.Holder, l.Bank, l.Valid, at, actor, fileSha256, l.FileRow))
            .ToList();
        var transactions = changes
            .GroupBy(r => Partition(county, r.PersonKey))
            .SelectMany(g => g.Chunk(50))
            .Select(chunk => chunk.SelectMany(r => new[]
            {
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(county, LatestPrefix + r.PersonKey, r)),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(county, HistoryKey(r.PersonKey, at), r)),
            }).ToList());
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
            await _table.SubmitTransactionAsync(batch, ct));
        var version = await BumpVersionAsync(county, changes.Count > 0, fileSha256, at, cancellationToken);
        return new AccountsApplied(changes.Count, version, version.Version == before.Version + 1 ? WithChanges(latest, changes) : null);
    }

    private static Dictionary<string, AccountRecord> WithChanges(IReadOnlyDictionary<string, AccountRecord> latest, List<AccountRecord> changes)
    {
        var after = new Dictionary<string, AccountRecord>(latest, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            after[change.PersonKey] = change;
        }

        return after;
    }

    /// <summary>Every child's latest account in the county, by person key (<see cref="PersonKeys.Of"/>): one scan of the county's partitions.</summary>
    public async Task<IReadOnlyDictionary<string, AccountRecord>> LatestForCountyAsync(string county, CancellationToken cancellationToken)
    {
        var prefix = county + "|";
        var filter = $"{StorageTables.StartsWith("PartitionKey", prefix)} and {StorageTables.StartsWith("RowKey", LatestPrefix)}";
        var result = new Dictionary<string, AccountRecord>(StringComparer.Ordinal);
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            var record = ToRecord(e);
            result[record.PersonKey] = record;
        }

        return result;
    }

    /// <summary>The latest account of each of <paramref name="personKeys"/> that has one: point reads, many at once.</summary>
    public async Task<IReadOnlyDictionary<string, AccountRecord>> LatestForAsync(string county, IReadOnlyCollection<string> personKeys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, AccountRecord>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(personKeys.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var e = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(county, key), LatestPrefix + key, cancellationToken: ct);
            if (e.HasValue)
            {
                lock (result)
                {
                    result[key] = ToRecord(e.Value!);
                }
            }
        });
        return result;
    }

    /// <summary>The child's latest account, or null when the registry has none; <paramref name="idNumber"/> is normalised here.</summary>
    public async Task<AccountRecord?> GetLatestAsync(string county, string idNumber, CancellationToken cancellationToken)
    {
        var key = PersonKeys.Of(IdNumbers.Normalize(idNumber));
        var e = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(county, key), LatestPrefix + key, cancellationToken: cancellationToken);
        return e.HasValue ? ToRecord(e.Value!) : null;
    }

    /// <summary>Every account the child has had, oldest first (the last is the latest).</summary>
    public async Task<IReadOnlyList<AccountRecord>> GetHistoryAsync(string county, string idNumber, CancellationToken cancellationToken)
    {
        var key = PersonKeys.Of(IdNumbers.Normalize(idNumber));
        var filter = $"{TableClient.CreateQueryFilter($"PartitionKey eq {Partition(county, key)}")} and {StorageTables.StartsWith("RowKey", $"{HistoryPrefix}{key}|")}";
        var history = new List<AccountRecord>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            history.Add(ToRecord(e));
        }

        return history;
    }

    /// <summary>How often the county's registry changed and when last; (0, null) before any upload.</summary>
    public async Task<AccountsVersion> GetVersionAsync(string county, CancellationToken cancellationToken)
    {
        var e = await _table.GetEntityIfExistsAsync<TableEntity>(county, VersionRow, cancellationToken: cancellationToken);
        return e.HasValue ? new AccountsVersion(e.Value!.GetInt64("Version") ?? 0, e.Value.GetDateTimeOffset("ChangedAt")) : new AccountsVersion(0, null);
    }

    private async Task<AccountsVersion> BumpVersionAsync(string county, bool changed, string fileSha256, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = await _table.GetEntityIfExistsAsync<TableEntity>(county, VersionRow, cancellationToken: cancellationToken);
            var current = found.HasValue ? found.Value! : null;
            var version = new AccountsVersion(current?.GetInt64("Version") ?? 0, current?.GetDateTimeOffset("ChangedAt"));
            if (!changed && current?.GetString("FileSha256") == fileSha256)
            {
                return version;
            }

            var next = new TableEntity(county, VersionRow) { ["Version"] = version.Version + 1, ["ChangedAt"] = at, ["FileSha256"] = fileSha256 };
            try
            {
                if (current is null)
                {
                    await _table.AddEntityAsync(next, cancellationToken);
                }
                else
                {
                    await _table.UpdateEntityAsync(next, current.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return new AccountsVersion(version.Version + 1, at);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another upload moved the version first: read it again and move it on.
            }
        }
    }

    private static string Partition(string county, string personKey) => $"{county}|{PersonKeys.Shard(personKey)}";

    private static string HistoryKey(string personKey, DateTimeOffset at) => $"{HistoryPrefix}{personKey}|{at.UtcTicks:D19}";

    private static TableEntity Entity(string county, string rowKey, AccountRecord r) => new(Partition(county, r.PersonKey), rowKey)
    {
        ["PersonKey"] = r.PersonKey,
        ["AccountNumber"] = r.AccountNumber,
        ["Holder"] = r.Holder,
        ["Bank"] = r.Bank,
        ["Valid"] = r.Valid,
        ["UploadedAt"] = r.UploadedAt,
        ["UploadedBy"] = r.UploadedBy,
        ["FileSha256"] = r.FileSha256,
        ["FileRow"] = r.FileRow,
    };

    private static AccountRecord ToRecord(TableEntity e) => new(
        e.GetString("PersonKey") ?? "", e.GetString("AccountNumber") ?? "", e.GetString("Holder") ?? "", e.GetString("Bank") ?? "",
        e.GetBoolean("Valid") ?? false, e.GetDateTimeOffset("UploadedAt") ?? DateTimeOffset.MinValue, e.GetString("UploadedBy") ?? "",
        e.GetString("FileSha256") ?? "", e.GetInt32("FileRow") ?? 0);

}
