using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Auth;

public sealed record ApiKeyInfo(string Id, string Name, string Role, string? SchoolCode, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt);

/// <summary>
/// API keys for service accounts and local runs. A key is shown once when created; only its SHA-256 is stored (the
/// row key), so a leaked table does not leak keys. Keys are long random strings, so an unsalted hash is enough.
/// </summary>
public sealed class ApiKeyStore(StorageAccount storage, TimeProvider clock)
{
    private const string Partition = "key";
    private readonly TableClient _table = storage.Table("apikeys");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task<(ApiKeyInfo Info, string Key)> CreateAsync(string name, string role, string? schoolCode, string createdBy, CancellationToken cancellationToken)
    {
        var key = "er_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = Base64Url(RandomNumberGenerator.GetBytes(9));
        var info = new ApiKeyInfo(id, name, role, schoolCode, clock.GetUtcNow(), createdBy, null);
        await _table.AddEntityAsync(
            new TableEntity(Partition, Hash(key))
            {
                ["Id"] = id,
                ["Name"] = name,
                ["Role"] = role,
                ["SchoolCode"] = schoolCode,
                ["CreatedAt"] = info.CreatedAt,
                ["CreatedBy"] = createdBy,
            },
            cancellationToken);
        return (info, key);
    }

    public async Task<ApiKeyInfo?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Hash(key), cancellationToken: cancellationToken);
        return row.HasValue ? ToInfo(row.Value!) : null;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<ApiKeyInfo>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            list.Add(ToInfo(e));
        }

        return list.OrderBy(k => k.CreatedAt).ToList();
    }

    /// <summary>Revokes by id; false when no such key exists.</summary>
    public async Task<ApiKeyInfo?> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition && x.GetString("Id") == id, cancellationToken: cancellationToken))
        {
            if (e.GetDateTimeOffset("RevokedAt") is null)
            {
                e["RevokedAt"] = clock.GetUtcNow();
                await _table.UpdateEntityAsync(e, ETag.All, TableUpdateMode.Merge, cancellationToken);
            }

            return ToInfo(e);
        }

        return null;
    }

    private static ApiKeyInfo ToInfo(TableEntity e) => new(
        e.GetString("Id"), e.GetString("Name"), e.GetString("Role"), e.GetString("SchoolCode"),
        e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("RevokedAt"));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
