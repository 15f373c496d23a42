using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Auth;

/// <summary>
/// A key as listed: the counties it may act on, when it expires, when it was last used. <see cref="RotatedAt"/> is when
/// its current secret was issued by a rotation; <see cref="PreviousRetiresAt"/> is when the secret it replaced stops
/// working (null when no earlier secret still works).
/// </summary>
public sealed record ApiKeyInfo(
    string Id,
    string Name,
    string Role,
    string? SchoolCode,
    IReadOnlyList<string> Counties,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt = null,
    DateTimeOffset? RotatedAt = null,
    DateTimeOffset? PreviousRetiresAt = null,
    DateTimeOffset? PreviousLastUsedAt = null)
{
    /// <summary>A teacher's key: the teacher of <see cref="SchoolCode"/> it signs in as.</summary>
    public string? TeacherId { get; init; }
}

/// <summary>One secret of a key, as sign-in finds it: the key, and when this secret stops working after a rotation.</summary>
public sealed record ApiKeySecret(ApiKeyInfo Key, string Hash, DateTimeOffset? RetiresAt);

/// <summary>
/// API keys for service accounts and local runs. A key is shown once when created; only its SHA-256 is stored (the
/// row key), so a leaked table does not leak keys. Keys are long random strings, so an unsalted hash is enough.
/// A key id may have several secrets (one row each, the same <c>Id</c>): rotation adds a new secret and gives the
/// current one a <c>RetiresAt</c>, so both work until then. <c>LastUsedAt</c> is written at most once per
/// <see cref="LastUseGranularity"/> per secret, never on every request.
/// </summary>
public sealed class ApiKeyStore(StorageAccount storage, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("apikeys")];

    public static readonly TimeSpan LastUseGranularity = TimeSpan.FromMinutes(1);

    private const string Partition = "key";
    private readonly TableClient _table = storage.Table("apikeys");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task<(ApiKeyInfo Info, string Key)> CreateAsync(
        string name, string role, string? schoolCode, IReadOnlyList<string> counties, DateTimeOffset? expiresAt, string createdBy, CancellationToken cancellationToken, string? teacherId = null)
    {
        var key = NewSecret();
        var id = Base64Url(RandomNumberGenerator.GetBytes(9));
        var info = new ApiKeyInfo(id, name, role, schoolCode, counties, expiresAt, clock.GetUtcNow(), createdBy, null) { TeacherId = teacherId };
        await _table.AddEntityAsync(ToEntity(info, Hash(key), issuedAt: info.CreatedAt), cancellationToken);
        return (info, key);
    }

    public async Task<ApiKeySecret?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Hash(key), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? new ApiKeySecret(ToInfo(e), e.RowKey, e.GetDateTimeOffset("RetiresAt")) : null;
    }

    /// <summary>Records that the secret was used now, unless it was recorded less than <see cref="LastUseGranularity"/> ago.</summary>
    public async Task RecordUseAsync(ApiKeySecret secret, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (secret.Key.LastUsedAt is { } last && now - last < LastUseGranularity && now >= last)
        {
            return;
        }

        try
        {
            await _table.UpdateEntityAsync(new TableEntity(Partition, secret.Hash) { ["LastUsedAt"] = now }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // The last use is a hint for operators; a failed write must not fail the request it describes.
        }
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            rows.Add(e);
        }

        return rows.GroupBy(e => e.GetString("Id")).Select(Combine).OrderBy(k => k.CreatedAt).ToList();
    }

    public async Task<ApiKeyInfo?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(id, cancellationToken);
        return rows.Count == 0 ? null : Combine(rows);
    }

    /// <summary>Revokes every secret of the key; null when no such key exists.</summary>
    public async Task<ApiKeyInfo?> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(id, cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var e in rows.Where(e => e.GetDateTimeOffset("RevokedAt") is null))
        {
            e["RevokedAt"] = now;
            await _table.UpdateEntityAsync(e, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }

        return rows.Count == 0 ? null : Combine(rows);
    }

    /// <summary>
    /// Issues a new secret for the key; the secrets it had keep working until <paramref name="overlap"/> from now (or
    /// their earlier end). Null when no such key exists.
    /// </summary>
    public async Task<(ApiKeyInfo Info, string Key)?> RotateAsync(string id, TimeSpan overlap, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(id, cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var retiresAt = now + overlap;
        var key = NewSecret();
        var current = Current(rows);
        await _table.AddEntityAsync(ToEntity(ToInfo(current), Hash(key), issuedAt: now), cancellationToken);
        await RetireAsync(rows, retiresAt, cancellationToken);
        return (Combine(await RowsAsync(id, cancellationToken)), key);
    }

    /// <summary>Ends the overlap of a rotation at once: every secret but the newest stops working. Null when no such key exists.</summary>
    public async Task<ApiKeyInfo?> RetirePreviousAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(id, cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var current = Current(rows);
        await RetireAsync(rows.Where(e => e.RowKey != current.RowKey), clock.GetUtcNow(), cancellationToken);
        return Combine(await RowsAsync(id, cancellationToken));
    }

    private async Task RetireAsync(IEnumerable<TableEntity> rows, DateTimeOffset retiresAt, CancellationToken cancellationToken)
    {
        foreach (var e in rows.Where(e => e.GetDateTimeOffset("RetiresAt") is not { } at || at > retiresAt))
        {
            await _table.UpdateEntityAsync(new TableEntity(Partition, e.RowKey) { ["RetiresAt"] = retiresAt }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
    }

    private async Task<List<TableEntity>> RowsAsync(string id, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition && x.GetString("Id") == id, cancellationToken: cancellationToken))
        {
            rows.Add(e);
        }

        return rows;
    }

    /// <summary>The newest secret: the one a rotation issued last (every other one retires).</summary>
    private static TableEntity Current(IEnumerable<TableEntity> rows) =>
        rows.OrderByDescending(e => e.GetDateTimeOffset("IssuedAt") ?? e.GetDateTimeOffset("CreatedAt")).First();

    private ApiKeyInfo Combine(IEnumerable<TableEntity> secrets)
    {
        var rows = secrets.ToList();
        var current = Current(rows);
        var now = clock.GetUtcNow();
        var previous = rows.Where(e => e.RowKey != current.RowKey && e.GetDateTimeOffset("RetiresAt") is { } at && at > now).ToList();
        var issuedAt = current.GetDateTimeOffset("IssuedAt");
        var createdAt = current.GetDateTimeOffset("CreatedAt");
        return ToInfo(current) with
        {
            RotatedAt = issuedAt is { } i && i != createdAt ? i : null,
            PreviousRetiresAt = previous.Select(e => e.GetDateTimeOffset("RetiresAt")).Max(),
            PreviousLastUsedAt = previous.Select(e => e.GetDateTimeOffset("LastUsedAt")).Max(),
        };
    }

    private static TableEntity ToEntity(ApiKeyInfo info, string hash, DateTimeOffset issuedAt) => new(Partition, hash)
    {
        ["Id"] = info.Id,
        ["Name"] = info.Name,
        ["Role"] = info.Role,
        ["SchoolCode"] = info.SchoolCode,
        ["TeacherId"] = info.TeacherId,
        ["Counties"] = string.Join(',', info.Counties),
        ["ExpiresAt"] = info.ExpiresAt,
        ["CreatedAt"] = info.CreatedAt,
        ["CreatedBy"] = info.CreatedBy,
        ["IssuedAt"] = issuedAt,
    };

    // A key made before keys carried counties has none: it is refused every county's data until replaced.
    private static ApiKeyInfo ToInfo(TableEntity e) => new(
        e.GetString("Id"), e.GetString("Name"), e.GetString("Role"), e.GetString("SchoolCode"),
        CountyScope.Normalize((e.GetString("Counties") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)),
        e.GetDateTimeOffset("ExpiresAt"), e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "",
        e.GetDateTimeOffset("RevokedAt"), e.GetDateTimeOffset("LastUsedAt"))
    {
        TeacherId = e.GetString("TeacherId"),
    };

    private static string NewSecret() => "er_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
