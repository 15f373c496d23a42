using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using EduRelief.Storage;

namespace EduRelief.Operations;

public sealed record CycleTable(string Name, CycleRowScope Scope);

public sealed record ExportedTable(string Name, string File, long Rows, string Sha256);

public sealed record ExportedBlob(string Container, string Name, string File, long Size, string Sha256, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

public sealed record CycleManifest(string Format, string CycleId, string CountyCode, DateTimeOffset ExportedAt, IReadOnlyList<ExportedTable> Tables, IReadOnlyList<ExportedBlob> Blobs);

/// <summary>The outcome of an export or import: a value, with the reason when it failed.</summary>
public sealed record BackupResult(bool Ok, string Message, CycleManifest? Manifest = null);

/// <summary>
/// Exports every table row and content-addressed blob that belongs to one cycle as JSON Lines (typed properties kept),
/// blob files and a manifest with counts and SHA-256 of every file; imports such a folder into another storage account
/// (or prefix), refusing to overwrite existing rows unless told to replace them, after verifying every hash.
/// </summary>
public sealed partial class CycleBackup(StorageAccount storage, TimeProvider clock)
{
    public const string Format = "edurelief-cycle-export/1";
    public const string ManifestFile = "manifest.json";

    /// <summary>Every table that holds a cycle's data, with how it keys the cycle's rows, as the stores declare them.</summary>
    public static readonly IReadOnlyList<CycleTable> Tables =
        [.. DeclaredTables.All.Where(t => t.CycleRows is not null).Select(t => new CycleTable(t.Name, t.CycleRows!.Value))];

    /// <summary>Containers of content-addressed blobs; a blob is the cycle's when a row of the cycle names its hash.</summary>
    public static readonly IReadOnlyList<string> Containers = ["rosters", "notices", "letters", "evidence", "bankfiles"];

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    /// <summary>The server-side filter of a table's rows of the cycle (timers are narrowed further by <see cref="Belongs"/>).</summary>
    public static string Filter(CycleRowScope scope, string cycleId, string countyCode) => scope switch
    {
        CycleRowScope.CyclePartitions => TableClient.CreateQueryFilter($"PartitionKey eq {cycleId} or (PartitionKey ge {cycleId + "|"} and PartitionKey lt {cycleId + "}"})"),
        CycleRowScope.CycleIndexRow => TableClient.CreateQueryFilter($"PartitionKey eq {"cycle"} and RowKey eq {cycleId}"),
        CycleRowScope.DueTimers => TableClient.CreateQueryFilter($"PartitionKey eq {"due"}"),
        CycleRowScope.CountyPartition => TableClient.CreateQueryFilter($"PartitionKey eq {countyCode}"),
        CycleRowScope.CountyPartitions => TableClient.CreateQueryFilter($"PartitionKey eq {countyCode} or (PartitionKey ge {countyCode + "|"} and PartitionKey lt {countyCode + "}"})"),
        _ => TableClient.CreateQueryFilter($"PartitionKey eq {"contacts"} and RowKey eq {countyCode}"),
    };

    public static bool Belongs(CycleRowScope scope, string cycleId, TableEntity row) =>
        scope != CycleRowScope.DueTimers || row.RowKey.Contains($"|{cycleId}|", StringComparison.Ordinal);

    public async Task<BackupResult> ExportAsync(string cycleId, string directory, CancellationToken cancellationToken)
    {
        var index = await ReadIfExistsAsync("cycles", "cycle", cycleId, cancellationToken);
        if (index?.GetString("CountyCode") is not { Length: > 0 } countyCode)
        {
            return new(false, $"Cycle {cycleId} is not in this storage account.");
        }

        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            return new(false, $"{directory} is not empty; export into a new folder.");
        }

        Directory.CreateDirectory(Path.Combine(directory, "tables"));
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        var tables = new List<ExportedTable>();
        foreach (var table in Tables)
        {
            var file = $"tables/{table.Name}.jsonl";
            long rows = 0;
            await using (var writer = new StreamWriter(Path.Combine(directory, file), false, new UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                await foreach (var row in QueryAsync(table.Name, Filter(table.Scope, cycleId, countyCode), cancellationToken))
                {
                    if (!Belongs(table.Scope, cycleId, row))
                    {
                        continue;
                    }

                    foreach (var value in row.Select(p => p.Value).OfType<string>())
                    {
                        foreach (Match m in HashPattern().Matches(value))
                        {
                            hashes.Add(m.Value);
                        }
                    }

                    await writer.WriteLineAsync(EntityJson.Write(row).ToJsonString());
                    rows++;
                }
            }

            tables.Add(new(table.Name, file, rows, await HashFileAsync(Path.Combine(directory, file), cancellationToken)));
        }

        var blobs = new List<ExportedBlob>();
        foreach (var name in Containers)
        {
            var container = storage.Blobs.GetBlobContainerClient(storage.ContainerName(name));
            if (!await container.ExistsAsync(cancellationToken))
            {
                continue;
            }

            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
            {
                if (!hashes.Contains(item.Name[(item.Name.LastIndexOf('/') + 1)..]))
                {
                    continue;
                }

                var file = $"blobs/{name}/{item.Name}";
                var path = Path.Combine(directory, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await container.GetBlobClient(item.Name).DownloadToAsync(path, cancellationToken);
                blobs.Add(new(name, item.Name, file, new FileInfo(path).Length, await HashFileAsync(path, cancellationToken),
                    item.Properties.ContentType, new SortedDictionary<string, string>(item.Metadata, StringComparer.Ordinal)));
            }
        }

        var now = clock.GetUtcNow();
        var manifest = new CycleManifest(Format, cycleId, countyCode, Hosting.ChinaTime.ToChina(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond))), tables, blobs);
        await File.WriteAllTextAsync(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson), cancellationToken);
        return new(true, $"Exported cycle {cycleId}: {tables.Sum(t => t.Rows)} rows in {tables.Count} tables, {blobs.Count} blobs.", manifest);
    }

    public async Task<BackupResult> ImportAsync(string directory, bool replace, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            return new(false, $"{manifestPath} does not exist.");
        }

        CycleManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CycleManifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken), ManifestJson);
        }
        catch (JsonException ex)
        {
            return new(false, $"The manifest is not valid JSON: {ex.Message}");
        }

        if (manifest is null || manifest.Format != Format)
        {
            return new(false, $"The manifest is not an {Format} manifest.");
        }

        // Every file first: a damaged or altered export writes nothing.
        var known = Tables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (file, sha256) in manifest.Tables.Select(t => (t.File, t.Sha256)).Concat(manifest.Blobs.Select(b => (b.File, b.Sha256))))
        {
            var path = Path.GetFullPath(Path.Combine(directory, file));
            if (!path.StartsWith(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
            {
                return new(false, $"{file} named by the manifest is missing.");
            }

            if (await HashFileAsync(path, cancellationToken) != sha256)
            {
                return new(false, $"{file} does not match its SHA-256 in the manifest.");
            }
        }

        if (manifest.Tables.FirstOrDefault(t => !known.Contains(t.Name)) is { } unknown)
        {
            return new(false, $"The manifest names table {unknown.Name}, which this version does not know.");
        }

        if (manifest.Blobs.FirstOrDefault(b => !Containers.Contains(b.Container)) is { } foreign)
        {
            return new(false, $"The manifest names container {foreign.Container}, which this version does not know.");
        }

        var rows = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        foreach (var table in manifest.Tables)
        {
            var list = new List<TableEntity>();
            foreach (var line in await File.ReadAllLinesAsync(Path.Combine(directory, table.File), cancellationToken))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    list.Add(EntityJson.Read(JsonNode.Parse(line)!.AsObject()));
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NullReferenceException)
                {
                    return new(false, $"{table.File} holds a row that cannot be read: {ex.Message}");
                }
            }

            if (list.Count != table.Rows)
            {
                return new(false, $"{table.File} holds {list.Count} rows, the manifest says {table.Rows}.");
            }

            rows[table.Name] = list;
        }

        foreach (var table in manifest.Tables)
        {
            await storage.Table(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }

        if (!replace)
        {
            foreach (var (name, list) in rows)
            {
                var client = storage.Table(name);
                foreach (var partition in list.GroupBy(r => r.PartitionKey))
                {
                    var keys = partition.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
                    await foreach (var existing in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition.Key}"), select: ["RowKey"], cancellationToken: cancellationToken))
                    {
                        if (keys.Contains(existing.RowKey))
                        {
                            return new(false, $"Table {name} already holds row ({partition.Key}, {existing.RowKey}); nothing was imported (use --replace to overwrite).");
                        }
                    }
                }
            }
        }

        foreach (var blob in manifest.Blobs)
        {
            var container = storage.Blobs.GetBlobContainerClient(storage.ContainerName(blob.Container));
            await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
            var client = container.GetBlobClient(blob.Name);
            await using var file = File.OpenRead(Path.Combine(directory, blob.File));
            try
            {
                await client.UploadAsync(file, new BlobUploadOptions
                {
                    // Content-addressed: a blob already there under the name holds the same bytes.
                    Conditions = replace ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = blob.ContentType },
                    Metadata = new Dictionary<string, string>(blob.Metadata),
                }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
            }
        }

        foreach (var (name, list) in rows)
        {
            var client = storage.Table(name);
            var type = replace ? TableTransactionActionType.UpsertReplace : TableTransactionActionType.Add;
            foreach (var partition in list.GroupBy(r => r.PartitionKey))
            {
                foreach (var chunk in partition.Chunk(100))
                {
                    await client.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(type, r)), cancellationToken);
                }
            }
        }

        return new(true, $"Imported cycle {manifest.CycleId}: {rows.Values.Sum(l => l.Count)} rows in {rows.Count} tables, {manifest.Blobs.Count} blobs.", manifest);
    }

    private async IAsyncEnumerable<TableEntity> QueryAsync(string table, string filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = storage.Table(table);
        var pages = client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // The table was never created in this account: nothing of the cycle in it.
                    yield break;
                }

                foreach (var row in pages.Current.Values)
                {
                    yield return row;
                }
            }
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    private async Task<TableEntity?> ReadIfExistsAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            var row = await storage.Table(table).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            return row.HasValue ? row.Value : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")]
    private static partial Regex HashPattern();
}

/// <summary>A table row as JSON with each property's Edm type, so an import writes back exactly the types it read.</summary>
public static class EntityJson
{
    public static JsonObject Write(TableEntity row)
    {
        var properties = new JsonObject();
        foreach (var (key, value) in row.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (key is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || value is null)
            {
                continue;
            }

            properties[key] = value switch
            {
                string s => Typed("Edm.String", s),
                bool b => Typed("Edm.Boolean", b),
                int i => Typed("Edm.Int32", i),
                long l => Typed("Edm.Int64", l.ToString(CultureInfo.InvariantCulture)),
                double d => Typed("Edm.Double", d.ToString("R", CultureInfo.InvariantCulture)),
                DateTimeOffset t => Typed("Edm.DateTime", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
                DateTime t => Typed("Edm.DateTime", t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                Guid g => Typed("Edm.Guid", g.ToString("D")),
                byte[] bytes => Typed("Edm.Binary", Convert.ToBase64String(bytes)),
                BinaryData data => Typed("Edm.Binary", Convert.ToBase64String(data.ToArray())),
                _ => throw new NotSupportedException($"Property {key} has an unsupported type {value.GetType().Name}."),
            };
        }

        return new JsonObject { ["pk"] = row.PartitionKey, ["rk"] = row.RowKey, ["properties"] = properties };
    }

    public static TableEntity Read(JsonObject json)
    {
        var row = new TableEntity((string)json["pk"]!, (string)json["rk"]!);
        foreach (var (key, node) in json["properties"]!.AsObject())
        {
            var type = (string)node!["type"]!;
            var value = node["value"]!;
            row[key] = type switch
            {
                "Edm.String" => (string)value!,
                "Edm.Boolean" => (bool)value,
                "Edm.Int32" => (int)value,
                "Edm.Int64" => long.Parse((string)value!, CultureInfo.InvariantCulture),
                "Edm.Double" => double.Parse((string)value!, CultureInfo.InvariantCulture),
                "Edm.DateTime" => DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                "Edm.Guid" => Guid.Parse((string)value!),
                "Edm.Binary" => Convert.FromBase64String((string)value!),
                _ => throw new JsonException($"Property {key} has an unknown type {type}."),
            };
        }

        return row;
    }

    private static JsonObject Typed(string type, JsonNode value) => new() { ["type"] = type, ["value"] = value };
}
