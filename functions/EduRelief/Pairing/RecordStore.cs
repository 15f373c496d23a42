using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Pairing;

/// <summary>A photo kept as evidence of a record: content-addressed in the evidence container.</summary>
public sealed record RecordPhoto(string Sha256, string ContentType, long Size);

/// <summary>
/// A 家访, 帮扶 or phone record of a child in a cycle, as written (notes already masked). <see cref="Corrects"/> names the
/// record of the same child this one corrects: records are never changed, a correction is a new record.
/// </summary>
public sealed record PairingRecord(
    string Id, string CycleId, string ChildKey, string SchoolCode, string Kind, DateOnly Date, string? Notes, string TeacherId,
    string RecordedBy, DateTimeOffset RecordedAt, string? Corrects, RecordPhoto? Photo)
{
    public CountedRecord Counted => new(Id, Kind, Date, Corrects);
}

/// <summary>
/// Records, table <c>pairingrecords</c>: partition <c>{cycleId}|{childKey}</c>, one row per record keyed
/// <c>{utc ticks of recording, 19 digits}-{8 random hex}</c> (oldest first), only ever added. Photos uploaded for
/// records are listed in partition <c>{cycleId}|photos</c> by SHA-256 (the bytes are in the rectification evidence
/// container), so a record may only name a photo uploaded to its cycle.
/// </summary>
public sealed class RecordStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("pairingrecords", CycleRowScope.CyclePartitions)];

    private const string PhotosPartition = "photos";

    private readonly TableClient _table = storage.Table("pairingrecords");

    public static string NewId(DateTimeOffset at) =>
        at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public static bool IsRecordId(string? id) => id is { Length: 28 } && id[19] == '-' && id[..19].All(char.IsAsciiDigit) && id[20..].All(char.IsAsciiHexDigitLower);

    public Task AddAsync(PairingRecord r, CancellationToken cancellationToken) => _table.AddEntityAsync(
        new TableEntity($"{r.CycleId}|{r.ChildKey}", r.Id)
        {
            ["SchoolCode"] = r.SchoolCode,
            ["Kind"] = r.Kind,
            ["Date"] = r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Notes"] = r.Notes,
            ["TeacherId"] = r.TeacherId,
            ["RecordedBy"] = r.RecordedBy,
            ["RecordedAt"] = r.RecordedAt,
            ["Corrects"] = r.Corrects,
            ["PhotoSha256"] = r.Photo?.Sha256,
            ["PhotoType"] = r.Photo?.ContentType,
            ["PhotoSize"] = r.Photo?.Size,
        },
        cancellationToken);

    /// <summary>The child's records in the cycle, oldest first.</summary>
    public async Task<IReadOnlyList<PairingRecord>> ChildAsync(string cycleId, string childKey, CancellationToken cancellationToken)
    {
        var records = new List<PairingRecord>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {$"{cycleId}|{childKey}"}"), cancellationToken: cancellationToken))
        {
            records.Add(ToRecord(e));
        }

        return records;
    }

    /// <summary>Every record of the cycle, by child (row key order within each).</summary>
    public async Task<IReadOnlyDictionary<string, List<PairingRecord>>> CycleAsync(string cycleId, CancellationToken cancellationToken)
    {
        var byChild = new Dictionary<string, List<PairingRecord>>(StringComparer.Ordinal);
        var filter = StorageTables.StartsWith("PartitionKey", cycleId + "|") + " and " + TableClient.CreateQueryFilter($"PartitionKey ne {$"{cycleId}|{PhotosPartition}"}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var r = ToRecord(e);
            if (!byChild.TryGetValue(r.ChildKey, out var list))
            {
                byChild[r.ChildKey] = list = [];
            }

            list.Add(r);
        }

        return byChild;
    }

    public async Task AddPhotoAsync(string cycleId, RecordPhoto photo, string uploadedBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(
            new TableEntity($"{cycleId}|{PhotosPartition}", photo.Sha256) { ["ContentType"] = photo.ContentType, ["Size"] = photo.Size, ["UploadedBy"] = uploadedBy, ["UploadedAt"] = at },
            TableUpdateMode.Merge, cancellationToken);

    public async Task<RecordPhoto?> FindPhotoAsync(string cycleId, string? sha256, CancellationToken cancellationToken)
    {
        if (sha256 is not { Length: 64 } || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>($"{cycleId}|{PhotosPartition}", sha256, cancellationToken: cancellationToken);
        return row.HasValue ? new RecordPhoto(sha256, row.Value!.GetString("ContentType") ?? "", row.Value.GetInt64("Size") ?? 0) : null;
    }

    private static PairingRecord ToRecord(TableEntity e)
    {
        var bar = e.PartitionKey.LastIndexOf('|');
        return new PairingRecord(
            e.RowKey, e.PartitionKey[..bar], e.PartitionKey[(bar + 1)..], e.GetString("SchoolCode") ?? "", e.GetString("Kind") ?? "",
            DateOnly.ParseExact(e.GetString("Date") ?? "0001-01-01", "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetString("Notes"), e.GetString("TeacherId") ?? "",
            e.GetString("RecordedBy") ?? "", e.GetDateTimeOffset("RecordedAt") ?? default, e.GetString("Corrects"),
            e.GetString("PhotoSha256") is { } sha ? new RecordPhoto(sha, e.GetString("PhotoType") ?? "", e.GetInt64("PhotoSize") ?? 0) : null);
    }
}
