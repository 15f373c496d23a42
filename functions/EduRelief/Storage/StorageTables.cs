using Azure.Data.Tables;

namespace EduRelief.Storage;

/// <summary>What the stores share about querying and writing tables.</summary>
public static class StorageTables
{
    /// <summary>Actions in one entity-group transaction at most (Azure Table storage's limit).</summary>
    public const int MaxActions = 100;

    private const int Parallelism = 16;

    /// <summary>A filter for the keys that start with <paramref name="prefix"/>; the values are quoted by the SDK.</summary>
    public static string StartsWith(string key, string prefix) =>
        $"{key} ge {TableClient.CreateQueryFilter($"{prefix}")} and {key} lt {TableClient.CreateQueryFilter($"{Workflow.Keys.End(prefix)}")}";

    /// <summary>
    /// Submits <paramref name="actions"/> as entity-group transactions: grouped by partition, at most
    /// <see cref="MaxActions"/> each, many partitions at once. A failed transaction fails the call; the others may have landed.
    /// A delete whose row is gone already (another writer deleted it first, as two checks of a cycle at once both may)
    /// counts as done: its transaction is sent again without it.
    /// </summary>
    public static Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            actions.GroupBy(a => a.Entity.PartitionKey).SelectMany(g => g.Chunk(MaxActions)),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (chunk, ct) => await SubmitDroppingGoneDeletesAsync(table, [.. chunk], ct));

    private static async Task SubmitDroppingGoneDeletesAsync(TableClient table, List<TableTransactionAction> transaction, CancellationToken cancellationToken)
    {
        while (transaction.Count > 0)
        {
            try
            {
                await table.SubmitTransactionAsync(transaction, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404 && ex.FailedTransactionActionIndex is { } failed
                && failed < transaction.Count && transaction[failed].ActionType == TableTransactionActionType.Delete)
            {
                transaction.RemoveAt(failed);
            }
        }
    }
}
