using System.Security.Cryptography;
using System.Text;
using EduRelief.Rosters;
using Microsoft.Extensions.Options;

namespace EduRelief.Children;

/// <summary>The app's secret for children's ids, from <c>EDURELIEF_CHILD_ID_SECRET</c>.</summary>
public sealed class ChildIdOptions
{
    public const string SecretKey = "EDURELIEF_CHILD_ID_SECRET";
    public const int MinSecretLength = 16;

    /// <summary>What a development app without the setting uses: ids stay stable across its restarts.</summary>
    public const string DevelopmentSecret = "edurelief-development-child-ids";

    public string? Secret { get; set; }
}

/// <summary>Outside Development the app does not start without a secret of at least 16 characters.</summary>
public sealed class ChildIdOptionsValidator(IHostEnvironment environment) : IValidateOptions<ChildIdOptions>
{
    public ValidateOptionsResult Validate(string? name, ChildIdOptions options) => options.Secret switch
    {
        null or "" when environment.IsDevelopment() => ValidateOptionsResult.Success,
        null or "" => ValidateOptionsResult.Fail($"{ChildIdOptions.SecretKey} (the secret children's ids are made with) is not configured."),
        { Length: < ChildIdOptions.MinSecretLength } => ValidateOptionsResult.Fail($"{ChildIdOptions.SecretKey} must be at least {ChildIdOptions.MinSecretLength} characters."),
        _ => ValidateOptionsResult.Success,
    };
}

/// <summary>
/// A child's id in the registry: HMAC-SHA256 of the normalised ID number with the app's secret, so that nobody without
/// the secret can tell the number from the id (or test a guessed number against it). The registry's row key is the
/// HMAC in hex; the API shows it in base64url. Changing the secret orphans the registry's rows: it is set once.
/// </summary>
public sealed class ChildIds(IOptions<ChildIdOptions> options)
{
    private const int HashBytes = 32;

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.Secret is { Length: > 0 } secret ? secret : ChildIdOptions.DevelopmentSecret);

    /// <summary>The row key of the child with <paramref name="idNumber"/>: 64 lower-case hex digits.</summary>
    public string RowKey(IdNumber idNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("edurelief-child|" + idNumber.Value)));

    /// <summary>The id the API shows for a row key.</summary>
    public static string ApiId(string rowKey) => Convert.ToBase64String(Convert.FromHexString(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The row key an API id stands for, or null when it is no id this app gave out.</summary>
    public static string? RowKeyOf(string? apiId)
    {
        if (apiId is not { Length: 43 } || apiId.AsSpan().ContainsAnyExcept(Base64UrlChars))
        {
            return null;
        }

        var bytes = new byte[HashBytes];
        return Convert.TryFromBase64String(apiId.Replace('-', '+').Replace('_', '/') + "=", bytes, out var written) && written == HashBytes
            ? Convert.ToHexStringLower(bytes)
            : null;
    }

    private static readonly System.Buffers.SearchValues<char> Base64UrlChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
