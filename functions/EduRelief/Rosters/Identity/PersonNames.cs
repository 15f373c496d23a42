namespace EduRelief.Rosters;

/// <summary>
/// Name comparison between the student roster and the poverty registry (DOMAIN "Verification": names differ after
/// removing spaces and U+3000 and treating • and ． as ·).
/// </summary>
/// <remarks>
/// Only the DOMAIN's two look-alikes are mapped to the middle dot U+00B7. Others that are sometimes typed in minority
/// names (U+30FB ・, U+2027 ‧, U+FF65 ･, a plain full stop) are deliberately NOT mapped: the DOMAIN gives exact counting
/// rules, a wider mapping would turn some nameMismatch rows into eligible ones, and the cost of leaving them out is
/// only that a person reviews the row. Widen this only when the DOMAIN does.
/// </remarks>
public static class PersonNames
{
    public const char MiddleDot = '\u00B7';

    /// <summary>Trims surrounding whitespace, removes every ASCII space and U+3000, maps • (U+2022) and ． (U+FF0E) to · (U+00B7).</summary>
    public static string Normalize(string? raw) => SpaceFolding.Fold(raw, c => c is '\u2022' or '\uFF0E' ? MiddleDot : c);

    /// <summary>Whether two names are the same after <see cref="Normalize"/> (ordinal; null counts as empty).</summary>
    public static bool Same(string? a, string? b) => string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);
}
