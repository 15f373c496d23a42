using Azure.Data.Tables;

namespace EduRelief.Disbursement;

/// <summary>
/// Person-key shards <see cref="First"/> to <see cref="Last"/> (two hex digits each, both included): the partitions
/// <c>{cycle}|{shard}</c> of the tables keyed by person (<c>entitlements</c>, <c>cycleaccounts</c>). A step that would
/// otherwise hold every row of a county works through them a group at a time.
/// </summary>
public readonly record struct ShardRange(string First, string Last)
{
    private const int Shards = 256;

    /// <summary>The 256 shards in <paramref name="count"/> consecutive groups of equal size (count divides 256).</summary>
    public static IEnumerable<ShardRange> Groups(int count)
    {
        if (count < 1 || Shards % count != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "a divisor of 256");
        }

        var size = Shards / count;
        return Enumerable.Range(0, count).Select(g => new ShardRange($"{g * size:x2}", $"{(g * size) + size - 1:x2}"));
    }

    /// <summary>The shards the person keys fall in, from the lowest to the highest.</summary>
    public static ShardRange Spanning(IEnumerable<string> personKeys)
    {
        var shards = personKeys.Select(Rosters.PersonKeys.Shard).ToList();
        return shards.Count == 0 ? new ShardRange("00", "ff") : new ShardRange(shards.Min(StringComparer.Ordinal)!, shards.Max(StringComparer.Ordinal)!);
    }

    /// <summary>The filter on PartitionKey for these shards of <paramref name="cycleId"/>.</summary>
    public string Filter(string cycleId) =>
        TableClient.CreateQueryFilter($"PartitionKey ge {cycleId + "|" + First} and PartitionKey le {cycleId + "|" + Last}");
}
