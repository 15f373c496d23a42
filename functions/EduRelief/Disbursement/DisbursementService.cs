using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Disbursement;

/// <summary>
/// Payment of a cycle's ledger. The ledger key (cycle, person, program) is a storage key twice over, so that no retried
/// step, second instance or repeated request can pay it twice:
/// <list type="bullet">
/// <item><c>entitlements</c>: one row per ledger key, PK <c>{cycle}|{2 hex of the person key}</c>, RK <c>{program}|{person key}</c>.
/// Every status change is a Replace guarded by the row's ETag; a row is claimed into at most one open batch.</item>
/// <item><c>payments</c>: one row per successful payment under the same keys, written with Add (insert-only): a
/// second success for the same key is a 409 from storage and becomes an <c>alreadyPaid</c> exception.</item>
/// <item><c>batches</c>: PK <c>{cycle}|{batchId}</c>, RK <c>head</c> (the batch) and <c>i|{person key}</c> (its items). Items
/// are added in entity-group transactions that also touch the head under its ETag, and sealing replaces the head under
/// the ETag it read before listing the items: the item set a sealed batch holds is frozen, and a claim that lost the
/// race is released.</item>
/// </list>
/// The person key is a hash of the ID number: the number itself is in no key and no URL. The class is in parts a
/// reader can hold: this file (tables, keys, row mapping), <c>.Entitlements</c>, <c>.BatchCutting</c>,
/// <c>.PaymentFiles</c>, <c>.Reconciliation</c> and <c>.Queries</c>; table <c>entitlements</c> and its counters are
/// <see cref="EntitlementTable"/>.
/// </summary>
public sealed partial class DisbursementService(StorageAccount storage, EligibilityStore ledger, ObjectionHoldStore holds, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } =
        [new("payments", CycleRowScope.CyclePartitions), new("batches", CycleRowScope.CyclePartitions), new("reconciliation", CycleRowScope.CyclePartitions), new("downloads", CycleRowScope.CyclePartitions)];

    private const string Head = "head";
    private const string ItemPrefix = "i|";
    private const string StripePrefix = "stripe|";

    /// <summary>
    /// Rows of a batch's partition that item chunks touch under their ETag instead of the head, so that up to this many
    /// chunks are added at once; sealing touches the head and every stripe in one transaction, which freezes the items.
    /// </summary>
    private const int Stripes = 16;

    private static string StripeRow(int stripe) => $"{StripePrefix}{stripe:D2}";
    private const int ItemsPerTransaction = 99;
    private const int Parallelism = 16;

    // The constructor's services, for every part of the class.
    private readonly StorageAccount _storage = storage;
    private readonly EligibilityStore _ledger = ledger;
    private readonly ObjectionHoldStore _holds = holds;
    private readonly TimeProvider _clock = clock;

    private readonly EntitlementTable _rows = new(storage);
    private readonly TableClient _payments = storage.Table("payments");
    private readonly TableClient _batches = storage.Table("batches");
    private readonly TableClient _exceptions = storage.Table("reconciliation");
    private readonly TableClient _downloads = storage.Table("downloads");
    private readonly BlobContainerClient _files = storage.Blobs.GetBlobContainerClient(storage.ContainerName("bankfiles"));

    public async Task CreateStorageAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { _rows.Table, _payments, _batches, _exceptions, _downloads })
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        await CreateContainerAsync(cancellationToken);
    }

    /// <summary>Payment files carry full ID numbers: the container is private.</summary>
    public Task CreateContainerAsync(CancellationToken cancellationToken) =>
        _files.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);

    private static string EntitlementPartition(string cycleId, string personKey) => EntitlementTable.Partition(cycleId, personKey);

    private static string EntitlementRow(string program, string personKey) => EntitlementTable.Row(program, personKey);

    private static string BatchPartition(string cycleId, string batchId) => $"{cycleId}|{batchId}";

    // ---------------------------------------------------------------- shared by the parts

    private static async Task<bool> TryReplaceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>The person key of an entitlement row (RK <c>{program}|{person key}</c>).</summary>
    private static string PersonKeyOf(TableEntity entitlement) => EntitlementTable.PersonKeyOf(entitlement);

    private static BatchItem ToItem(TableEntity e, int index) => new(
        index + 1, e.RowKey[ItemPrefix.Length..], e.GetString("Name") ?? "", Rosters.IdNumber.FromStored(e.GetString("IdNumber")), e.GetString("SchoolCode") ?? "",
        e.GetString("SchoolName") ?? "", e.GetString("Program") ?? "", FromFen(e.GetInt64("AmountFen")), e.GetBoolean("BackPay") ?? false,
        e.GetString("BackPayReason"))
    {
        Account = e.GetString("AccountNumber") is { } number ? new Accounts.PayableAccount(e.GetString("AccountHolder") ?? "", number, e.GetString("Bank") ?? "") : null,
    };

    private static Batch ToBatch(TableEntity e)
    {
        var reconciled = e.GetString("Status") == BatchStatuses.Reconciled;
        return new Batch(
            e.PartitionKey[(e.PartitionKey.IndexOf('|', StringComparison.Ordinal) + 1)..], e.GetString("CycleId") ?? "", e.GetString("Program") ?? "",
            e.GetString("Kind") ?? BatchKinds.Regular, e.GetString("Reason"), e.GetString("Status") ?? BatchStatuses.Cutting,
            e.GetInt32("Count") ?? 0, FromFen(e.GetInt64("TotalFen")), e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("CreatedAt") ?? default,
            e.GetDateTimeOffset("SealedAt"), e.GetString("RequestId"), e.GetString("FileHash"), e.GetInt32("Downloads") ?? 0, e.GetString("ResultHash"),
            e.GetDateTimeOffset("ReconciledAt"),
            reconciled ? new BatchFigures(e.GetInt32("PaidCount") ?? 0, FromFen(e.GetInt64("PaidFen")), e.GetInt32("FailedCount") ?? 0, FromFen(e.GetInt64("FailedFen")), e.GetInt32("ExceptionCount") ?? 0)
            {
                InDoubt = new Figure(e.GetInt32("InDoubtCount") ?? 0, FromFen(e.GetInt64("InDoubtFen"))),
            } : null,
            e.ETag);
    }

    private async Task SaveBlobAsync(string name, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await _files.GetBlobClient(name).UploadAsync(new BinaryData(bytes), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Content-addressed: stored before, the same bytes.
        }
    }

    private static Yuan FromFen(long? fen) => Yuan.FromFen(fen ?? 0);
}
