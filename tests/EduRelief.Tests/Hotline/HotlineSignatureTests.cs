using System.Security.Cryptography;
using System.Text;
using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Hotline;

public sealed class HotlineSignatureTests
{
    private const string Secret = "county-shared-secret-410726";
    private static readonly DateTimeOffset Now = new(2026, 10, 9, 2, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"externalId\":\"H-1\",\"content\":\"问询\"}");

    /// <summary>An independent oracle: HMAC-SHA256 over "{timestamp}." followed by the raw bytes, lower-case hex.</summary>
    private static string Signed(string secret, string timestamp, byte[] body)
    {
        var message = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    private static string Stamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Verify_ValidSignature_ReturnsValid()
    {
        var ts = Stamp(Now);

        Assert.Equal(SignatureCheck.Valid, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body), Body, Now));
    }

    [Fact]
    public void Verify_UpperCaseHex_ReturnsValid()
    {
        var ts = Stamp(Now);

        Assert.Equal(SignatureCheck.Valid, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body).ToUpperInvariant(), Body, Now));
    }

    [Fact]
    public void Sign_SameInput_MatchesIndependentHmac()
    {
        Assert.Equal(Signed(Secret, "1791511200", Body), HotlineSignature.Sign(Secret, "1791511200", Body));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Verify_ExactlyFiveMinutesOff_ReturnsValid(int offsetSeconds)
    {
        var ts = Stamp(Now.AddSeconds(offsetSeconds));

        Assert.Equal(SignatureCheck.Valid, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body), Body, Now));
    }

    [Fact]
    public void Verify_StaleTimestamp_ReturnsOutsideWindow()
    {
        var ts = Stamp(Now.AddSeconds(-301));

        Assert.Equal(SignatureCheck.OutsideWindow, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body), Body, Now));
    }

    [Fact]
    public void Verify_FutureTimestamp_ReturnsOutsideWindow()
    {
        var ts = Stamp(Now.AddSeconds(301));

        Assert.Equal(SignatureCheck.OutsideWindow, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body), Body, Now));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    [InlineData("1791511200.5")]
    public void Verify_UnreadableTimestamp_ReturnsOutsideWindow(string ts)
    {
        Assert.Equal(SignatureCheck.OutsideWindow, HotlineSignature.Verify(Secret, ts, Signed(Secret, ts, Body), Body, Now));
    }

    [Fact]
    public void Verify_WrongSecret_ReturnsMismatch()
    {
        var ts = Stamp(Now);

        Assert.Equal(SignatureCheck.Mismatch, HotlineSignature.Verify(Secret, ts, Signed("another-county-secret", ts, Body), Body, Now));
    }

    [Fact]
    public void Verify_TamperedBody_ReturnsMismatch()
    {
        var ts = Stamp(Now);
        var signature = Signed(Secret, ts, Body);
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 0x01;

        Assert.Equal(SignatureCheck.Mismatch, HotlineSignature.Verify(Secret, ts, signature, tampered, Now));
    }

    [Fact]
    public void Verify_SignatureOfAnotherTimestamp_ReturnsMismatch()
    {
        var ts = Stamp(Now);

        Assert.Equal(SignatureCheck.Mismatch, HotlineSignature.Verify(Secret, ts, Signed(Secret, Stamp(Now.AddSeconds(-1)), Body), Body, Now));
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("0123")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public void Verify_MalformedSignature_ReturnsMismatch(string signature)
    {
        Assert.Equal(SignatureCheck.Mismatch, HotlineSignature.Verify(Secret, Stamp(Now), signature, Body, Now));
    }

    [Fact]
    public void Verify_NoSecretConfigured_ReturnsMismatch()
    {
        var ts = Stamp(Now);

        Assert.Equal(SignatureCheck.Mismatch, HotlineSignature.Verify(null, ts, Signed("", ts, Body), Body, Now));
    }

    [Theory]
    [InlineData(null, "sig")]
    [InlineData("1791511200", null)]
    [InlineData("", "")]
    public void Verify_MissingHeaders_ReturnsMissing(string? ts, string? signature)
    {
        Assert.Equal(SignatureCheck.Missing, HotlineSignature.Verify(Secret, ts, signature, Body, Now));
    }
}
