namespace EduRelief.Rosters;

/// <summary>The normalisation both ID numbers and names start with (DOMAIN.md): trim, drop every ASCII and U+3000 space, map the rest.</summary>
internal static class SpaceFolding
{
    public static string Fold(string? raw, Func<char, char> map)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        var trimmed = raw.AsSpan().Trim();
        Span<char> buffer = trimmed.Length <= 128 ? stackalloc char[trimmed.Length] : new char[trimmed.Length];
        var n = 0;
        foreach (var c in trimmed)
        {
            if (c is not (' ' or '\u3000'))
            {
                buffer[n++] = map(c);
            }
        }

        return new string(buffer[..n]);
    }
}
