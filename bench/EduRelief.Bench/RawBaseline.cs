using System.Diagnostics;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Bench;

/// <summary>
/// The yardstick the end-to-end benchmarks divide by: writing N entities once with raw batch upserts (100 entities per
/// transaction, partitioned like schools, 16 transactions in flight) on the same Azurite in the same run.
/// </summary>
public static class RawBaseline
{
    public const int Parallelism = 16;

    /// <summary>Upserts <paramref name="count"/> entities into a fresh table; the table is deleted afterwards when
    /// <paramref name="dropAfter"/> is set, so that a long run does not keep millions of rows in Azurite's memory.</summary>
    public static async Task<(TimeSpan Elapsed, long Transactions)> UpsertsAsync(string connection, int count, bool dropAfter = false)
    {
        var counter = new RequestCounter();
        var storage = new StorageAccount(connection, "raw" + Guid.NewGuid().ToString("N")[..8], counter);
        var table = storage.Table("raw");
        await table.CreateIfNotExistsAsync();
        var start = counter.Total;
        var watch = Stopwatch.StartNew();
        var batches = Enumerable.Range(0, (count + 99) / 100);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (b, ct) =>
        {
            var partition = $"school{b % 500:D4}";
            var actions = Enumerable.Range(b * 100, Math.Min(100, count - (b * 100))).Select(i => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace,
                new TableEntity(partition, $"{i:D9}") { ["Name"] = "张三", ["IdNumber"] = "410726201503010118", ["SchoolCode"] = "4107260001", ["Stage"] = "小学", ["Grade"] = 3 }));
            await table.SubmitTransactionAsync(actions, ct);
        });
        watch.Stop();
        var transactions = counter.Total - start;
        if (dropAfter)
        {
            await table.DeleteAsync();
        }

        return (watch.Elapsed, transactions);
    }
}
