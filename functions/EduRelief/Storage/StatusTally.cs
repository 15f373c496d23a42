using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace EduRelief.Storage;

/// <summary>What one item adds to a <see cref="StatusTally"/>: its group (an assignee or owner), its status, and the deadline it can fall overdue by (null: it cannot).</summary>
public sealed record TallyEntry(string Group, string Status, DateTimeOffset? Due);

/// <summary>
/// The figures of a set of items (hotline cases, rectification items) kept in one row beside them: how many per group
/// and status, and the deadlines of those still owed an answer, so that "overdue at <c>now</c>" is counted without
/// reading an item. Pure: <see cref="Apply"/> moves an item's entry from its old state to its new one, so a tally written
/// in the same entity-group transaction as the item it counts always equals a recount. Stored as JSON in properties
/// <c>F0</c>, <c>F1</c>… of at most 30,000 characters each; the row is always replaced whole.
/// </summary>
public sealed class StatusTally
{
    private const int ChunkChars = 30_000;

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
        for (var (chunk, start) = (0, 0); start < all.Length || chunk == 0; chunk++, start += ChunkChars)
        {
            row[$"F{chunk}"] = all.Substring(start, Math.Min(ChunkChars, all.Length - start));
        }
    }

    public static StatusTally ReadFrom(TableEntity? row)
    {
        var tally = new StatusTally();
        if (row is null)
        {
            return tally;
        }

        var text = new StringBuilder();
        for (var chunk = 0; row.GetString($"F{chunk}") is { } part; chunk++)
        {
            text.Append(part);
        }

        if (text.Length == 0 || JsonSerializer.Deserialize<Stored>(text.ToString()) is not { } stored)
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

    private sealed record Stored(IDictionary<string, SortedDictionary<string, int>> Counts, IDictionary<string, Dictionary<string, int>> Due);
}
