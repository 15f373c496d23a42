using System.Security.Claims;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace EduRelief.Auth;

/// <summary>
/// Who may call the API: service accounts and local runs with <c>X-Api-Key</c>, staff with an Entra ID bearer token when
/// Entra is configured. One policy scheme picks the API key when its header is present, else the bearer token, so every
/// policy works with either.
/// </summary>
public static class SignIn
{
    public const string SchemeName = "ApiKeyOrBearer";

    public static IServiceCollection AddSignIn(this IServiceCollection services, string? adminKey, EntraSettings? entra)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<OfficerStore>();
        var auth = services.AddAuthentication(entra is null ? ApiKeyAuthenticationHandler.SchemeName : SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, o => o.AdminKey = adminKey);
        if (entra is not null)
        {
            services.AddSingleton(entra);
            auth.AddPolicyScheme(SchemeName, "API key or Entra ID", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme);
            auth.AddJwtBearer(o => ConfigureBearer(o, entra));
        }

        // Every policy also checks the counties the request acts on (CountyScope), and a county refusal says which county.
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, CountyAuthorizationHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, CountyAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.BureauAdmin))
            // A school officer without a school is refused outright rather than risk being read as bureau-wide.
            .AddPolicy(Policies.Staff, p => p.RequireAssertion(c => c.User.IsInRole(Roles.BureauAdmin) || c.User.IsInRole(Roles.Inspector)
                || (c.User.IsInRole(Roles.SchoolOfficer) && c.User.SchoolCode() is not null)))
            .AddPolicy(Policies.Inspection, p => p.RequireRole(Roles.BureauAdmin, Roles.Inspector))
            .AddPolicy(Policies.Hotline, p => p.RequireRole(Roles.HotlineSystem));
        return services;
    }

    private static void ConfigureBearer(JwtBearerOptions o, EntraSettings entra)
    {
        o.MapInboundClaims = false;
        o.Audience = entra.Audience;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = entra.Issuer,
            ValidAudience = entra.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(2),
            NameClaimType = "name",
            RoleClaimType = "roles",
        };
        if (entra.TestSigningKey is { } key)
        {
            // Development and tests: a fixed key instead of the authority's metadata, so no network is needed.
            var configuration = new OpenIdConnectConfiguration { Issuer = entra.Issuer };
            configuration.SigningKeys.Add(key);
            o.Configuration = configuration;
            o.TokenValidationParameters.IssuerSigningKey = key;
        }
        else
        {
            o.Authority = entra.Issuer;
        }

        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var store = context.HttpContext.RequestServices.GetRequiredService<OfficerStore>();
                var token = context.Principal!;
                var mapped = EntraClaims.NeedsMappedSchool(token, entra.SchoolClaim) && EntraClaims.ObjectId(token) is { } oid
                    ? await store.FindSchoolAsync(oid, context.HttpContext.RequestAborted)
                    : null;
                if (EntraClaims.Map(token, entra.SchoolClaim, mapped, entra.CountyClaim) is { } principal)
                {
                    context.Principal = principal;
                }
                else
                {
                    context.Fail("The token has no oid claim.");
                }
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var header = context.Error is null
                    ? "Bearer"
                    : $"Bearer error=\"{context.Error}\", error_description=\"{context.ErrorDescription?.Replace("\"", "'", StringComparison.Ordinal)}\"";
                context.Response.Headers.WWWAuthenticate = header;
                var detail = context.AuthenticateFailure is null
                    ? new Text(
                        $"请以 Entra ID 登录（Authorization: Bearer），或在 {ApiKeyAuthenticationHandler.Header} 请求头中发送 API 密钥。",
                        $"Sign in with Entra ID (Authorization: Bearer) or send an API key in the {ApiKeyAuthenticationHandler.Header} header.")
                    : new Text($"持有者令牌被拒绝：{Reason(context.AuthenticateFailure)}。", $"The bearer token was refused: {Reason(context.AuthenticateFailure)}.");
                await Problems.Create(StatusCodes.Status401Unauthorized, detail).ExecuteAsync(context.HttpContext);
            },
            OnForbidden = context => Problems.Create(
                    StatusCodes.Status403Forbidden,
                    context.HttpContext.User.IsInRole(Roles.SchoolOfficer) && context.HttpContext.User.SchoolCode() is null
                        ? new Text("您是未指定学校的学校经办人：请联系教育局管理员为您指定学校。", "You are a school officer without a school: ask the bureau administrator to assign yours.")
                        : ApiKeyAuthenticationHandler.RoleForbids)
                .ExecuteAsync(context.HttpContext),
        };
    }

    /// <summary>Why a token was refused, in words that reveal nothing of the token itself.</summary>
    public static string Reason(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenInvalidAudienceException => "it is for another audience",
        SecurityTokenInvalidIssuerException => "it is from another issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature does not verify",
        SecurityTokenNoExpirationException => "it has no expiry",
        _ => "it is not a valid token for this API",
    };
}
