using Azure.Data.Tables;

namespace EduRelief.Storage;

/// <summary>
/// Adds an item numbered from its partition's counter (a hotline case, a rectification item) in one entity-group
/// transaction: the counter moved under its ETag, the item's rows, and a key row by which a second request for the same
/// thing finds the first item instead of adding another. When another writer took the number or the key first, the
/// round starts again; a crash leaves nothing half-written.
/// </summary>
public static class NumberedInsert
{
    public const int MaxAttempts = 200;

    /// <param name="existing">The item a key row already names.</param>
    /// <param name="numbered">The item with the number it is given, and its rows (the key row among them; not the counter).</param>
    /// <returns>Whether the item was added, and the item; null when every attempt lost to another writer.</returns>
    public static async Task<(bool Created, T Item)?> AddAsync<T>(
        TableClient table,
        string partition,
        string counterKey,
        string keyRow,
        Func<TableEntity, Task<T>> existing,
        Func<long, Task<(T Item, IEnumerable<TableTransactionAction> Rows)>> numbered,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var seen = await table.GetEntityIfExistsAsync<TableEntity>(partition, keyRow, cancellationToken: cancellationToken);
            if (seen.HasValue && seen.Value is { } key)
            {
                return (false, await existing(key));
            }

            var counter = await table.GetEntityIfExistsAsync<TableEntity>(partition, counterKey, cancellationToken: cancellationToken);
            var next = (counter.HasValue ? counter.Value!.GetInt64("Next") ?? 0 : 0) + 1;
            var (item, rows) = await numbered(next);
            var counterRow = new TableEntity(partition, counterKey) { ["Next"] = next };
            TableTransactionAction moveCounter = counter.HasValue
                ? new(TableTransactionActionType.UpdateReplace, counterRow, counter.Value!.ETag)
                : new(TableTransactionActionType.Add, counterRow);
            try
            {
                await table.SubmitTransactionAsync([moveCounter, .. rows], cancellationToken);
                return (true, item);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
            {
                // Another writer took this number or this key first: look again.
            }

            // Spread contending writers apart so each round lets one of them through.
            await Task.Delay(Random.Shared.Next(0, 5 + Math.Min(attempt, 20)), cancellationToken);
        }

        return null;
    }
}
