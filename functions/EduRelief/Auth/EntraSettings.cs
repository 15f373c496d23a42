using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace EduRelief.Auth;

/// <summary>
/// Staff sign-in with Entra ID: the tenant, the API's audience (its app id URI or client id), the authority host
/// (global or Azure China) and the claim that carries an officer's school. Read once at start: both tenant and audience
/// set turns JWT bearer on; one without the other, or a test signing key or console authority outside Development, stops
/// the app. <paramref name="ConsoleAuthority"/> (Development only, http allowed) replaces the authority the console's
/// browser sign-in goes to, so a local stand-in for Entra can prove the flow; the API's issuer does not change.
/// </summary>
public sealed record EntraSettings(string TenantId, string Audience, string AuthorityHost, string SchoolClaim, SecurityKey? TestSigningKey, string? ConsoleAuthority = null, string CountyClaim = EntraSettings.DefaultCountyClaim)
{
    public const string DefaultCountyClaim = "counties";

    public const string DefaultAuthorityHost = "https://login.microsoftonline.com";
    public const string DefaultSchoolClaim = "school_code";

    /// <summary>The v2.0 issuer, which is also the authority the signing keys are discovered from.</summary>
    public string Issuer => $"{AuthorityHost}/{TenantId}/v2.0";

    /// <summary>Where the console's browser signs in: the tenant's authority, or the Development stand-in.</summary>
    public string ConsoleAuthorityOrDefault => ConsoleAuthority ?? $"{AuthorityHost}/{TenantId}";

    /// <summary>The origin the console's page may post to (its CSP connect-src): the console authority's scheme, host and port.</summary>
    public string ConsoleAuthorityOrigin => new Uri(ConsoleAuthorityOrDefault).GetLeftPart(UriPartial.Authority);

    /// <summary>The settings, or null when Entra sign-in is not configured (API keys only).</summary>
    public static EntraSettings? Read(IConfiguration config, IHostEnvironment environment)
    {
        var errors = new List<string>();
        var tenant = Value(config, "EDURELIEF_ENTRA_TENANT_ID");
        var audience = Value(config, "EDURELIEF_ENTRA_AUDIENCE");
        var testKeyText = Value(config, "EDURELIEF_ENTRA_TEST_SIGNING_KEY");
        if (tenant is null && audience is null)
        {
            if (testKeyText is not null)
            {
                throw new InvalidOperationException("EduRelief cannot start: EDURELIEF_ENTRA_TEST_SIGNING_KEY needs EDURELIEF_ENTRA_TENANT_ID and EDURELIEF_ENTRA_AUDIENCE.");
            }

            return null;
        }

        if (tenant is null || audience is null)
        {
            errors.Add("EDURELIEF_ENTRA_TENANT_ID and EDURELIEF_ENTRA_AUDIENCE are set together.");
        }
        else if (!tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            errors.Add("EDURELIEF_ENTRA_TENANT_ID is the directory (tenant) id or its domain name.");
        }

        var host = (Value(config, "EDURELIEF_ENTRA_AUTHORITY_HOST") ?? DefaultAuthorityHost).TrimEnd('/');
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.AbsolutePath != "/")
        {
            errors.Add("EDURELIEF_ENTRA_AUTHORITY_HOST is an https host such as https://login.microsoftonline.com or https://login.chinacloudapi.cn.");
        }

        var schoolClaim = Value(config, "EDURELIEF_ENTRA_SCHOOL_CLAIM") ?? DefaultSchoolClaim;
        var countyClaim = Value(config, "EDURELIEF_ENTRA_COUNTY_CLAIM") ?? DefaultCountyClaim;
        SecurityKey? testKey = null;
        if (testKeyText is not null)
        {
            if (!environment.IsDevelopment())
            {
                errors.Add("EDURELIEF_ENTRA_TEST_SIGNING_KEY is refused outside Development.");
            }
            else if ((testKey = ParseKey(testKeyText)) is null)
            {
                errors.Add("EDURELIEF_ENTRA_TEST_SIGNING_KEY is an RSA public key in PEM or a base64 symmetric key of at least 32 bytes.");
            }
        }

        var consoleAuthority = Value(config, "EDURELIEF_ENTRA_CONSOLE_AUTHORITY")?.TrimEnd('/');
        if (consoleAuthority is not null)
        {
            if (!environment.IsDevelopment())
            {
                errors.Add("EDURELIEF_ENTRA_CONSOLE_AUTHORITY is refused outside Development.");
            }
            else if (!Uri.TryCreate(consoleAuthority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https")
                || authority.Query.Length > 0 || authority.Fragment.Length > 0 || authority.UserInfo.Length > 0)
            {
                errors.Add("EDURELIEF_ENTRA_CONSOLE_AUTHORITY is an http or https authority such as http://127.0.0.1:5555/{tenant}.");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("EduRelief cannot start: " + string.Join(" ", errors));
        }

        return new EntraSettings(tenant!, audience!, host, schoolClaim, testKey, consoleAuthority, countyClaim);
    }

    private static SecurityKey? ParseKey(string text)
    {
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(text);
                return new RsaSecurityKey(rsa);
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                return null;
            }
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) && written >= 32 ? new SymmetricSecurityKey(bytes[..written]) : null;
    }

    private static string? Value(IConfiguration config, string key) => config[key] is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}
