using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EduRelief.Auth;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The bootstrap administrator key (EDURELIEF_ADMIN_KEY).</summary>
    public string? AdminKey { get; set; }
}

/// <summary>Authenticates <c>X-Api-Key</c>; answers 401/403 as RFC 7807 problem details.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore store,
    TimeProvider clock)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    private const string FailureItem = "EduRelief.ApiKeyFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return AuthenticateResult.NoResult();
        }

        var key = values.ToString().Trim();
        if (Options.AdminKey is { Length: > 0 } admin && FixedEquals(key, admin))
        {
            return Success("admin", "bootstrap administrator", Roles.BureauAdmin, null, [Roles.EveryCounty]);
        }

        var secret = await store.FindAsync(key, Context.RequestAborted);
        var now = clock.GetUtcNow();
        var refusal = secret switch
        {
            null => "未知的访问密钥。",
            { Key.RevokedAt: not null } => "此访问密钥已被吊销。",
            { Key.ExpiresAt: { } expires } when expires <= now => "此访问密钥已过期。",
            { RetiresAt: { } retires } when retires <= now => "此访问密钥已被轮换，旧密钥的过渡期已结束，请使用新密钥。",
            _ => null,
        };
        if (refusal is not null)
        {
            Context.Items[FailureItem] = refusal;
            return AuthenticateResult.Fail(refusal);
        }

        await store.RecordUseAsync(secret!, Context.RequestAborted);
        var info = secret!.Key;
        return Success(info.Id, info.Name, info.Role, info.SchoolCode, info.Counties, info.TeacherId);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(
            StatusCodes.Status401Unauthorized,
            Context.Items[FailureItem] as string is { } failure
                ? failure
                : new Text($"请在 {Header} 请求头中发送有效的 API 密钥。", $"Send a valid API key in the {Header} header."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, RoleForbids);

    /// <summary>The 403 of a role that may not make the request.</summary>
    internal static readonly Text RoleForbids = new("您的角色无权进行此操作。", "Your role does not allow this request.");

    private Task WriteProblem(int status, Text detail) => Problems.Create(status, detail).ExecuteAsync(Context);

    private AuthenticateResult Success(string id, string name, string role, string? school, IReadOnlyList<string> counties, string? teacherId = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, id), new(ClaimTypes.Name, name), new(ClaimTypes.Role, role) };
        claims.AddRange(counties.Select(c => new Claim(Roles.CountyClaim, c)));
        if (school is not null)
        {
            claims.Add(new Claim(Roles.SchoolClaim, school));
        }

        if (teacherId is not null)
        {
            claims.Add(new Claim(Roles.TeacherClaim, teacherId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
