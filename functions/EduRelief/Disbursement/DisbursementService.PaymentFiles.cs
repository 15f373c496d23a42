using System.Security.Cryptography;
using Azure.Data.Tables;

namespace EduRelief.Disbursement;

/// <summary>Payment files: the bank's file of a sealed batch, stored once, every download recorded.</summary>
public sealed partial class DisbursementService
{
    /// <summary>
    /// The sealed batch's payment file (full ID numbers), stored once in the private container by its SHA-256, and the
    /// download recorded (actor, time, file hash) before the bytes are handed out. Null when the batch is not sealed.
    /// </summary>
    public async Task<(byte[] File, string Sha256)?> DownloadPaymentFileAsync(Batch batch, string actor, CancellationToken cancellationToken)
    {
        if (batch.Status == BatchStatuses.Cutting)
        {
            return null;
        }

        var bytes = BankFiles.WritePaymentFile(await ListItemsAsync(batch.CycleId, batch.Id, cancellationToken));
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await SaveBlobAsync($"payment/sha256/{hash}", bytes, "text/csv; charset=GB18030", cancellationToken);
        var now = _clock.GetUtcNow();
        await _downloads.AddEntityAsync(
            new TableEntity(BatchPartition(batch.CycleId, batch.Id), $"{DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks:D19}|{Guid.NewGuid():N}")
            {
                ["Actor"] = actor,
                ["At"] = now,
                ["FileHash"] = hash,
            },
            cancellationToken);

        // The head counts downloads; a lost race only delays the count, the download rows are the record.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var head = (await _batches.GetEntityAsync<TableEntity>(BatchPartition(batch.CycleId, batch.Id), Head, cancellationToken: cancellationToken)).Value;
            head["FileHash"] = hash;
            head["Downloads"] = (head.GetInt32("Downloads") ?? 0) + 1;
            if (await TryReplaceAsync(_batches, head, cancellationToken))
            {
                break;
            }
        }

        return (bytes, hash);
    }

    public async Task<IReadOnlyList<(string Actor, DateTimeOffset At, string FileHash)>> ListDownloadsAsync(string cycleId, string batchId, CancellationToken cancellationToken)
    {
        var list = new List<(string, DateTimeOffset, string)>();
        await foreach (var e in _downloads.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(cycleId, batchId)}"), cancellationToken: cancellationToken))
        {
            list.Add((e.GetString("Actor") ?? "", e.GetDateTimeOffset("At") ?? default, e.GetString("FileHash") ?? ""));
        }

        return list;
    }
}
