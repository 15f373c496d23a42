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
    /// </summary>
    public static Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            actions.GroupBy(a => a.Entity.PartitionKey).SelectMany(g => g.Chunk(MaxActions)),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (chunk, ct) => await table.SubmitTransactionAsync(chunk, ct));
}
