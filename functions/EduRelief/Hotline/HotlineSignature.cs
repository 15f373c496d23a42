using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EduRelief.Hotline;

public enum SignatureCheck
{
    Valid,
    Missing,
    OutsideWindow,
    Mismatch,
}

/// <summary>
/// The hotline system signs <c>{timestamp}.{raw body bytes}</c> with HMAC-SHA256 and the county's shared secret, and
/// sends the Unix-seconds timestamp and the hex digest in headers. A request is accepted within 5 minutes of the app's
/// clock, either way.
/// </summary>
public static class HotlineSignature
{
    public const string TimestampHeader = "X-Hotline-Timestamp";
    public const string SignatureHeader = "X-Hotline-Signature";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(Compute(secret, timestamp, body));

    public static SignatureCheck Verify(string? secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Window)
        {
            return SignatureCheck.OutsideWindow;
        }

        // Without a configured secret (Development only) nothing can be verified, so nothing is accepted.
        if (string.IsNullOrEmpty(secret) || signature.Length != 64)
        {
            return SignatureCheck.Mismatch;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return SignatureCheck.Mismatch;
        }

        return CryptographicOperations.FixedTimeEquals(given, Compute(secret, timestamp, body)) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
