using System.Security.Claims;

namespace EduRelief.Auth;

public static class Roles
{
    public const string BureauAdmin = "bureau_admin";
    public const string SchoolOfficer = "school_officer";
    public const string Inspector = "inspector";
    public const string HotlineSystem = "hotline_system";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { BureauAdmin, SchoolOfficer, Inspector, HotlineSystem };

    public const string SchoolClaim = "school";
}

public static class Policies
{
    /// <summary>Bureau administrators only.</summary>
    public const string Admin = "admin";

    /// <summary>People who read cycle data: administrators, inspectors, school officers (their school only).</summary>
    public const string Staff = "staff";

    /// <summary>Administrators and inspectors: findings.</summary>
    public const string Inspection = "inspection";

    /// <summary>The hotline system's webhook.</summary>
    public const string Hotline = "hotline";
}

public static class PrincipalExtensions
{
    public static string Actor(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";

    public static string? SchoolCode(this ClaimsPrincipal user) => user.FindFirstValue(Roles.SchoolClaim);

    /// <summary>Bureau staff and inspectors see every school; a school officer only their own, and without one none.</summary>
    public static bool CanAccessSchool(this ClaimsPrincipal user, string? schoolCode) =>
        user.IsInRole(Roles.BureauAdmin) || user.IsInRole(Roles.Inspector)
        || (user.IsInRole(Roles.SchoolOfficer) && user.SchoolCode() is { } own && string.Equals(own, schoolCode, StringComparison.Ordinal));
}
