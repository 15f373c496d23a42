using System.Diagnostics.CodeAnalysis;

namespace EduRelief.Eligibility;

public enum PolicyScopeKind
{
    Default,
    Province,
    County,
}

/// <summary>Where a policy applies: <c>default</c>, <c>province:41</c> (GB/T 2260 province code) or <c>county:410726</c>.</summary>
public sealed record PolicyScope(PolicyScopeKind Kind, string Code)
{
    public const string DefaultName = "default";

    /// <summary>GB/T 2260 provincial-level codes, including 台湾 (71), 香港 (81) and 澳门 (82).</summary>
    private static readonly HashSet<string> ProvinceCodes =
    [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ];

    public static PolicyScope Default { get; } = new(PolicyScopeKind.Default, "");

    public static PolicyScope County(string countyCode) =>
        IsCountyCode(countyCode) ? new(PolicyScopeKind.County, countyCode) : throw new ArgumentException("A county code is 6 digits.", nameof(countyCode));

    /// <summary>The province override that covers a county: the county code's first two digits.</summary>
    public static PolicyScope ProvinceOf(string countyCode) =>
        IsCountyCode(countyCode) ? new(PolicyScopeKind.Province, countyCode[..2]) : throw new ArgumentException("A county code is 6 digits.", nameof(countyCode));

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PolicyScope? scope)
    {
        const string province = "province:", county = "county:";
        scope = null;
        if (text == DefaultName)
        {
            scope = Default;
        }
        else if (text is not null && text.StartsWith(province, StringComparison.Ordinal) && ProvinceCodes.Contains(text[province.Length..]))
        {
            scope = new(PolicyScopeKind.Province, text[province.Length..]);
        }
        else if (text is not null && text.StartsWith(county, StringComparison.Ordinal) && IsCountyCode(text[county.Length..]) && ProvinceCodes.Contains(text.Substring(county.Length, 2)))
        {
            scope = new(PolicyScopeKind.County, text[county.Length..]);
        }

        return scope is not null;
    }

    public static bool IsCountyCode([NotNullWhen(true)] string? code) => code is { Length: 6 } && code.All(char.IsAsciiDigit);

    public override string ToString() => Kind switch
    {
        PolicyScopeKind.Province => $"province:{Code}",
        PolicyScopeKind.County => $"county:{Code}",
        _ => DefaultName,
    };
}

/// <summary>Which policy applies to a county: its own override, else its province's, else the shipped default.</summary>
public static class PolicyResolution
{
    /// <summary>
    /// A full override replaces the default (no field merging); overrides for other counties, provinces or years are
    /// ignored. Null when there is neither a default nor an applicable override.
    /// </summary>
    public static ResolvedPolicy? Resolve(int schoolYear, string countyCode, ResolvedPolicy? defaultPolicy, IEnumerable<ResolvedPolicy> overrides)
    {
        var county = PolicyScope.County(countyCode).ToString();
        var province = PolicyScope.ProvinceOf(countyCode).ToString();
        var applicable = overrides.Where(o => o.SchoolYear == schoolYear).ToList();
        return applicable.FirstOrDefault(o => o.Scope == county)
            ?? applicable.FirstOrDefault(o => o.Scope == province)
            ?? (defaultPolicy?.SchoolYear == schoolYear ? defaultPolicy : null);
    }
}
