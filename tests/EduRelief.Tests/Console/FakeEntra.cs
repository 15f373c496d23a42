using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EduRelief.Tests.Auth;
using EduRelief.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace EduRelief.Tests.Console;

/// <summary>One request to the fake authority: the endpoint, its parameters, the page's Origin, and what was wrong with it (null when valid).</summary>
public sealed record FakeEntraCall(string Endpoint, IReadOnlyDictionary<string, string> Parameters, string? Origin, string? Error)
{
    public bool Valid => Error is null;

    public string? this[string name] => Parameters.GetValueOrDefault(name);
}

/// <summary>
/// A stand-in for Entra ID's v2.0 endpoints for a single-page app, on a free loopback port: <c>{tenant}/oauth2/v2.0/authorize</c>
/// (checks the client, redirect URI, code flow with an S256 challenge and the prompt, then sends the browser back with a code
/// and the state), <c>/token</c> (the code exchanged once against its PKCE verifier, redirect URI and client; refresh tokens
/// exchanged for new tokens; answered with the CORS header Entra gives a SPA) and <c>/logout</c>. Tokens are signed with
/// a test RSA key as the real tenant's issuer, so the app (trusting that key in Development) accepts them. Every call is recorded.
/// </summary>
public sealed class FakeEntra : IAsyncDisposable
{
    public const string Prompt = "select_account";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeEntraCall> _calls = new();
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, TestToken> _refreshTokens = new();
    private readonly ConcurrentQueue<string> _issued = new();

    private FakeEntra()
    {
        Port = Azurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Host);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        var group = _app.MapGroup($"/{EntraFixture.Tenant}/oauth2/v2.0");
        group.MapGet("/authorize", Authorize);
        group.MapPost("/token", (Delegate)TokenAsync);
        group.MapMethods("/token", ["OPTIONS"], (HttpContext context) => { Cors(context); return Results.NoContent(); });
        group.MapGet("/logout", Logout);
    }

    public int Port { get; }

    public string Host => $"http://127.0.0.1:{Port}";

    /// <summary>The authority the console is pointed at (EDURELIEF_ENTRA_CONSOLE_AUTHORITY).</summary>
    public string Authority => $"{Host}/{EntraFixture.Tenant}";

    /// <summary>The app's settings for Entra sign-in against this fake: tenant, audience, the test key, the console client and authority.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["EDURELIEF_ENTRA_TENANT_ID"] = EntraFixture.Tenant,
        ["EDURELIEF_ENTRA_AUDIENCE"] = EntraFixture.Audience,
        ["EDURELIEF_ENTRA_AUTHORITY_HOST"] = "https://login.chinacloudapi.cn",
        ["EDURELIEF_ENTRA_TEST_SIGNING_KEY"] = _rsa.ExportSubjectPublicKeyInfoPem(),
        ["EDURELIEF_ENTRA_CONSOLE_CLIENT_ID"] = EntraFixture.ConsoleClientId,
        ["EDURELIEF_ENTRA_CONSOLE_AUTHORITY"] = Authority,
    };

    /// <summary>The console's redirect URI (the app's <c>/console/</c>); set once the app has started.</summary>
    public string? RedirectUri { get; set; }

    /// <summary>Who signs in at the authorize endpoint.</summary>
    public TestToken User { get; set; } = TestToken.Officer("4107260002");

    /// <summary>The life of the token the code is exchanged for (refreshed tokens live an hour).</summary>
    public TimeSpan FirstTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When set, the authorize endpoint sends back this state instead of the page's.</summary>
    public string? TamperedState { get; set; }

    public IReadOnlyList<FakeEntraCall> Calls => _calls.ToList();

    /// <summary>Access tokens issued, in order.</summary>
    public IReadOnlyList<string> Issued => _issued.ToList();

    public IEnumerable<FakeEntraCall> CallsTo(string endpoint, string? grantType = null) =>
        Calls.Where(c => c.Endpoint == endpoint && (grantType is null || c["grant_type"] == grantType));

    public static async Task<FakeEntra> StartAsync()
    {
        var fake = new FakeEntra();
        await fake._app.StartAsync();
        return fake;
    }

    private IResult Authorize(HttpContext context)
    {
        var p = Parameters(context.Request.Query.Select(q => (q.Key, q.Value.ToString())));
        var error = Check(p, "client_id", EntraFixture.ConsoleClientId) ?? Check(p, "redirect_uri", RedirectUri) ?? Check(p, "response_type", "code")
            ?? Check(p, "code_challenge_method", "S256") ?? Check(p, "prompt", Prompt)
            ?? (p.GetValueOrDefault("code_challenge") is { Length: 43 } ? null : "code_challenge is not a base64url SHA-256")
            ?? (p.GetValueOrDefault("state") is { Length: > 0 } ? null : "state missing")
            ?? (p.GetValueOrDefault("scope")?.Split(' ').Contains(EntraFixture.Audience + "/.default") == true ? null : "scope lacks the API's");
        _calls.Enqueue(new FakeEntraCall("authorize", p, null, error));
        if (error is not null)
        {
            return Results.BadRequest(error);
        }

        var code = Random();
        _codes[code] = new Grant(p["code_challenge"], p["redirect_uri"], p["client_id"]);
        var state = TamperedState ?? p["state"];
        return Results.Redirect($"{p["redirect_uri"]}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}&session_state={Random()}");
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        Cors(context);
        var form = await context.Request.ReadFormAsync();
        var p = Parameters(form.Select(f => (f.Key, f.Value.ToString())));
        var origin = context.Request.Headers.Origin.ToString();
        string? error;
        TimeSpan lifetime;
        if (p.GetValueOrDefault("grant_type") == "authorization_code")
        {
            lifetime = FirstTokenLifetime;
            error = Check(p, "client_id", EntraFixture.ConsoleClientId);
            Grant? grant = null;
            if (error is null && !_codes.TryRemove(p.GetValueOrDefault("code") ?? "", out grant))
            {
                error = "code unknown or already used";
            }
            else if (error is null)
            {
                var verifier = p.GetValueOrDefault("code_verifier") ?? "";
                var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
                error = verifier.Length < 43 ? "code_verifier too short"
                    : challenge != grant!.Challenge ? "code_verifier does not match the code_challenge"
                    : p.GetValueOrDefault("redirect_uri") != grant.RedirectUri ? "redirect_uri differs from the authorize request's"
                    : p["client_id"] != grant.ClientId ? "client_id differs" : null;
            }
        }
        else if (p.GetValueOrDefault("grant_type") == "refresh_token")
        {
            lifetime = TimeSpan.FromHours(1);
            error = Check(p, "client_id", EntraFixture.ConsoleClientId)
                ?? (_refreshTokens.ContainsKey(p.GetValueOrDefault("refresh_token") ?? "") ? null : "refresh_token unknown");
        }
        else
        {
            lifetime = default;
            error = "unsupported grant_type";
        }

        _calls.Enqueue(new FakeEntraCall("token", p, origin, error));
        if (error is not null)
        {
            return Results.BadRequest(new Dictionary<string, string> { ["error"] = "invalid_grant", ["error_description"] = error });
        }

        var token = User with { ExpiresIn = lifetime };
        var access = token.Sign(new RsaSecurityKey(_rsa));
        _issued.Enqueue(access);
        var refresh = Random();
        _refreshTokens[refresh] = token;
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["scope"] = EntraFixture.Audience + "/.default",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["access_token"] = access,
            ["refresh_token"] = refresh,
        });
    }

    private IResult Logout(HttpContext context)
    {
        var p = Parameters(context.Request.Query.Select(q => (q.Key, q.Value.ToString())));
        var error = Check(p, "post_logout_redirect_uri", RedirectUri);
        _calls.Enqueue(new FakeEntraCall("logout", p, null, error));
        return error is null ? Results.Redirect(p["post_logout_redirect_uri"]) : Results.BadRequest(error);
    }

    /// <summary>Entra answers a SPA's token request with its origin allowed (and never with credentials).</summary>
    private static void Cors(HttpContext context)
    {
        if (context.Request.Headers.Origin is { Count: > 0 } origin)
        {
            context.Response.Headers.AccessControlAllowOrigin = origin.ToString();
            context.Response.Headers.AccessControlAllowMethods = "POST, OPTIONS";
            context.Response.Headers.AccessControlAllowHeaders = "content-type";
        }
    }

    private static Dictionary<string, string> Parameters(IEnumerable<(string Key, string Value)> pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static string? Check(Dictionary<string, string> p, string name, string? expected) =>
        p.GetValueOrDefault(name) == expected && expected is not null ? null : $"{name} is '{p.GetValueOrDefault(name)}', expected '{expected}'";

    private static string Random() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));

    private sealed record Grant(string Challenge, string RedirectUri, string ClientId);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
