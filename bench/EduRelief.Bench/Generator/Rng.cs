namespace EduRelief.Bench.Generator;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Our own generator rather than <see cref="Random"/> so that a seed means the
/// same county on every .NET version, not only on the one that wrote it.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;

    public Rng(long seed)
    {
        var x = unchecked((ulong)seed);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>An independent stream for one purpose, so adding a draw in one place does not reshuffle another.</summary>
    public Rng Fork(long salt) => new(unchecked((long)NextULong() ^ (salt * 0x5DEECE66DL)));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)(((NextULong() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Uniform in [min, max] inclusive.</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public bool Chance(double p) => p > 0 && NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Rounds x up or down at random so that the expectation is x.</summary>
    public int StochasticRound(double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        var floor = Math.Floor(x);
        return (int)floor + (Chance(x - floor) ? 1 : 0);
    }
}
