using System.Globalization;
using System.Text;

namespace EduRelief.Rosters.Parsing;

/// <summary>How XLSX cell contents become roster text.</summary>
internal static class XlsxValues
{
    /// <summary>
    /// A double keeps 15 significant decimal digits faithfully (DBL_DIG). Zeros appended beyond them by an exponent
    /// were never written and may stand for lost digits.
    /// </summary>
    public const int ExactDigits = 15;

    private const int MaxTextLength = 64;

    /// <summary>
    /// The text of a number cell's raw &lt;v&gt;: an integer literal as it is; a decimal or exponent form converted
    /// with decimal (digit-string) arithmetic to plain invariant text when that is exact ("410726200901011234.0",
    /// "4.10726200901011234E+17" → "410726200901011234"; "3.0" → "3"; "1E+2" → "100"); otherwise the raw text unchanged
    /// ("4.10726200901012E+17" lost the last 3 digits of an identity number, so it stays as it is and fails validation
    /// rather than becoming a wrong, valid-looking number).
    /// </summary>
    public static string NumberText(string raw)
    {
        var s = raw.AsSpan().Trim();
        if (IsIntegerLiteral(s))
        {
            return s.Length == raw.Length ? raw : s.ToString();
        }

        if (!TryDecompose(s, out var negative, out var digits, out var exponent))
        {
            return raw;
        }

        // value = digits × 10^exponent, digits without leading zeros ("" is zero)
        while (exponent < 0 && digits.Length > 0 && digits[^1] == '0')
        {
            digits = digits[..^1];
            exponent++;
        }

        if (digits.Length == 0)
        {
            return "0";
        }

        string text;
        if (exponent >= 0)
        {
            if (exponent > 0 && digits.Length + exponent > ExactDigits)
            {
                return raw;
            }

            text = digits + new string('0', exponent);
        }
        else
        {
            var fraction = -exponent;
            text = fraction >= digits.Length
                ? "0." + new string('0', fraction - digits.Length) + digits
                : digits[..^fraction] + "." + digits[^fraction..];
        }

        if (text.Length > MaxTextLength)
        {
            return raw;
        }

        return negative ? "-" + text : text;
    }

    private static bool IsIntegerLiteral(ReadOnlySpan<char> s)
    {
        if (s.Length > 0 && s[0] == '-')
        {
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>[+-]digits[.digits][(e|E)[+-]digits] with at least one mantissa digit.</summary>
    private static bool TryDecompose(ReadOnlySpan<char> s, out bool negative, out string digits, out int exponent)
    {
        negative = false;
        digits = "";
        exponent = 0;
        var i = 0;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        var mantissa = new StringBuilder();
        var fractionDigits = 0;
        var sawPoint = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                mantissa.Append(c);
                if (sawPoint)
                {
                    fractionDigits++;
                }
            }
            else if (c == '.' && !sawPoint)
            {
                sawPoint = true;
            }
            else
            {
                break;
            }
        }

        if (mantissa.Length == 0)
        {
            return false;
        }

        var written = 0;
        if (i < s.Length)
        {
            if (s[i] is not ('e' or 'E'))
            {
                return false;
            }

            var exponentText = s[(i + 1)..];
            if (!int.TryParse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out written)
                || exponentText.IsEmpty || !char.IsAsciiDigit(exponentText[^1]) || Math.Abs(written) > 400)
            {
                return false;
            }
        }

        digits = mantissa.ToString().TrimStart('0');
        exponent = written - fractionDigits;
        return true;
    }

    /// <summary>Decodes the _xHHHH_ escapes of OOXML strings (Excel writes a carriage return as _x000D_, an underscore before one as _x005F_).</summary>
    public static string DecodeEscapes(string s)
    {
        if (!s.Contains("_x", StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length;)
        {
            if (s[i] == '_' && i + 6 < s.Length && s[i + 1] == 'x' && s[i + 6] == '_'
                && ushort.TryParse(s.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 7;
            }
            else
            {
                sb.Append(s[i++]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ids 27–36 and 50–58).</summary>
    public static bool IsBuiltInDateFormat(int numFmtId) =>
        numFmtId is (>= 14 and <= 22) or (>= 27 and <= 36) or (>= 45 and <= 47) or (>= 50 and <= 58);

    /// <summary>Whether a custom format code shows a date or time: a y, m, d, h or s outside quotes, escapes and [colour/locale] brackets.</summary>
    public static bool IsDateFormatCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return false;
        }

        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case '"':
                    var close = code.IndexOf('"', i + 1);
                    i = close < 0 ? code.Length : close;
                    break;
                case '\\' or '_' or '*':
                    i++;
                    break;
                case '[':
                    var end = code.IndexOf(']', i + 1);
                    var inside = end < 0 ? "" : code[(i + 1)..end].ToLowerInvariant();
                    if (inside.Length > 0 && inside.All(ch => ch is 'h' or 'm' or 's'))
                    {
                        return true; // elapsed time: [h]:mm:ss
                    }

                    i = end < 0 ? code.Length : end;
                    break;
                case 'y' or 'Y' or 'm' or 'M' or 'd' or 'D' or 'h' or 'H' or 's' or 'S':
                    return true;
            }
        }

        return false;
    }
}
