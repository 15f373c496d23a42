namespace EduRelief.Counties;

/// <summary>One link of a 七长制 chain: the role (a code and its Chinese title), the unit it answers for, and who holds it (null: not named in the contacts).</summary>
public sealed record ChainLink(string Role, string Title, string? Unit, string? Name);

/// <summary>
/// Who answers for a child out of school (DOMAIN "控辍保学 cases", 七长制, two lines): the administrative line, the
/// township's head and the village's head; the education line, the township's central school principal, the school's
/// principal and the child's responsible teacher. <see cref="Missing"/> lists the links nobody is named for, as people
/// read them ("村委会主任（东关村）"), so the bureau knows whom to name in the county's contacts.
/// </summary>
public sealed record ResponsibilityChain(IReadOnlyList<ChainLink> Administrative, IReadOnlyList<ChainLink> Education, IReadOnlyList<string> Missing)
{
    public const string TownshipHead = "townshipHead";
    public const string VillageHead = "villageHead";
    public const string CentralSchoolPrincipal = "centralSchoolPrincipal";
    public const string Principal = "principal";
    public const string Teacher = "teacher";

    /// <param name="contacts">The county's contacts; null when the county has none yet (every link is then missing).</param>
    /// <param name="schoolCode">The child's school, when it has one (a child in no school answers to the central school alone).</param>
    /// <param name="teacher">The child's responsible teacher, once pairing names one.</param>
    public static ResponsibilityChain For(CountyContacts? contacts, string? township, string? village, string? schoolCode, string? schoolName, string? teacher = null)
    {
        var place = township is null ? null : contacts?.Townships.GetValueOrDefault(township);
        List<ChainLink> administrative =
        [
            new(TownshipHead, "乡镇长", township, Named(place?.Head)),
            new(VillageHead, "村委会主任", village, Named(village is null ? null : place?.Villages?.GetValueOrDefault(village))),
        ];
        List<ChainLink> education = [new(CentralSchoolPrincipal, "中心校校长", township, Named(place?.CentralSchoolPrincipal))];
        if (schoolCode is not null)
        {
            education.Add(new(Principal, "校长", schoolName ?? schoolCode, Named(contacts?.Principals.GetValueOrDefault(schoolCode))));
            education.Add(new(Teacher, "责任教师", schoolName ?? schoolCode, Named(teacher)));
        }

        var missing = administrative.Concat(education)
            .Where(l => l.Name is null)
            .Select(l => l.Unit is null ? l.Title : $"{l.Title}（{l.Unit}）")
            .ToList();
        return new ResponsibilityChain(administrative, education, missing);
    }

    private static string? Named(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim();
}
