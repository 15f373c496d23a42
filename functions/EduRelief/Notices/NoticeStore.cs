using EduRelief.Eligibility;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Notices;

/// <summary>A school's published notice: its figures and the hashes of its two documents.</summary>
public sealed record NoticeEntry(string CycleId, string SchoolCode, string SchoolName, string RunId, int Rows, int Recipients, Yuan Amount, string HtmlSha256, string XlsxSha256);

/// <summary>
/// Notice documents as immutable, content-addressed blobs (container <c>notices</c>, <c>sha256/{hash}</c>, like the
/// rosters), and one row per school in table <c>notices</c> (PartitionKey the cycle id, RowKey the school code).
/// </summary>
public sealed class NoticeStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("notices", CycleRowScope.CyclePartitions)];

    private readonly ContentAddressedBlobs _documents = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("notices")));
    private readonly TableClient _table = storage.Table("notices");

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await CreateContainerAsync(cancellationToken);
        await _table.CreateIfNotExistsAsync(cancellationToken);
    }

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _documents.CreateAsync(cancellationToken);

    /// <summary>Stores the document unless the same bytes are stored already; returns its SHA-256.</summary>
    public Task<string> SaveDocumentAsync(byte[] content, string contentType, CancellationToken cancellationToken) =>
        _documents.SaveAsync(content, contentType, cancellationToken);

    public Task<Stream> OpenDocumentAsync(string sha256, CancellationToken cancellationToken) => _documents.OpenAsync(sha256, cancellationToken);

    /// <summary>
    /// Writes the schools' rows of one cycle (one partition) in entity-group transactions of up to 100: each
    /// transaction all or nothing, and a retry rewrites the same rows.
    /// </summary>
    public async Task UpsertAllAsync(IReadOnlyList<NoticeEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var cycle in entries.GroupBy(e => e.CycleId))
        {
            foreach (var chunk in cycle.Chunk(100))
            {
                await _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(e))), cancellationToken);
            }
        }
    }

    private static TableEntity ToEntity(NoticeEntry entry) =>
        new(entry.CycleId, entry.SchoolCode)
        {
            ["SchoolName"] = entry.SchoolName,
            ["RunId"] = entry.RunId,
            ["Rows"] = entry.Rows,
            ["Recipients"] = entry.Recipients,
            ["AmountFen"] = entry.Amount.Fen,
            ["HtmlSha256"] = entry.HtmlSha256,
            ["XlsxSha256"] = entry.XlsxSha256,
        };

    public async Task<NoticeEntry?> GetAsync(string cycleId, string schoolCode, CancellationToken cancellationToken)
    {
        if (Keys.Safe(schoolCode) != schoolCode || Keys.Safe(cycleId) != cycleId)
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(cycleId, schoolCode, cancellationToken: cancellationToken);
        return row.HasValue ? ToEntry(row.Value!) : null;
    }

    /// <summary>Every school's notice of the cycle's run, in school-code order.</summary>
    public async Task<IReadOnlyList<NoticeEntry>> ListAsync(string cycleId, string runId, CancellationToken cancellationToken)
    {
        var entries = new List<NoticeEntry>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {cycleId} and RunId eq {runId}"), cancellationToken: cancellationToken))
        {
            entries.Add(ToEntry(row));
        }

        return entries;
    }

    private static NoticeEntry ToEntry(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("SchoolName") ?? "", e.GetString("RunId") ?? "",
        e.GetInt32("Rows") ?? 0, e.GetInt32("Recipients") ?? 0, Yuan.FromFen(e.GetInt64("AmountFen") ?? 0),
        e.GetString("HtmlSha256") ?? "", e.GetString("XlsxSha256") ?? "");
}
