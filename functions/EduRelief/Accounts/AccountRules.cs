using EduRelief.Rosters;

namespace EduRelief.Accounts;

/// <summary>What a child's accounts registry entry allows (DOMAIN "Accounts").</summary>
public enum AccountStatus
{
    /// <summary>A valid account whose holder is the child or a person of the child's household.</summary>
    WithAccount,

    /// <summary>No row for the child in the registry.</summary>
    NoAccount,

    /// <summary>The latest row's account number is not valid; counted with <see cref="NoAccount"/>.</summary>
    InvalidAccount,

    /// <summary>A valid account whose holder is neither the child nor of the household: a person decides.</summary>
    HolderMismatch,
}

/// <summary>
/// A child's latest account as the registry holds it. <see cref="AccountNumber"/> is the normalised full number, for
/// the payment file only: everything a person reads shows <see cref="MaskedAccount"/>, and <see cref="ToString"/> is
/// masked so that the record cannot leak the number into a log.
/// </summary>
public sealed record AccountRecord(
    string PersonKey,
    string AccountNumber,
    string Holder,
    string Bank,
    bool Valid,
    DateTimeOffset UploadedAt,
    string UploadedBy,
    string FileSha256,
    int FileRow)
{
    public string MaskedAccount => AccountRules.Mask(AccountNumber);

    public override string ToString() =>
        $"AccountRecord {{ PersonKey = {PersonKey}, MaskedAccount = {MaskedAccount}, Valid = {Valid}, UploadedAt = {UploadedAt:O}, FileSha256 = {FileSha256}, FileRow = {FileRow} }}";
}

/// <summary>The registry's pure rules: account numbers, the Luhn check, holders, masking, a child's status.</summary>
public static class AccountRules
{
    public const int MinDigits = 12;
    public const int MaxDigits = 30;

    private const string Stars = "********";

    /// <summary>Trims, removes ASCII spaces, U+3000 and '-', maps full-width digits to ASCII; nothing else changes.</summary>
    public static string Normalize(string? raw) =>
        SpaceFolding.Fold(raw, c => c is >= '０' and <= '９' ? (char)('0' + (c - '０')) : c).Replace("-", "", StringComparison.Ordinal);

    /// <summary>
    /// On a normalised number: 12 to 30 ASCII digits, and a 16 to 19-digit number starting with 62 (UnionPay) must also
    /// pass the Luhn check.
    /// </summary>
    public static bool IsValid(string normalized)
    {
        if (normalized.Length is < MinDigits or > MaxDigits || !normalized.All(char.IsAsciiDigit))
        {
            return false;
        }

        return !IsUnionPayCard(normalized) || PassesLuhn(normalized);
    }

    public static bool IsUnionPayCard(string digits) => digits.Length is >= 16 and <= 19 && digits.StartsWith("62", StringComparison.Ordinal);

    /// <summary>The Luhn (mod 10) check over ASCII digits, the last being the check digit.</summary>
    public static bool PassesLuhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// The first 4 and last 4 characters with exactly 8 stars between (<c>6217********1234</c>) whatever the length. A
    /// value shorter than 12 characters (only an invalid one) shows nothing but the stars, so a mask never reveals most
    /// of a short number.
    /// </summary>
    public static string Mask(string normalized) =>
        normalized.Length < MinDigits ? Stars : string.Concat(normalized.AsSpan(0, 4), Stars, normalized.AsSpan(normalized.Length - 4));

    /// <summary>The holder (账户名) is the child or a person of the child's household, names compared like verification's.</summary>
    public static bool HolderMatches(string holder, string childName, IReadOnlyCollection<string> householdNames) =>
        PersonNames.Normalize(holder) is { Length: > 0 } name
        && (name == PersonNames.Normalize(childName) || householdNames.Any(n => PersonNames.Normalize(n) == name));

    /// <summary>
    /// The child's status from the latest registry row: none → noAccount, an invalid number → invalidAccount, a valid one
    /// held by the child or a household member (<paramref name="householdNames"/>: the names of the child's 户编号 in
    /// the poverty registry) → withAccount, otherwise holderMismatch.
    /// </summary>
    public static AccountStatus Classify(AccountRecord? latest, string childName, IReadOnlyCollection<string> householdNames) => latest switch
    {
        null => AccountStatus.NoAccount,
        { Valid: false } => AccountStatus.InvalidAccount,
        _ when HolderMatches(latest.Holder, childName, householdNames) => AccountStatus.WithAccount,
        _ => AccountStatus.HolderMismatch,
    };

    /// <summary>The status as the API writes it: withAccount, noAccount, invalidAccount, holderMismatch.</summary>
    public static string Name(AccountStatus status) => status switch
    {
        AccountStatus.WithAccount => "withAccount",
        AccountStatus.NoAccount => "noAccount",
        AccountStatus.InvalidAccount => "invalidAccount",
        AccountStatus.HolderMismatch => "holderMismatch",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
