using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduRelief.Eligibility;

/// <summary>
/// An amount of money in yuan (元), exact to the fen (分): what a policy grants, a ledger row owes, a batch pays and a
/// bank returns. Tables keep it as whole fen (<see cref="Fen"/>, <see cref="FromFen"/>); people and files read it with
/// two decimals (<see cref="ToString()"/>: 312.50); JSON carries it as the number it is, as the API always did.
/// </summary>
[JsonConverter(typeof(YuanJsonConverter))]
public readonly record struct Yuan(decimal Value) : IComparable<Yuan>
{
    public static readonly Yuan Zero = new(0m);

    /// <summary>Whole fen, rounded half away from zero (a bank's amount with a third decimal is not ours to keep).</summary>
    public long Fen => (long)decimal.Round(Value * 100m, 0, MidpointRounding.AwayFromZero);

    public static Yuan FromFen(long fen) => new(fen / 100m);

    /// <summary>Rounded to the fen, half away from zero, and always written with two decimals (500.00, 312.50).</summary>
    public Yuan ToFenExact() => new(decimal.Round(Value, 2, MidpointRounding.AwayFromZero) + 0.00m);

    /// <summary>True when the amount has no part smaller than a fen.</summary>
    public bool IsWholeFen => decimal.Round(Value, 2) == Value;

    public static Yuan operator +(Yuan a, Yuan b) => new(a.Value + b.Value);

    public static Yuan operator -(Yuan a, Yuan b) => new(a.Value - b.Value);

    public static Yuan operator -(Yuan a) => new(-a.Value);

    public static Yuan operator *(Yuan a, int times) => new(a.Value * times);

    public static bool operator <(Yuan a, Yuan b) => a.Value < b.Value;

    public static bool operator >(Yuan a, Yuan b) => a.Value > b.Value;

    public static bool operator <=(Yuan a, Yuan b) => a.Value <= b.Value;

    public static bool operator >=(Yuan a, Yuan b) => a.Value >= b.Value;

    public int CompareTo(Yuan other) => Value.CompareTo(other.Value);

    /// <summary>Two decimals, invariant culture, no grouping: 1250.00 (what the bank file, the notices and the workbooks show).</summary>
    public override string ToString() => Value.ToString("0.00", CultureInfo.InvariantCulture);
}

public static class YuanSums
{
    public static Yuan Sum(this IEnumerable<Yuan> amounts) => new(amounts.Sum(a => a.Value));

    public static Yuan Sum<T>(this IEnumerable<T> items, Func<T, Yuan> amount) => new(items.Sum(i => amount(i).Value));
}

/// <summary>Reads and writes <see cref="Yuan"/> as a JSON number, unchanged (625.00 stays 625.00).</summary>
public sealed class YuanJsonConverter : JsonConverter<Yuan>
{
    public override Yuan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetDecimal());

    public override void Write(Utf8JsonWriter writer, Yuan value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}
