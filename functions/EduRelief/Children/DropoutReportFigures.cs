using System.Globalization;
using EduRelief.Cycles;
using EduRelief.Eligibility;

namespace EduRelief.Children;

/// <summary>
/// One place's figures of a 控辍保学 monthly report (DOMAIN "控辍保学 cases", 月报): school-age children (6 to 15) of
/// covered households, and of them those enrolled in the county, outside the county, home-schooled (送教上门),
/// deferred (延缓入学 or 休学), not in school; returned this month; and 义务教育巩固率.
/// </summary>
public sealed record DropoutFigures(int SchoolAge, int Enrolled, int Outside, int HomeSchooling, int Deferred, int NotInSchool, int Returned)
{
    public static readonly DropoutFigures Zero = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>(enrolled + outside + home schooling + deferred) / school-age, a percentage with one decimal; null without school-age children.</summary>
    public decimal? ConsolidationRate => SchoolAge == 0
        ? null
        : Math.Round(100m * (Enrolled + Outside + HomeSchooling + Deferred) / SchoolAge, 1, MidpointRounding.AwayFromZero);

    public static DropoutFigures operator +(DropoutFigures a, DropoutFigures b) => new(
        a.SchoolAge + b.SchoolAge, a.Enrolled + b.Enrolled, a.Outside + b.Outside, a.HomeSchooling + b.HomeSchooling,
        a.Deferred + b.Deferred, a.NotInSchool + b.NotInSchool, a.Returned + b.Returned);

    /// <summary>The rate as people read it: <c>98.5%</c>, or <c>—</c>.</summary>
    public string RateText => ConsolidationRate is { } rate ? rate.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";
}

/// <summary>A village's figures; certified 义务教育有保障 when no case of its children is open.</summary>
public sealed record VillageFigures(string Village, DropoutFigures Figures)
{
    public bool Certified => Figures.NotInSchool == 0;
}

public sealed record TownshipFigures(string Township, DropoutFigures Figures, IReadOnlyList<VillageFigures> Villages);

/// <summary>A county's report of one month: the figures as they stood at the month's end, by township and village.</summary>
public sealed record DropoutReportContent(string Month, string ReferenceSemester, DropoutFigures County, IReadOnlyList<TownshipFigures> Townships)
{
    public IEnumerable<(string Township, VillageFigures Village)> CertifiedVillages =>
        Townships.SelectMany(t => t.Villages.Where(v => v.Certified).Select(v => (t.Township, v)));
}

/// <summary>Where a child of a covered household was in the reference cycle: listed at a county school, or on its 外地就学 list.</summary>
public enum ReportPlace
{
    Enrolled,
    Outside,

    /// <summary>Listed at a county school but not counted (not 6 to 15, or past compulsory education): nor are the child's cases.</summary>
    NotCounted,
}

/// <summary>
/// A child of the reference cycle (<paramref name="Key"/>: the child registry's row key), of school age and not past
/// compulsory education, listed at a county school or on the 外地就学 list.
/// </summary>
public sealed record ReportChild(string Key, string? Township, string? Village, ReportPlace Place);

/// <summary>The month's figures from the reference cycle's children and the county's cases; pure, so the rules are tested alone.</summary>
public static class DropoutReportFigures
{
    /// <summary>How a place with no name reads in the report.</summary>
    public const string Unnamed = "（未注明）";

    /// <summary>
    /// The month <paramref name="month"/> (its first day) of a county: each child counted once, at the month's end.
    /// A child listed at a county school in the reference cycle is enrolled, one on its 外地就学 list is outside the
    /// county; otherwise the child's case as it stood at the month's end decides: open → not in school, returned →
    /// enrolled (back at school before the next roster shows it), home schooling, deferred, outside the county;
    /// moved out or deceased → no longer a child of the county. A case's child counts only when of school age
    /// (<paramref name="ofSchoolAge"/>). Returned: cases that became <c>returned</c> within the month.
    /// </summary>
    public static DropoutReportContent Compute(
        DateOnly month, Semester reference, IEnumerable<ReportChild> children, IEnumerable<DropoutCaseFact> cases, Func<DropoutCaseFact, bool> ofSchoolAge)
    {
        var (from, end) = Bounds(month);
        var counted = new Dictionary<string, (string Township, string Village, DropoutFigures Figures)>(StringComparer.Ordinal);
        var notCounted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in children)
        {
            if (child.Place == ReportPlace.NotCounted)
            {
                notCounted.Add(child.Key);
                continue;
            }

            counted.TryAdd(child.Key, (Name(child.Township), Name(child.Village), child.Place == ReportPlace.Enrolled ? new(1, 1, 0, 0, 0, 0, 0) : new(1, 0, 1, 0, 0, 0, 0)));
        }

        // A child's latest case opened by the month's end speaks for the child (one the roster lists but does not count: nothing).
        // A case names its child by the registry's row key or by the API's id of it.
        static string KeyOf(DropoutCaseFact c) => ChildIds.RowKeyOf(c.ChildId) ?? c.ChildId;
        foreach (var (key, fact) in cases.Where(c => c.StatusAt(end) is not null && ofSchoolAge(c) && !notCounted.Contains(KeyOf(c)))
                     .GroupBy(KeyOf, StringComparer.Ordinal)
                     .Select(g => (g.Key, g.MaxBy(c => c.History[0].At)!)))
        {
            var returned = fact.History.Any(h => h.Status == DropoutCaseStatuses.Returned && h.At >= from && h.At <= end) ? 1 : 0;
            if (counted.TryGetValue(key, out var known))
            {
                counted[key] = known with { Figures = known.Figures with { Returned = returned } };
                continue;
            }

            DropoutFigures? figures = fact.StatusAt(end) switch
            {
                DropoutCaseStatuses.NotInSchool or DropoutCaseStatuses.Persuading => new(1, 0, 0, 0, 0, 1, 0),
                DropoutCaseStatuses.Returned => new(1, 1, 0, 0, 0, 0, returned),
                DropoutCaseStatuses.HomeSchooling => new(1, 0, 0, 1, 0, 0, 0),
                DropoutCaseStatuses.Deferred => new(1, 0, 0, 0, 1, 0, 0),
                DropoutCaseStatuses.OutsideCounty => new(1, 0, 1, 0, 0, 0, 0),
                _ => null, // moved out, deceased: no longer the county's child
            };
            if (figures is not null)
            {
                counted[key] = (Name(fact.Township), Name(fact.Village), figures);
            }
        }

        var townships = counted.Values
            .GroupBy(c => c.Township, StringComparer.Ordinal)
            .OrderBy(t => t.Key == Unnamed).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Select(t =>
            {
                var villages = t.GroupBy(c => c.Village, StringComparer.Ordinal)
                    .OrderBy(v => v.Key == Unnamed).ThenBy(v => v.Key, StringComparer.Ordinal)
                    .Select(v => new VillageFigures(v.Key, v.Aggregate(DropoutFigures.Zero, (sum, c) => sum + c.Figures)))
                    .ToList();
                return new TownshipFigures(t.Key, villages.Aggregate(DropoutFigures.Zero, (sum, v) => sum + v.Figures), villages);
            })
            .ToList();
        return new DropoutReportContent(
            month.ToString("yyyy-MM", CultureInfo.InvariantCulture), reference.ToString(), townships.Aggregate(DropoutFigures.Zero, (sum, t) => sum + t.Figures), townships);
    }

    /// <summary>The month's first instant and its last whole second, China time.</summary>
    public static (DateTimeOffset From, DateTimeOffset End) Bounds(DateOnly month)
    {
        var first = new DateOnly(month.Year, month.Month, 1);
        var offset = TimeSpan.FromHours(8);
        return (new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), offset), new DateTimeOffset(first.AddMonths(1).ToDateTime(TimeOnly.MinValue), offset).AddSeconds(-1));
    }

    /// <summary>
    /// The cycle whose rosters a month's report reads: the county's latest verified semester that had begun by the
    /// month's end (autumn on 1 September, spring on 1 February); null when none had.
    /// </summary>
    public static Semester? ReferenceSemester(DateOnly month, IEnumerable<Semester> verified)
    {
        var lastDay = new DateOnly(month.Year, month.Month, 1).AddMonths(1).AddDays(-1);
        return SemesterOrder.Newest(verified.Where(s => StartOf(s) <= lastDay));
    }

    public static DateOnly StartOf(Semester semester) => semester.Term == Term.Autumn ? new(semester.Year, 9, 1) : new(semester.Year, 2, 1);

    /// <summary>
    /// Whether a child born on <paramref name="born"/>, whose latest student record is <paramref name="stage"/> grade
    /// <paramref name="grade"/>, counts among the school-age children of <paramref name="semester"/>: aged 6 to 15 on the
    /// school year's day (<see cref="CompulsorySchoolAge"/>) and not past compulsory education (DOMAIN: 初中 grade 3 or a later stage).
    /// </summary>
    public static bool CountsAsSchoolAge(DateOnly born, Semester semester, Eligibility.SchoolStage? stage, int? grade)
    {
        return CompulsorySchoolAge.Covers(Rosters.IdNumbers.AgeOn(born, CompulsorySchoolAge.AgeDay(semester.SchoolYear)))
            && !(stage is { } s && SemesterComparison.CompletedCompulsoryEducation(new PreviousChild(default, "", s, grade ?? 0, false)));
    }

    private static string Name(string? place) => string.IsNullOrWhiteSpace(place) ? Unnamed : place.Trim();
}
