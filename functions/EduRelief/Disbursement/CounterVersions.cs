using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Disbursement;

/// <summary>
/// What lets the cycle's roll-up be brought up to date from only the partitions a step touched. Every write of a
/// partition's counter row numbers it one past the version it replaced (<c>V</c>) and keeps the change it made to the
/// counters, with those of the writes just before it (<see cref="KeptChanges"/>, in <c>D0</c>…). The roll-up records per
/// partition the version it holds (<c>I0</c>…): it is the sum of each partition's counters at that version, so adding a
/// partition's changes from that version to the one read keeps it exactly a recount. Both are written in one
/// entity-group transaction with the rows they count (the counter) or under their ETag (the roll-up), so no retry,
/// crash or second instance can count a change twice or miss it.
/// </summary>
public static class CounterVersions
{
    /// <summary>The changes a counter row keeps: a roll-up more versions behind sums that partition from scratch.</summary>
    public const int KeptChanges = 8;

    private const string VersionProperty = "V";

    private static readonly Func<int, string> Changes = ChunkedText.Numbered("D");

    private static readonly Func<int, string> Included = ChunkedText.Numbered("I");

    public static long VersionOf(TableEntity? counterRow) => counterRow?.GetInt64(VersionProperty) ?? 0;

    /// <summary>Numbers <paramref name="next"/> one past <paramref name="stored"/> and keeps <paramref name="change"/> with the latest changes before it.</summary>
    public static void Follow(TableEntity? stored, TableEntity next, EntitlementCounters change)
    {
        var version = VersionOf(stored) + 1;
        next[VersionProperty] = version;
        var kept = ReadChanges(stored).Where(c => c.Version > version - KeptChanges).Append((version, change.ToText()));
        var text = new StringBuilder();
        foreach (var (v, lines) in kept)
        {
            text.Append('#').Append(v.ToString(CultureInfo.InvariantCulture)).Append('\n').Append(lines);
        }

        ChunkedText.Write(next, Changes, text.ToString());
    }

    /// <summary>
    /// Adds to <paramref name="sums"/> what the partition's counters changed by from version <paramref name="since"/> to
    /// the row's; false (and nothing added) when the row no longer keeps every change in between.
    /// </summary>
    public static bool TryAddChanges(TableEntity? counterRow, long since, EntitlementCounters sums)
    {
        var version = VersionOf(counterRow);
        if (version == since)
        {
            return true;
        }

        var changes = ReadChanges(counterRow).Where(c => c.Version > since).ToList();
        if (version < since || changes.Count != version - since)
        {
            return false;
        }

        foreach (var (_, lines) in changes)
        {
            sums.AddAll(EntitlementCounters.FromText(lines));
        }

        return true;
    }

    private static IEnumerable<(long Version, string Lines)> ReadChanges(TableEntity? counterRow)
    {
        if (counterRow is null)
        {
            yield break;
        }

        foreach (var entry in ChunkedText.Read(counterRow, Changes).Split('#', StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = entry.IndexOf('\n', StringComparison.Ordinal);
            yield return (long.Parse(entry.AsSpan(0, newline), CultureInfo.InvariantCulture), entry[(newline + 1)..]);
        }
    }

    /// <summary>The version of each partition's counters that the roll-up holds (lines <c>{shard}:{version}</c>); null for a roll-up written before versions were kept.</summary>
    public static Dictionary<string, long>? ReadIncluded(TableEntity rollup)
    {
        if (!rollup.ContainsKey(Included(0)))
        {
            return null;
        }

        return ChunkedText.Read(rollup, Included).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':'))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    public static void WriteIncluded(TableEntity rollup, IReadOnlyDictionary<string, long> included) =>
        ChunkedText.Write(rollup, Included, string.Concat(included.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}:{kv.Value.ToString(CultureInfo.InvariantCulture)}\n")));
}
