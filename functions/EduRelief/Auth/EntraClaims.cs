using System.Security.Claims;

namespace EduRelief.Auth;

/// <summary>
/// Turns a validated Entra token into the app's principal: the app roles in the <c>roles</c> claim become role claims,
/// a school officer's school comes from the configured claim or else from the administrator's mapping, and the actor
/// recorded in history is the person's name (or preferred_username) with their object id.
/// </summary>
public static class EntraClaims
{
    public const string AuthenticationType = "Bearer";
    public const string ObjectIdClaim = "oid";
    public const string ObjectIdClaimLong = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>The Entra app roles the API defines; any other value in <c>roles</c> grants nothing.</summary>
    public static readonly IReadOnlySet<string> AppRoles = new HashSet<string>(StringComparer.Ordinal) { Roles.BureauAdmin, Roles.SchoolOfficer, Roles.Inspector };

    public static string? ObjectId(ClaimsPrincipal token) => OfficerStore.Normalize(token.FindFirstValue(ObjectIdClaim) ?? token.FindFirstValue(ObjectIdClaimLong));

    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal token) =>
        token.FindAll("roles").Concat(token.FindAll(ClaimTypes.Role)).Select(c => c.Value).Where(AppRoles.Contains).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The school the token itself names, when it is a valid 学校标识码.</summary>
    public static string? SchoolFromToken(ClaimsPrincipal token, string schoolClaim) =>
        token.FindFirstValue(schoolClaim) is { } s && SchoolCode.IsValid(s.Trim()) ? s.Trim() : null;

    /// <summary>True when the mapping table must be asked: a school officer whose token names no school.</summary>
    public static bool NeedsMappedSchool(ClaimsPrincipal token, string schoolClaim) =>
        RolesOf(token).Contains(Roles.SchoolOfficer) && SchoolFromToken(token, schoolClaim) is null;

    /// <summary>
    /// The counties the token grants: every value of <paramref name="countyClaim"/> (a JSON array, or codes separated by
    /// spaces or commas), each a 6-digit county code or "*" for every county; anything else grants nothing.
    /// </summary>
    public static IReadOnlyList<string> CountiesOf(ClaimsPrincipal token, string countyClaim) =>
        CountyScope.Normalize(token.FindAll(countyClaim).SelectMany(c => c.Value.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>
    /// The app's principal, or null when the token has no object id. A school officer without a valid school gets no
    /// school claim, so every school-scoped check refuses them; they are never treated as bureau-wide.
    /// </summary>
    public static ClaimsPrincipal? Map(ClaimsPrincipal token, string schoolClaim, string? mappedSchool, string countyClaim = EntraSettings.DefaultCountyClaim)
    {
        if (ObjectId(token) is not { } oid)
        {
            return null;
        }

        var roles = RolesOf(token);
        var who = token.FindFirstValue("name") ?? token.FindFirstValue("preferred_username") ?? "Entra user";
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, oid),
            new(ClaimTypes.Name, $"{who} ({oid})"),
        };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(CountiesOf(token, countyClaim).Select(c => new Claim(Roles.CountyClaim, c)));
        if (roles.Contains(Roles.SchoolOfficer)
            && (SchoolFromToken(token, schoolClaim) ?? (SchoolCode.IsValid(mappedSchool) ? mappedSchool : null)) is { } school)
        {
            claims.Add(new Claim(Roles.SchoolClaim, school));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}
