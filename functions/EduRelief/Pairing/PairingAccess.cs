using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Pairing;

/// <summary>
/// Who may do what in 结对帮扶: the bureau everything; a school officer their own school (teachers, pairings, records,
/// figures); an inspector reads; a <see cref="Roles.Teacher"/> only the children paired with them and their records.
/// </summary>
public static class PairingAccess
{
    /// <summary>The bureau, or a school officer with a school: who uploads teachers and edits pairings.</summary>
    public const string ManagersPolicy = "pairing-managers";

    /// <summary>Everyone who reads pairings and records: staff, and a teacher bound to a school and to themselves.</summary>
    public const string ReadersPolicy = "pairing-readers";

    /// <summary>Who writes records: the bureau, a school officer, a teacher.</summary>
    public const string RecordersPolicy = "pairing-recorders";

    public static IServiceCollection AddPairingPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(ManagersPolicy, p => p.RequireAssertion(c => IsManager(c.User)))
            .AddPolicy(ReadersPolicy, p => p.RequireAssertion(c => IsManager(c.User) || c.User.IsInRole(Roles.Inspector) || IsTeacher(c.User)))
            .AddPolicy(RecordersPolicy, p => p.RequireAssertion(c => IsManager(c.User) || IsTeacher(c.User)));
        return services;
    }

    public static bool IsManager(ClaimsPrincipal user) =>
        user.IsInRole(Roles.BureauAdmin) || (user.IsInRole(Roles.SchoolOfficer) && user.SchoolCode() is not null);

    /// <summary>A teacher with both a school and a teacher id; one without either is refused outright.</summary>
    public static bool IsTeacher(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Teacher) && user.SchoolCode() is not null && user.TeacherId() is not null;

    /// <summary>The teacher the caller is, when they sign in as a teacher (and hold no staff role); null for staff.</summary>
    public static string? OwnTeacher(ClaimsPrincipal user) =>
        IsTeacher(user) && !IsManager(user) && !user.IsInRole(Roles.Inspector) ? user.TeacherId() : null;

    /// <summary>True for the bureau, inspectors, and the school's own officer or teacher.</summary>
    public static bool CanSeeSchool(ClaimsPrincipal user, string schoolCode) =>
        user.CanAccessSchool(schoolCode) || (IsTeacher(user) && user.SchoolCode() == schoolCode);

    /// <summary>404 for an unknown county or a school code that is no 学校标识码, 403 for another school than the caller's.</summary>
    public static ProblemHttpResult? CheckSchool(string countyCode, string schoolCode, ClaimsPrincipal user, CountyCatalog counties)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        if (!SchoolCode.IsValid(schoolCode))
        {
            return Problems.NotFound(new Text($"学校标识码为 {schoolCode} 的学校", $"School {schoolCode}"));
        }

        return CanSeeSchool(user, schoolCode) ? null : Problems.Forbidden(Messages.OtherSchool(Eligibility.SchoolNames.Describe(null, schoolCode)));
    }
}
