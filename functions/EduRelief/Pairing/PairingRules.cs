using System.Globalization;
using EduRelief.Cycles;

namespace EduRelief.Pairing;

/// <summary>The special groups a school flags a child in (DOMAIN "结对帮扶"): each flagged child is paired too.</summary>
public static class SpecialGroups
{
    public const string Disabled = "残疾";
    public const string LeftBehind = "留守";
    public const string Struggling = "学困";
    public const string Migrant = "随迁";

    public static readonly IReadOnlyList<string> All = [Disabled, LeftBehind, Struggling, Migrant];
}

/// <summary>What a record is: 家访, 帮扶 (tutoring, counselling) or a phone call.</summary>
public static class RecordKinds
{
    public const string HomeVisit = "home_visit";
    public const string Help = "help";
    public const string Phone = "phone";

    public static readonly IReadOnlyList<string> All = [HomeVisit, Help, Phone];

    public static string Label(string kind) => kind switch
    {
        HomeVisit => "家访",
        Help => "帮扶",
        Phone => "电话联系",
        _ => kind,
    };
}

/// <summary>The automatic proposal: pure, so it is tested directly.</summary>
public static class PairingProposal
{
    /// <summary>
    /// For each child (by key) that has no active teacher among <paramref name="current"/>, the active teacher with the
    /// fewest children so far (the current pairings of active teachers count, then each assignment made), ties broken
    /// by teacher id; children are taken in key order, so the same input always gives the same proposal. Children
    /// with an active teacher keep theirs: proposing twice changes nothing. No active teacher: no proposal.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Propose(IReadOnlyDictionary<string, IReadOnlyList<string>> current, IReadOnlyCollection<string> activeTeachers)
    {
        var proposal = new Dictionary<string, string>(StringComparer.Ordinal);
        if (activeTeachers.Count == 0)
        {
            return proposal;
        }

        var active = activeTeachers.ToHashSet(StringComparer.Ordinal);
        var load = activeTeachers.Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => 0, StringComparer.Ordinal);
        foreach (var teachers in current.Values)
        {
            foreach (var t in teachers.Where(active.Contains))
            {
                load[t]++;
            }
        }

        foreach (var child in current.Keys.Order(StringComparer.Ordinal))
        {
            if (current[child].Any(active.Contains))
            {
                continue;
            }

            var teacher = load.OrderBy(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal).First().Key;
            proposal[child] = teacher;
            load[teacher]++;
        }

        return proposal;
    }
}

/// <summary>Whether a period's standard is met: met, missed (ended without), or due (under way, not met yet).</summary>
public static class PeriodStatuses
{
    public const string Met = "met";
    public const string Missed = "missed";
    public const string Due = "due";
}

/// <summary>One week (help) or month (home visit) of a child's standard.</summary>
public sealed record PeriodStatus(string Period, DateOnly From, DateOnly To, string Status);

/// <summary>A record as the standard counts it: kind and date, and the record it corrects (which then no longer counts).</summary>
public sealed record CountedRecord(string Id, string Kind, DateOnly Date, string? Corrects);

/// <summary>
/// The standard (DOMAIN "结对帮扶"): per paired child at least one <c>help</c> record each ISO calendar week and one
/// <c>home_visit</c> each calendar month, from the cycle's approval until the semester ends (autumn: 31 January of the
/// next year; spring: 31 July). The first week and month are those of the approval day, the last those of the semester's
/// end. A record corrected by a later one no longer counts; the correction counts with its own kind and date. Pure.
/// </summary>
public static class PairingStandard
{
    public static DateOnly SemesterEnd(Semester semester) => semester.Term == Term.Autumn
        ? new DateOnly(semester.Year + 1, 1, 31)
        : new DateOnly(semester.Year, 7, 31);

    /// <summary>The records that count: every record no later record corrects.</summary>
    public static IReadOnlyList<CountedRecord> Effective(IEnumerable<CountedRecord> records)
    {
        var list = records.ToList();
        var corrected = list.Where(r => r.Corrects is not null).Select(r => r.Corrects!).ToHashSet(StringComparer.Ordinal);
        return [.. list.Where(r => !corrected.Contains(r.Id))];
    }

    /// <summary>Each ISO week from the approval's to <paramref name="today"/>'s (at most the semester end's), with its status.</summary>
    public static IReadOnlyList<PeriodStatus> Weeks(DateOnly approved, DateOnly semesterEnd, DateOnly today, IEnumerable<CountedRecord> records)
    {
        var help = Effective(records).Where(r => r.Kind == RecordKinds.Help).Select(r => r.Date).ToList();
        var result = new List<PeriodStatus>();
        var last = Min(today, semesterEnd);
        for (var monday = Monday(approved); monday <= last; monday = monday.AddDays(7))
        {
            var sunday = monday.AddDays(6);
            var met = help.Any(d => d >= monday && d <= sunday);
            var iso = ISOWeek.GetYear(monday.ToDateTime(TimeOnly.MinValue));
            var week = ISOWeek.GetWeekOfYear(monday.ToDateTime(TimeOnly.MinValue));
            result.Add(new PeriodStatus(string.Create(CultureInfo.InvariantCulture, $"{iso}-W{week:D2}"), monday, sunday, Status(met, sunday, today)));
        }

        return result;
    }

    /// <summary>Each calendar month from the approval's to <paramref name="today"/>'s (at most the semester end's), with its status.</summary>
    public static IReadOnlyList<PeriodStatus> Months(DateOnly approved, DateOnly semesterEnd, DateOnly today, IEnumerable<CountedRecord> records)
    {
        var visits = Effective(records).Where(r => r.Kind == RecordKinds.HomeVisit).Select(r => r.Date).ToList();
        var result = new List<PeriodStatus>();
        var last = Min(today, semesterEnd);
        for (var first = new DateOnly(approved.Year, approved.Month, 1); first <= last; first = first.AddMonths(1))
        {
            var end = first.AddMonths(1).AddDays(-1);
            var met = visits.Any(d => d >= first && d <= end);
            result.Add(new PeriodStatus(first.ToString("yyyy-MM", CultureInfo.InvariantCulture), first, end, Status(met, end, today)));
        }

        return result;
    }

    /// <summary>入户走访率 as a percentage with one decimal: children with a home visit this semester over paired children; null for none paired.</summary>
    public static decimal? VisitRate(int visited, int paired) =>
        paired == 0 ? null : Math.Round(visited * 100m / paired, 1, MidpointRounding.AwayFromZero);

    public static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private static string Status(bool met, DateOnly periodEnd, DateOnly today) =>
        met ? PeriodStatuses.Met : periodEnd < today ? PeriodStatuses.Missed : PeriodStatuses.Due;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
