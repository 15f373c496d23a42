using System.Security.Claims;

namespace EduRelief.Auth;

public static class Roles
{
    public const string BureauAdmin = "bureau_admin";
    public const string SchoolOfficer = "school_officer";
    public const string Inspector = "inspector";
    public const string HotlineSystem = "hotline_system";

    /// <summary>A teacher of one school (<see cref="SchoolClaim"/>) who is one teacher of it (<see cref="TeacherClaim"/>): sees only the children paired with them.</summary>
    public const string Teacher = "teacher";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { BureauAdmin, SchoolOfficer, Inspector, HotlineSystem, Teacher };

    public const string SchoolClaim = "school";

    /// <summary>A teacher's id within their school (<c>Pairing/TeacherStore</c>): the 工号 as the school's upload normalised it.</summary>
    public const string TeacherClaim = "teacher";

    /// <summary>One claim per county the principal may act on (a 6-digit code), or <see cref="EveryCounty"/>.</summary>
    public const string CountyClaim = "county";

    /// <summary>An operator of every county: the bootstrap administrator, or a key or token granted <c>"*"</c>.</summary>
    public const string EveryCounty = "*";
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

    /// <summary>The teacher a <see cref="Roles.Teacher"/> principal is, or null.</summary>
    public static string? TeacherId(this ClaimsPrincipal user) => user.FindFirstValue(Roles.TeacherClaim);

    /// <summary>The counties the principal may act on, as signed in (a 6-digit code each, or "*").</summary>
    public static IReadOnlyList<string> Counties(this ClaimsPrincipal user) => [.. user.FindAll(Roles.CountyClaim).Select(c => c.Value).Distinct()];

    public static bool ActsInEveryCounty(this ClaimsPrincipal user) => user.HasClaim(Roles.CountyClaim, Roles.EveryCounty);

    /// <summary>True when the principal may act on the county's cycles, contacts, policies, cases and files.</summary>
    public static bool CanActInCounty(this ClaimsPrincipal user, string? countyCode) =>
        user.ActsInEveryCounty() || (countyCode is not null && countyCode != Roles.EveryCounty && user.HasClaim(Roles.CountyClaim, countyCode));

    /// <summary>The counties a list is limited to, or null for an operator of every county (no limit).</summary>
    public static IReadOnlyList<string>? CountyLimit(this ClaimsPrincipal user) => user.ActsInEveryCounty() ? null : user.Counties();

    /// <summary>Bureau staff and inspectors see every school; a school officer only their own, and without one none.</summary>
    public static bool CanAccessSchool(this ClaimsPrincipal user, string? schoolCode) =>
        user.IsInRole(Roles.BureauAdmin) || user.IsInRole(Roles.Inspector)
        || (user.IsInRole(Roles.SchoolOfficer) && user.SchoolCode() is { } own && string.Equals(own, schoolCode, StringComparison.Ordinal));
}
