using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Letters;

/// <summary>A school's letters of a cycle: how many, how many delivered and signed, and the hash of its document.</summary>
public sealed record SchoolLetterEntry(string CycleId, string SchoolCode, string SchoolName, string RunId, int Letters, int Delivered, int SignedLetters, string HtmlSha256);

/// <summary>Where one child's letter stands: <c>null</c> (printed), <c>delivered</c>, <c>signed</c> (signed implies delivered).</summary>
public sealed record LetterDelivery(string ChildRowKey, string Name, string? Status, DateTimeOffset? DeliveredAt, DateTimeOffset? SignedAt, string? RecordedBy);

/// <summary>
/// The letters' documents as immutable, content-addressed blobs (container <c>letters</c>, <c>sha256/{hash}</c>, like the
/// notices), and in table <c>letters</c> one partition per school of a cycle (<c>{cycleId}|{schoolCode}</c>): RowKey
/// <c>school</c> holds the school's figures, RowKey <c>child|{registry row key}</c> each child's delivery. The counts
/// are kept on the school row in the same entity-group transaction as the child's change, so they never drift; the
/// cycle's figures sum the school rows (one row per school, never a scan of children).
/// </summary>
public sealed class LetterStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("letters", CycleRowScope.CyclePartitions)];

    public const string DeliveredStatus = "delivered";
    public const string SignedStatus = "signed";

    private const string SchoolRow = "school";
    private const string ChildPrefix = "child|";

    private readonly ContentAddressedBlobs _documents = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("letters")));
    private readonly TableClient _table = storage.Table("letters");

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _documents.CreateAsync(cancellationToken);

    public Task<string> SaveDocumentAsync(byte[] content, string contentType, CancellationToken cancellationToken) =>
        _documents.SaveAsync(content, contentType, cancellationToken);

    public Task<Stream> OpenDocumentAsync(string sha256, CancellationToken cancellationToken) => _documents.OpenAsync(sha256, cancellationToken);

    private static string Partition(string cycleId, string schoolCode) => $"{cycleId}|{schoolCode}";

    /// <summary>
    /// Records a school's rendered letters: its figures row and one row per child, merged so that a retry (or a render
    /// of the same letters) keeps the deliveries already recorded.
    /// </summary>
    public Task SaveSchoolAsync(string cycleId, string runId, SchoolLetters school, IReadOnlyList<string> childRowKeys, string htmlSha256, CancellationToken cancellationToken)
    {
        var partition = Partition(cycleId, school.SchoolCode);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpsertMerge, new TableEntity(partition, SchoolRow)
            {
                ["SchoolName"] = school.SchoolName,
                ["RunId"] = runId,
                ["Letters"] = school.Letters.Count,
                ["HtmlSha256"] = htmlSha256,
            }),
        };
        actions.AddRange(school.Letters.Select((l, i) => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(partition, ChildPrefix + childRowKeys[i])
        {
            ["Name"] = l.Name,
        })));
        return StorageTables.SubmitAsync(_table, actions, cancellationToken);
    }

    /// <summary>Every school's letters of the cycle, in school-code order.</summary>
    public async Task<IReadOnlyList<SchoolLetterEntry>> ListAsync(string cycleId, CancellationToken cancellationToken)
    {
        var entries = new List<SchoolLetterEntry>();
        var filter = StorageTables.StartsWith("PartitionKey", cycleId + "|") + " and " + TableClient.CreateQueryFilter($"RowKey eq {SchoolRow}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(ToEntry(row));
        }

        return entries;
    }

    public async Task<SchoolLetterEntry?> GetAsync(string cycleId, string schoolCode, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(cycleId, schoolCode), SchoolRow, cancellationToken: cancellationToken);
        return row.HasValue ? ToEntry(row.Value!) : null;
    }

    /// <summary>The school's children and their deliveries, by name.</summary>
    public async Task<IReadOnlyList<LetterDelivery>> ChildrenAsync(string cycleId, string schoolCode, CancellationToken cancellationToken)
    {
        var children = new List<LetterDelivery>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(cycleId, schoolCode)}") + " and " + StorageTables.StartsWith("RowKey", ChildPrefix);
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            children.Add(ToDelivery(row));
        }

        return [.. children.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.ChildRowKey, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Records that the child's letter was delivered or signed (signing implies delivery; a step back or the same step
    /// again changes nothing). The child's row and the school's counts change in one transaction under both ETags; a
    /// concurrent writer makes it read again. Null when the school has no letter for the child.
    /// </summary>
    public async Task<LetterDelivery?> RecordAsync(string cycleId, string schoolCode, string childRowKey, string status, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var partition = Partition(cycleId, schoolCode);
        while (true)
        {
            var child = await _table.GetEntityIfExistsAsync<TableEntity>(partition, ChildPrefix + childRowKey, cancellationToken: cancellationToken);
            var school = await _table.GetEntityIfExistsAsync<TableEntity>(partition, SchoolRow, cancellationToken: cancellationToken);
            if (!child.HasValue || !school.HasValue)
            {
                return null;
            }

            var before = ToDelivery(child.Value!);
            var delivered = before.Status is null;
            var signed = status == SignedStatus && before.Status != SignedStatus;
            if (!delivered && !signed)
            {
                return before;
            }

            var childUpdate = new TableEntity(partition, ChildPrefix + childRowKey) { ["Status"] = signed ? SignedStatus : DeliveredStatus, ["RecordedBy"] = actor };
            if (delivered)
            {
                childUpdate["DeliveredAt"] = at;
            }

            if (signed)
            {
                childUpdate["SignedAt"] = at;
            }

            var s = school.Value!;
            var schoolUpdate = new TableEntity(partition, SchoolRow)
            {
                ["Delivered"] = (s.GetInt32("Delivered") ?? 0) + (delivered ? 1 : 0),
                ["Signed"] = (s.GetInt32("Signed") ?? 0) + (signed ? 1 : 0),
            };
            try
            {
                await _table.SubmitTransactionAsync(
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateMerge, childUpdate, child.Value!.ETag),
                        new TableTransactionAction(TableTransactionActionType.UpdateMerge, schoolUpdate, s.ETag),
                    ],
                    cancellationToken);
                return before with
                {
                    Status = signed ? SignedStatus : DeliveredStatus,
                    DeliveredAt = delivered ? at : before.DeliveredAt,
                    SignedAt = signed ? at : before.SignedAt,
                    RecordedBy = actor,
                };
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                // Another delivery of the school landed first: read both rows again.
            }
        }
    }

    private static SchoolLetterEntry ToEntry(TableEntity e) => new(
        e.PartitionKey[..e.PartitionKey.LastIndexOf('|')], e.PartitionKey[(e.PartitionKey.LastIndexOf('|') + 1)..],
        e.GetString("SchoolName") ?? "", e.GetString("RunId") ?? "",
        e.GetInt32("Letters") ?? 0, e.GetInt32("Delivered") ?? 0, e.GetInt32("Signed") ?? 0, e.GetString("HtmlSha256") ?? "");

    private static LetterDelivery ToDelivery(TableEntity e) => new(
        e.RowKey[ChildPrefix.Length..], e.GetString("Name") ?? "", e.GetString("Status"), e.GetDateTimeOffset("DeliveredAt"), e.GetDateTimeOffset("SignedAt"), e.GetString("RecordedBy"));
}
