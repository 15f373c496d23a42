using System.Globalization;
using EduRelief.Hosting;

namespace EduRelief.Rosters;

/// <summary>Why a normalised identity number is not valid (DOMAIN "Identity numbers", rule 2).</summary>
public enum IdProblem
{
    None,
    Empty,
    OldStyle15,
    Length,
    Characters,
    BirthDate,
    CheckCharacter,
}

/// <summary>
/// 居民身份证号码 (GB 11643): normalisation, validation, the ISO 7064 MOD 11-2 check character, and a compact key.
/// An identity number is personal data: no method here puts one into an exception message.
/// </summary>
public static class IdNumbers
{
    public const int Length18 = 18;

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";
    private static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>10^17: the first 17 digits are below it, so <c>first17 * 11 + check</c> fits a long.</summary>
    private const long First17Limit = 100_000_000_000_000_000L;

    /// <summary>
    /// DOMAIN rule 1: trims surrounding whitespace (any Unicode white space), removes every ASCII space and U+3000,
    /// maps full-width digits to ASCII and Ｘ, ｘ, x to X. Nothing else is changed. <c>null</c> gives "".
    /// </summary>
    public static string Normalize(string? raw) => SpaceFolding.Fold(raw, c => c switch
    {
        >= '０' and <= '９' => (char)('0' + (c - '０')),
        'x' or 'Ｘ' or 'ｘ' => 'X',
        _ => c,
    });

    /// <summary>
    /// DOMAIN rule 2 on an already normalised number. <paramref name="notAfter"/> is the cycle's creation date (China
    /// date): a birth date on that day is valid, the day after is not. Problems are reported in this order: empty,
    /// 15-digit old style, length, characters, birth date, check character.
    /// </summary>
    public static IdProblem Validate(string normalized, DateOnly notAfter)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        if (normalized.Length == 0)
        {
            return IdProblem.Empty;
        }

        if (normalized.Length == 15 && AllDigits(normalized))
        {
            return IdProblem.OldStyle15;
        }

        if (normalized.Length != Length18)
        {
            return IdProblem.Length;
        }

        if (!HasShape(normalized))
        {
            return IdProblem.Characters;
        }

        if (!TryBirthDate(normalized, out var birth) || birth < Earliest || birth > notAfter)
        {
            return IdProblem.BirthDate;
        }

        return CheckCharacter(normalized.AsSpan(0, 17)) == normalized[17] ? IdProblem.None : IdProblem.CheckCharacter;
    }

    /// <summary>ISO 7064 MOD 11-2 over 17 ASCII digits: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 indexes "10X98765432".</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17Digits)
    {
        if (first17Digits.Length != 17 || !AllDigits(first17Digits))
        {
            throw new ArgumentException("Exactly 17 ASCII digits are required.", nameof(first17Digits));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17Digits[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>The birth date in characters 7–14 of an 18-character number.</summary>
    public static DateOnly BirthDate(string valid)
    {
        RequireShape(valid);
        return TryBirthDate(valid, out var birth) ? birth : throw new ArgumentException("Characters 7-14 are not a calendar date.", nameof(valid));
    }

    /// <summary>The first 6 and last 4 characters with 8 stars between, e.g. 410726********1234; for lists a person reads.</summary>
    public static string Mask(string valid)
    {
        RequireShape(valid);
        return string.Concat(valid.AsSpan(0, 6), "********", valid.AsSpan(14, 4));
    }

    /// <summary>
    /// A collision-free 64-bit key: the first 17 digits as a number times 11 plus the check character's value (X = 10).
    /// Any 18-character number of the valid shape has a key; <see cref="FromKey"/> is its inverse.
    /// </summary>
    public static long ToKey(string valid)
    {
        RequireShape(valid);
        long first17 = 0;
        for (var i = 0; i < 17; i++)
        {
            first17 = (first17 * 10) + (valid[i] - '0');
        }

        var last = valid[17] == 'X' ? 10 : valid[17] - '0';
        return (first17 * 11) + last;
    }

    public static string FromKey(long key)
    {
        if (key < 0 || key >= First17Limit * 11)
        {
            throw new ArgumentOutOfRangeException(nameof(key), "Not the key of an identity number.");
        }

        var first17 = key / 11;
        var last = (int)(key % 11);
        return string.Create(Length18, (first17, last), static (dest, s) =>
        {
            var (value, check) = s;
            for (var i = 16; i >= 0; i--)
            {
                dest[i] = (char)('0' + (int)(value % 10));
                value /= 10;
            }

            dest[17] = check == 10 ? 'X' : (char)('0' + check);
        });
    }

    /// <summary>
    /// Whole years of age on <paramref name="day"/>. Someone born on 29 February turns a year older on 1 March in a
    /// year that is not a leap year. Before the birth date the answer is negative.
    /// </summary>
    public static int AgeOn(string valid, DateOnly day) => AgeOn(BirthDate(valid), day);

    /// <summary>Whole years of age on <paramref name="day"/> of someone born on <paramref name="birth"/> (29 February counts from 1 March in other years).</summary>
    public static int AgeOn(DateOnly birth, DateOnly day)
    {
        var age = day.Year - birth.Year;
        var birthday = birth.Month == 2 && birth.Day == 29 && !DateTime.IsLeapYear(day.Year)
            ? new DateOnly(day.Year, 3, 1)
            : new DateOnly(day.Year, birth.Month, birth.Day);
        return day < birthday ? age - 1 : age;
    }

    /// <summary>A short English reason for a row's error message; never contains the number itself.</summary>
    public static Text Describe(IdProblem p) => p switch
    {
        IdProblem.None => new("身份证号有效", "the identity number is valid"),
        IdProblem.Empty => new("身份证号为空", "the identity number is empty"),
        IdProblem.OldStyle15 => new("不接受 15 位旧身份证号，须填写 18 位身份证号", "a 15-digit old-style identity number is not accepted; the 18-character number is required"),
        IdProblem.Length => new("身份证号不是 18 位", "the identity number does not have 18 characters"),
        IdProblem.Characters => new("身份证号须为 17 位数字加 1 位数字或 X", "the identity number must be 17 digits followed by a digit or X"),
        IdProblem.BirthDate => new("身份证号第 7 至 14 位不是 1900-01-01 至资助周期创建日之间的出生日期", "characters 7-14 are not a birth date between 1900-01-01 and the cycle's creation date"),
        IdProblem.CheckCharacter => new("身份证号校验码不符", "the check character does not match"),
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>18 characters: 17 ASCII digits, then a digit or X (no date or check character is verified).</summary>
    internal static bool HasShape(string s) =>
        s.Length == Length18 && AllDigits(s.AsSpan(0, 17)) && (char.IsAsciiDigit(s[17]) || s[17] == 'X');

    private static void RequireShape(string valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        if (!HasShape(valid))
        {
            throw new ArgumentException("An 18-character identity number (17 digits, then a digit or X) is required.", nameof(valid));
        }
    }

    private static bool TryBirthDate(string s, out DateOnly birth) =>
        DateOnly.TryParseExact(s.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birth);
}
