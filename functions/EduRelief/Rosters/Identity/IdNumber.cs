using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduRelief.Rosters;

/// <summary>
/// A valid 居民身份证号码, normalised (DOMAIN "Identity numbers"): there is no other way to hold one. It is personal
/// data, so it shows itself masked (<see cref="ToString"/> is <see cref="Masked"/>: an interpolated or logged number
/// never appears in full); <see cref="Value"/> is the number itself, for the tables that keep it and the bank's file.
/// JSON carries it whole, as the string the tables always stored (a student record kept as JSON): an answer or a log
/// scope must never serialize one, only its <see cref="Masked"/> form.
/// </summary>
[JsonConverter(typeof(IdNumberJsonConverter))]
public readonly record struct IdNumber
{
    private readonly string? _value;

    private IdNumber(string value) => _value = value;

    /// <summary>The 18 characters; a default instance (no number) has none and refuses.</summary>
    public string Value => _value ?? throw new InvalidOperationException("An IdNumber was used before it was given a number.");

    /// <summary>The first 6 and last 4 characters with 8 stars between (410726********1234).</summary>
    public string Masked => IdNumbers.Mask(Value);

    /// <summary>The key a person is stored under (<see cref="PersonKeys"/>): no table key holds the number.</summary>
    public string PersonKey => PersonKeys.Of(Value);

    /// <summary>A collision-free 64-bit key (<see cref="IdNumbers.ToKey"/>), for sets and maps of many people.</summary>
    public long Key => IdNumbers.ToKey(Value);

    public DateOnly BirthDate => IdNumbers.BirthDate(Value);

    /// <summary>Whole years of age on <paramref name="day"/> (<see cref="IdNumbers.AgeOn"/>).</summary>
    public int AgeOn(DateOnly day) => IdNumbers.AgeOn(Value, day);

    /// <summary>
    /// DOMAIN rules 1 and 2: <paramref name="raw"/> as a roster or request spells it, normalised, then validated
    /// against <paramref name="notAfter"/> (the cycle's creation date). <paramref name="normalized"/> is what was
    /// validated, so a caller can mask an invalid one for a report.
    /// </summary>
    public static IdProblem TryParse(string? raw, DateOnly notAfter, out IdNumber id, out string normalized)
    {
        normalized = IdNumbers.Normalize(raw);
        var problem = IdNumbers.Validate(normalized, notAfter);
        id = problem == IdProblem.None ? new IdNumber(normalized) : default;
        return problem;
    }

    /// <summary>The number whose key <see cref="Key"/> is.</summary>
    public static IdNumber FromKey(long key) => new(IdNumbers.FromKey(key));

    /// <summary>
    /// A number read back from where this app stored it after validating it: its shape is checked (17 digits and a
    /// digit or X), so a damaged row fails here, without the number in the message.
    /// </summary>
    public static IdNumber FromStored(string? stored)
    {
        if (stored is null || !IdNumbers.HasShape(stored))
        {
            throw new InvalidDataException("A stored identity number is not 17 digits and a digit or X.");
        }

        return new IdNumber(stored);
    }

    /// <summary>Masked, never the number: see the type's summary.</summary>
    public override string ToString() => _value is null ? "" : Masked;
}

/// <summary>Reads and writes an <see cref="IdNumber"/> as its string, the form the tables and step inputs always held.</summary>
public sealed class IdNumberJsonConverter : JsonConverter<IdNumber>
{
    public override IdNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return IdNumber.FromStored(reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
        }
        catch (InvalidDataException ex)
        {
            // What JSON readers report as bad input (a 400 for a request body), not an error of the app.
            throw new JsonException(ex.Message, ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, IdNumber value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
