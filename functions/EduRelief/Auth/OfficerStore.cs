using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;
using Page = EduRelief.Storage.Page<EduRelief.Auth.OfficerMapping>;

namespace EduRelief.Auth;

/// <summary>The school an administrator assigned to a school officer's Entra object id.</summary>
public sealed record OfficerMapping(string ObjectId, string SchoolCode, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// Table <c>officers</c>: one row per Entra object id, naming the officer's school when the token carries no school
/// claim. Sign-in reads it on every bearer request, so lookups are cached for <see cref="CacheFor"/>; a change made on
/// this instance takes effect at once, on others within that time.
/// </summary>
public sealed class OfficerStore(StorageAccount storage, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("officers")];

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private const string Partition = "officer";
    private readonly TableClient _table = storage.Table("officers");
    private readonly ConcurrentDictionary<string, (string? School, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public Task CreateTableAsync(CancellationToken ct) => _table.CreateIfNotExistsAsync(ct);

    /// <summary>The object id in its canonical form (lower-case GUID with hyphens), or null when it is not a GUID.</summary>
    public static string? Normalize(string? objectId) => Guid.TryParse(objectId, out var g) ? g.ToString("D") : null;

    /// <summary>Sets the officer's school; Created is true when the officer had none.</summary>
    public async Task<(OfficerMapping Mapping, bool Created)> SetAsync(string objectId, string schoolCode, string updatedBy, CancellationToken ct)
    {
        var existed = (await _table.GetEntityIfExistsAsync<TableEntity>(Partition, objectId, ["SchoolCode"], ct)).HasValue;
        var mapping = new OfficerMapping(objectId, schoolCode, clock.GetUtcNow(), updatedBy);
        await _table.UpsertEntityAsync(
            new TableEntity(Partition, objectId) { ["SchoolCode"] = schoolCode, ["UpdatedAt"] = mapping.UpdatedAt, ["UpdatedBy"] = updatedBy },
            TableUpdateMode.Replace,
            ct);
        _cache.TryRemove(objectId, out _);
        return (mapping, !existed);
    }

    public async Task<OfficerMapping?> DeleteAsync(string objectId, CancellationToken ct)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, objectId, cancellationToken: ct);
        if (!row.HasValue || row.Value is not { } e)
        {
            return null;
        }

        try
        {
            await _table.DeleteEntityAsync(Partition, objectId, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Removed concurrently: the outcome is the same.
        }

        _cache.TryRemove(objectId, out _);
        return ToMapping(e);
    }

    public async Task<Page> ListAsync(string? continuationToken, int pageSize, CancellationToken ct)
    {
        await foreach (var page in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, pageSize, cancellationToken: ct).AsPages(continuationToken, pageSize))
        {
            return new Page(page.Values.Select(ToMapping).ToList(), page.ContinuationToken);
        }

        return new Page([], null);
    }

    /// <summary>The school mapped to the officer, or null; cached briefly.</summary>
    public async Task<string?> FindSchoolAsync(string objectId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(objectId, out var cached) && cached.Until > now)
        {
            return cached.School;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, objectId, ["SchoolCode"], ct);
        var school = row.HasValue && row.Value is { } e ? e.GetString("SchoolCode") : null;
        _cache[objectId] = (school, now + CacheFor);
        return school;
    }

    private static OfficerMapping ToMapping(TableEntity e) =>
        new(e.RowKey, e.GetString("SchoolCode") ?? "", e.GetDateTimeOffset("UpdatedAt") ?? default, e.GetString("UpdatedBy") ?? "");
}
