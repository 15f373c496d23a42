using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduRelief.Eligibility;

/// <summary>The programme codes a policy may name; each becomes ledger rows under this code.</summary>
public static class ProgramCodes
{
    public const string PreschoolAid = "preschool_aid";
    public const string LivingSubsidy = "living_subsidy";
    public const string HighSchoolGrant = "hs_grant";
    public const string VocationalGrant = "vocational_grant";
    public const string CollegeGrant = "college_grant";

    public static IReadOnlyList<string> All { get; } = [PreschoolAid, LivingSubsidy, HighSchoolGrant, VocationalGrant, CollegeGrant];
}

/// <summary>One programme paid to one eligible student for one semester, in yuan.</summary>
public sealed record Entitlement(string Program, Yuan Amount);

/// <summary>
/// What one programme pays at one stage, per student per semester in yuan: either <see cref="Amount"/> for everyone, or
/// <see cref="BoardingAmount"/> and <see cref="NonBoardingAmount"/> where boarding matters. <see cref="Grades"/> limits
/// the grant to those grades (null: every grade of the stage); a student in another grade is still eligible, unpaid.
/// Amounts always carry two decimal places (312.50), so equal content has one canonical form.
/// </summary>
public sealed record ProgramRule(
    string Code,
    SchoolStage Stage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? Amount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? BoardingAmount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? NonBoardingAmount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? Grades,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note)
{
    public bool Covers(int grade) => Grades is null || Grades.Contains(grade);

    public Yuan AmountFor(bool boarding) =>
        new((boarding ? BoardingAmount : NonBoardingAmount) ?? Amount ?? throw new InvalidOperationException($"Programme {Code} at {Stage} has no amount."));
}

/// <summary>
/// A whole policy for one school year: the default shipped as Data/policy-YYYY.json, or a province's or county's
/// override, which replaces the default entirely. Build one through <see cref="PolicyValidation"/> only.
/// </summary>
public sealed record PolicyDocument(int SchoolYear, IReadOnlyList<ProgramRule> Programs, IReadOnlyList<string> Notes);

/// <summary>The policy that applies, which scope it came from and the version a cycle records.</summary>
public sealed record ResolvedPolicy(int SchoolYear, string Version, string Scope, PolicyDocument Document)
{
    /// <summary>When an override was stored; null for the shipped default.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Who stored an override; null for the shipped default.</summary>
    public string? UpdatedBy { get; init; }

    public static ResolvedPolicy Create(PolicyScope scope, PolicyDocument document) =>
        new(document.SchoolYear, PolicyVersion.Of(scope, document), scope.ToString(), document);

    /// <summary>
    /// Entitlements of one eligible student, in the document's order; empty list = eligible with no grant (e.g. 中职
    /// year 3, the internship year). A programme whose amount is 0 pays nothing and is left out.
    /// </summary>
    public IReadOnlyList<Entitlement> EntitlementsFor(SchoolStage stage, int grade, bool boarding)
    {
        if (grade < 1 || grade > SchoolStages.MaxGrade(stage))
        {
            throw new ArgumentOutOfRangeException(nameof(grade), grade, $"{SchoolStages.Chinese(stage)} has grades 1 to {SchoolStages.MaxGrade(stage)}.");
        }

        return Document.Programs
            .Where(p => p.Stage == stage && p.Covers(grade))
            .Select(p => new Entitlement(p.Code, p.AmountFor(boarding)))
            .Where(e => e.Amount > Yuan.Zero)
            .ToList();
    }
}

/// <summary>
/// JSON of policy documents: numbers must be JSON numbers, camelCase names, Chinese stage names left readable. The
/// canonical form (what is stored and hashed) is this serializer's output of a validated <see cref="PolicyDocument"/>.
/// </summary>
public static class PolicyJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
        WriteIndented = false,
    };

    public static string Canonical(PolicyDocument document) => JsonSerializer.Serialize(document, Options);

    public static PolicyDocument Parse(string canonical) =>
        JsonSerializer.Deserialize<PolicyDocument>(canonical, Options) ?? throw new InvalidDataException("A stored policy document is empty.");
}

public static class PolicyVersion
{
    /// <summary><c>{scope}@{first 12 hex of SHA-256 of the canonical JSON}</c>, e.g. <c>county:410726@3fa2b1c0d9e8</c>.</summary>
    public static string Of(PolicyScope scope, PolicyDocument document) =>
        $"{scope}@{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PolicyJson.Canonical(document))))[..12]}";
}
