using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace EduRelief.Storage;

/// <summary>What one item adds to a <see cref="StatusTally"/>: its group (an assignee or owner), its status, and the deadline it can fall overdue by (null: it cannot).</summary>
public sealed record TallyEntry(string Group, string Status, DateTimeOffset? Due);

/// <summary>
/// The figures of a set of items (hotline cases, rectification items) kept in one row beside them: how many per group
/// and status, and the deadlines of those still owed an answer, so that "overdue at <c>now</c>" is counted without
/// reading an item. Pure: <see cref="Apply"/> moves an item's entry from its old state to its new one, so a tally written
/// in the same entity-group transaction as the item it counts always equals a recount. Stored as JSON in properties
/// <c>F0</c>, <c>F1</c>… (<see cref="ChunkedText"/>); the row is always replaced whole.
/// </summary>
public sealed class StatusTally
{
    /// <summary>Per group: per status, how many.</summary>
    private readonly SortedDictionary<string, SortedDictionary<string, int>> _counts = new(StringComparer.Ordinal);

    /// <summary>Per group: per deadline (UTC ticks), how many items awaiting an answer have it.</summary>
    private readonly SortedDictionary<string, SortedDictionary<long, int>> _due = new(StringComparer.Ordinal);

    /// <summary>Counts <paramref name="after"/> instead of <paramref name="before"/> (null: absent). False when that changes nothing.</summary>
    public bool Apply(TallyEntry? before, TallyEntry? after)
    {
        if (before == after)
        {
            return false;
        }

        Add(before, -1);
        Add(after, +1);
        return true;
    }

    private void Add(TallyEntry? entry, int sign)
    {
        if (entry is null)
        {
            return;
        }

        Bump(_counts, entry.Group, entry.Status, sign);
        if (entry.Due is { } due)
        {
            Bump(_due, entry.Group, due.UtcTicks, sign);
        }
    }

    private static void Bump<TKey>(SortedDictionary<string, SortedDictionary<TKey, int>> all, string group, TKey key, int sign)
        where TKey : notnull
    {
        var inGroup = all.TryGetValue(group, out var g) ? g : all[group] = new SortedDictionary<TKey, int>();
        var n = inGroup.GetValueOrDefault(key) + sign;
        if (n == 0)
        {
            inGroup.Remove(key);
        }
        else
        {
            inGroup[key] = n;
        }

        if (inGroup.Count == 0)
        {
            all.Remove(group);
        }
    }

    /// <summary>How many items, per status, of every group or of <paramref name="group"/>.</summary>
    public IReadOnlyDictionary<string, int> ByStatus(string? group = null)
    {
        var byStatus = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (g, counts) in _counts)
        {
            if (group is null || g == group)
            {
                foreach (var (status, n) in counts)
                {
                    byStatus[status] = byStatus.GetValueOrDefault(status) + n;
                }
            }
        }

        return byStatus;
    }

    /// <summary>How many items awaiting an answer are past their deadline at <paramref name="now"/> (deadline before now).</summary>
    public int Overdue(DateTimeOffset now, string? group = null) =>
        _due.Where(g => group is null || g.Key == group).Sum(g => g.Value.Where(d => d.Key < now.UtcTicks).Sum(d => d.Value));

    public void WriteTo(TableEntity row)
    {
        var all = JsonSerializer.Serialize(new Stored(_counts, _due.ToDictionary(g => g.Key, g => g.Value.ToDictionary(d => d.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), d => d.Value))));
        ChunkedText.Write(row, Properties, all);
    }

    public static StatusTally ReadFrom(TableEntity? row)
    {
        var tally = new StatusTally();
        if (row is null)
        {
            return tally;
        }

        var text = ChunkedText.Read(row, Properties);
        if (text.Length == 0 || JsonSerializer.Deserialize<Stored>(text) is not { } stored)
        {
            return tally;
        }

        foreach (var (group, counts) in stored.Counts)
        {
            tally._counts[group] = new SortedDictionary<string, int>(counts, StringComparer.Ordinal);
        }

        foreach (var (group, due) in stored.Due)
        {
            tally._due[group] = new SortedDictionary<long, int>(due.ToDictionary(d => long.Parse(d.Key, System.Globalization.CultureInfo.InvariantCulture), d => d.Value));
        }

        return tally;
    }

    /// <summary>The tally row <paramref name="partition"/>/<paramref name="rowKey"/> as stored with its ETag, or (absent) as <paramref name="recount"/> counts it, with no ETag.</summary>
    public static async Task<(StatusTally Tally, ETag? ETag)> ReadRowAsync(
        TableClient table, string partition, string rowKey, Func<Task<StatusTally>> recount, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? (ReadFrom(row.Value), row.Value!.ETag) : (await recount(), null);
    }

    /// <summary>
    /// For a reader: the tally row, or (absent: nothing it counts changed since tallies were kept) the recount, added as
    /// the row unless a writer added it first, whose row is then read.
    /// </summary>
    public static async Task<StatusTally> ReadOrAddRowAsync(
        TableClient table, string partition, string rowKey, Func<Task<StatusTally>> recount, CancellationToken cancellationToken)
    {
        var (tally, etag) = await ReadRowAsync(table, partition, rowKey, recount, cancellationToken);
        if (etag is null)
        {
            try
            {
                await table.AddEntityAsync(tally.ToRow(partition, rowKey), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
            {
                (tally, _) = await ReadRowAsync(table, partition, rowKey, recount, cancellationToken);
            }
        }

        return tally;
    }

    /// <summary>The write of this tally as its row, in the same transaction as the items it counts: under the ETag read, or added when absent (a concurrent first writer fails it).</summary>
    public TableTransactionAction WriteAction(string partition, string rowKey, ETag? etag) =>
        etag is { } e ? new(TableTransactionActionType.UpdateReplace, ToRow(partition, rowKey), e) : new(TableTransactionActionType.Add, ToRow(partition, rowKey));

    private TableEntity ToRow(string partition, string rowKey)
    {
        var row = new TableEntity(partition, rowKey);
        WriteTo(row);
        return row;
    }

    private static readonly Func<int, string> Properties = ChunkedText.Numbered("F");

    private sealed record Stored(IDictionary<string, SortedDictionary<string, int>> Counts, IDictionary<string, Dictionary<string, int>> Due);
}
