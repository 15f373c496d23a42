namespace EduRelief.Children;

/// <summary>
/// A 控辍保学 case's statuses (DOMAIN "控辍保学 cases"): open while <see cref="NotInSchool"/> or <see cref="Persuading"/>,
/// then exactly one closing outcome, which is the case's status from then on.
/// </summary>
public static class DropoutCaseStatuses
{
    public const string NotInSchool = "not_in_school";
    public const string Persuading = "persuading";
    public const string Returned = "returned";
    public const string HomeSchooling = "home_schooling";
    public const string Deferred = "deferred";
    public const string OutsideCounty = "outside_county";
    public const string MovedOut = "moved_out";
    public const string Deceased = "deceased";

    public static readonly IReadOnlyList<string> Open = [NotInSchool, Persuading];

    public static readonly IReadOnlyList<string> Outcomes = [Returned, HomeSchooling, Deferred, OutsideCounty, MovedOut, Deceased];

    public static bool IsOpen(string status) => Open.Contains(status);
}

/// <summary>
/// What the monthly report and the roll-up read of one case: where the child lives, and every status it has had with
/// the time it took it (oldest first; the first is <see cref="DropoutCaseStatuses.NotInSchool"/> at opening), so a
/// report for a past month reads the case as it stood at that month's end.
/// </summary>
/// <param name="Born">The child's date of birth (from the ID number), so a report can tell whether the child is of school age; null when unknown.</param>
public sealed record DropoutCaseFact(
    string CaseId, string ChildId, string? Township, string? Village, string? SchoolCode, IReadOnlyList<DropoutCaseStatusChange> History, DateOnly? Born = null)
{
    /// <summary>The status at <paramref name="at"/>; null when the case was opened after it.</summary>
    public string? StatusAt(DateTimeOffset at) => History.LastOrDefault(h => h.At <= at)?.Status;
}

public sealed record DropoutCaseStatusChange(DateTimeOffset At, string Status);

/// <summary>The county's 控辍保学 cases, open and closed, as facts (the case store implements it).</summary>
public interface IDropoutCaseSource
{
    IAsyncEnumerable<DropoutCaseFact> ListAsync(string countyCode, CancellationToken cancellationToken);
}
