using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>Composes GB 11643 identity numbers (region, birth date, sequence, check character).</summary>
public static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    /// <summary>The ISO 7064 MOD 11-2 check character of 17 ASCII digits.</summary>
    public static char CheckChar(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckChars[sum % 11];
    }

    public static string First17(string region, DateOnly birth, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{region}{birth.Year:D4}{birth.Month:D2}{birth.Day:D2}{sequence:D3}");

    public static string Compose(string region, DateOnly birth, int sequence)
    {
        var first17 = First17(region, birth, sequence);
        return first17 + CheckChar(first17);
    }

    /// <summary>The 17 digits as a number: the key of a valid number (its 18th character follows from them).</summary>
    public static long Key(string id18) => long.Parse(id18.AsSpan(0, 17), CultureInfo.InvariantCulture);

    public static string FromKey(long key)
    {
        var first17 = key.ToString("D17", CultureInfo.InvariantCulture);
        return first17 + CheckChar(first17);
    }
}

/// <summary>
/// Hands out unique numbers: per (region, birth date) a counter per sex, spread over the 500 odd (male) or 500 even
/// (female) sequence codes by a bijection, so no two generated people ever share a number by accident. Memory is one
/// entry per (region, day) in use, not per person.
/// </summary>
public sealed class IdAllocator
{
    private readonly Dictionary<long, int> counters = [];

    /// <summary>The next number for this region, birth date and sex, or null when all 500 codes of that day are used.</summary>
    public string? TryAllocate(string region, DateOnly birth, bool male)
    {
        var key = (long.Parse(region, CultureInfo.InvariantCulture) * 1_000_000L) + birth.DayNumber;
        ref var packed = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counters, key, out _);
        var count = male ? packed & 0xFFFF : packed >> 16;
        if (count >= 500)
        {
            return null;
        }

        packed = male ? (packed & ~0xFFFF) | (count + 1) : (packed & 0xFFFF) | ((count + 1) << 16);
        var code = ((count * 397) + (birth.DayNumber % 500)) % 500;
        return IdNumbers.Compose(region, birth, (code * 2) + (male ? 1 : 0));
    }
}
