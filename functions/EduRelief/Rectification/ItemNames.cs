using EduRelief.Eligibility;

namespace EduRelief.Rectification;

/// <summary>Who owns an item, its school and the school its outcome names, as a person reads them: school names, not codes.</summary>
public sealed record ItemNames(string Owner, string? School, string? OutcomeSchool)
{
    public static async Task<ItemNames> OfAsync(RectificationItem item, SchoolNameCache schools, CancellationToken cancellationToken) => new(
        await schools.AssigneeAsync(item.Owner, cancellationToken),
        item.SchoolCode is { } school ? await schools.LabelAsync(school, cancellationToken) : null,
        item.OutcomeSchoolCode is { } enrolled ? await schools.LabelAsync(enrolled, cancellationToken) : null);
}
