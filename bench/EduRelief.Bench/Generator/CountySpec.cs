using System.Text.Json;

namespace EduRelief.Bench.Generator;

/// <summary>
/// What county to generate. Rates are probabilities per row (or per matched pair / per poverty person where noted);
/// the resulting counts are whatever the rules find in the rows, reported in <see cref="Expected"/>.
/// <paramref name="Students"/> is the number of data rows in the roster (duplicate rows included).
/// </summary>
public sealed record CountySpec(
    string CountyCode = "410726",
    int SchoolYear = 2026,
    int Students = 5000,
    int Seed = 1,
    double PovertyShareOfStudents = 0.10,
    int ExtraPovertyPersonsPer1000Students = 300,
    double InvalidIdRate = 0.005,
    double DuplicateRate = 0.004,
    double NameMismatchRate = 0.02,
    double NotEnrolledRate = 0.01,
    double InvalidRowRate = 0.001,
    bool Gbk = true,
    RosterOutput StudentFormat = RosterOutput.Csv,
    RosterOutput PovertyFormat = RosterOutput.Csv);

public enum RosterOutput
{
    Csv,
    Xlsx,
}

public sealed record GeneratedCounty(string StudentsPath, string PovertyPath, Expected Expected);

/// <summary>The verification summary the DOMAIN rules give for the generated files.</summary>
public sealed record Expected(
    int Students,
    int PovertyPersons,
    int Matched,
    int Eligible,
    int PendingReview,
    IReadOnlyDictionary<string, int> Discrepancies,
    IReadOnlyDictionary<string, (int Recipients, decimal Amount)> Programs,
    decimal TotalAmount)
{
    /// <summary>camelCase JSON in the shape of the app's verification summary; amounts as JSON numbers in yuan.</summary>
    public string ToJson(bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteNumber("students", Students);
            json.WriteNumber("povertyPersons", PovertyPersons);
            json.WriteNumber("matched", Matched);
            json.WriteNumber("eligible", Eligible);
            json.WriteNumber("pendingReview", PendingReview);
            json.WriteStartObject("discrepancies");
            foreach (var (name, count) in Discrepancies)
            {
                json.WriteNumber(name, count);
            }

            json.WriteEndObject();
            json.WriteStartObject("programs");
            foreach (var (code, (recipients, amount)) in Programs)
            {
                json.WriteStartObject(code);
                json.WriteNumber("recipients", recipients);
                json.WriteNumber("amount", decimal.Round(amount, 2));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteNumber("totalAmount", decimal.Round(TotalAmount, 2));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Value equality over the dictionaries too (records compare them by reference).</summary>
    public bool SameAs(Expected other) =>
        ToJson(indented: false) == other.ToJson(indented: false);
}
