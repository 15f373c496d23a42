using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Hosting;
using Microsoft.Extensions.FileProviders;

namespace EduRelief.WebConsole;

/// <summary>Who the caller is, as the console shows it and decides what to offer.</summary>
public sealed record Me(string Id, string Name, string Role, string? SchoolCode, string Via, string? SchoolName = null);

/// <summary>
/// How the console signs people in (always an API key; Entra ID when the app and its console client are configured), and
/// the app's clock now, which forms default to (the development clock may differ from the browser's).
/// </summary>
public sealed record ConsoleConfig(ConsoleEntra? Entra, bool DevClock, DateTimeOffset Now = default);

/// <summary>The authorization-code-with-PKCE parameters of the console's single-page app registration.</summary>
public sealed record ConsoleEntra(string Authority, string ClientId, string Scope);

/// <summary>
/// The web console: static files under <c>/console/</c> (the Console function's route <c>console/{*path}</c>), plus the two
/// small API answers it starts from. The files are public; everything they show comes from the API under the caller's rights.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Path = "/console";

    /// <summary>
    /// Scripts and styles only from the app itself; the page may frame the public notice (same origin) and may post
    /// to the Entra token endpoint, nothing else.
    /// </summary>
    public static string ContentSecurityPolicy(EntraSettings? entra) =>
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; "
        + $"frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; connect-src 'self'{(entra is null ? "" : " " + entra.ConsoleAuthorityOrigin)}";

    public static ConsoleConfig Config(IConfiguration config, EntraSettings? entra, bool devClock)
    {
        var clientId = config["EDURELIEF_ENTRA_CONSOLE_CLIENT_ID"];
        if (entra is null || string.IsNullOrWhiteSpace(clientId))
        {
            return new ConsoleConfig(null, devClock);
        }

        // The API's own scope unless one is named: an audience that is an app id URI takes a scope name after it.
        var scope = config["EDURELIEF_ENTRA_CONSOLE_SCOPE"] is { Length: > 0 } named ? named : $"{entra.Audience.TrimEnd('/')}/.default";
        return new ConsoleConfig(new ConsoleEntra(entra.ConsoleAuthorityOrDefault, clientId.Trim(), scope), devClock);
    }

    public static void MapConsole(this WebApplication app, AppSettings settings)
    {
        var entra = app.Services.GetService<EntraSettings>();
        var policy = ContentSecurityPolicy(entra);
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "console");
        var files = Directory.Exists(root) ? (IFileProvider)new PhysicalFileProvider(root) : new NullFileProvider();

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Path, out var rest))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (!rest.HasValue)
                {
                    context.Response.Redirect(Path + "/", permanent: false);
                    return;
                }

                // The shell is always fetched anew so a deployment's scripts and the page agree; scripts are revalidated.
                headers.CacheControl = "no-cache";
                if (rest == "/")
                {
                    context.Request.Path = Path + "/index.html";
                }
            }

            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            // Chinese text in the shell and the scripts: say the charset rather than leave it to the browser.
            OnPrepareResponse = context =>
            {
                var type = context.Context.Response.ContentType;
                if (type is "text/html" or "text/css" or "text/javascript" or "application/javascript")
                {
                    context.Context.Response.ContentType = type + "; charset=utf-8";
                }
            },
        });

        app.MapGet("/api/me", async (ClaimsPrincipal user, Eligibility.SchoolNames schools, CancellationToken ct) =>
        {
            var role = Roles.All.FirstOrDefault(user.IsInRole) ?? "";
            var via = user.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName ? "apiKey" : "entra";
            var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("oid") ?? "";
            // An Entra actor is "name (object id)" so history names the person unambiguously; the console greets by name.
            var name = user.Actor();
            var suffix = $" ({id})";
            // A school officer is greeted with their school's name, as the county's latest verified roster spells it.
            var schoolName = user.SchoolCode() is { } code ? await schools.FindInCountiesAsync(user.CountyLimit(), code, ct) : null;
            return TypedResults.Ok(new Me(id, id.Length > 0 && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name, role, user.SchoolCode(), via, schoolName));
        }).RequireAuthorization();

        var config = Config(app.Configuration, entra, settings.DevClock);
        app.MapGet("/api/console/config", (TimeProvider clock) => TypedResults.Ok(config with { Now = clock.GetUtcNow() })).AllowAnonymous();
    }
}
