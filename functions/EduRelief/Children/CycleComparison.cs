using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters;

namespace EduRelief.Children;

/// <summary>A cycle compared with the county's previous cycle: what changed, and the previous cycle's children by number.</summary>
public sealed class ComparedCycle(PreviousCycle previous, Semester current, SemesterChanges changes)
{
    private readonly Dictionary<IdNumber, RegisteredChild> _registered = previous.Children.ToDictionary(c => c.Child.IdNumber, c => c.Registered);

    public PreviousCycle Previous { get; } = previous;

    public Semester Current { get; } = current;

    public SemesterChanges Changes { get; } = changes;

    public RegisteredChild Registered(IdNumber idNumber) => _registered[idNumber];
}

/// <summary>
/// DOMAIN "A child across semesters" at verification: the cycle's roster against the county's previous cycle in the
/// registry. Pure: <see cref="Compare"/> decides from the previous cycle and the run's result, <see cref="Apply"/>
/// adds a <c>transferred</c> and an <c>absentSchoolAge</c> discrepancy per child to the run's list and counts, and marks
/// the <c>notEnrolled</c> children who completed compulsory education.
/// </summary>
public static class CycleComparison
{
    /// <summary>The keys the verifier follows through this roster: the previous cycle's children.</summary>
    public static IReadOnlySet<long> Followed(PreviousCycle previous) => previous.Children.Select(c => c.Child.IdNumber.Key).ToHashSet();

    /// <summary>
    /// Compares with the rows the verifier found for the followed children and the cycle's 外地就学 list: a child on it
    /// studies outside the county, neither absent nor a 两后生 candidate.
    /// </summary>
    public static ComparedCycle Compare(PreviousCycle previous, Semester current, VerificationResult result, IEnumerable<OutsideChild> outside)
    {
        var schoolOf = result.Followed.ToDictionary(f => IdNumber.FromKey(f.Key), f => f.Value.SchoolCode);
        var view = new CurrentCycleView(current, schoolOf, outside.Select(c => c.IdNumber).ToHashSet());
        return new ComparedCycle(previous, current, SemesterComparison.Compare(previous.Children.Select(c => c.Child), previous.Semester, view));
    }

    /// <summary>The 两后生 the comparison found, with their spring record: name, school, 乡镇 and 村 as the registry holds them.</summary>
    public static IEnumerable<ReferralCandidate> ReferralCandidates(ComparedCycle compared) =>
        compared.Changes.ReferralCandidates.Select(c =>
        {
            var r = compared.Registered(c.IdNumber);
            return new ReferralCandidate(c.IdNumber, r.Name, c.SchoolCode, r.SchoolName, c.Stage, c.Grade, NullIfEmpty(r.Township), NullIfEmpty(r.Village));
        });

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>The run's result with the comparison's discrepancies after its own, and their counts.</summary>
    public static VerificationResult Apply(VerificationResult result, ComparedCycle compared)
    {
        var added = Discrepancies(compared, result.Followed).ToList();
        var counts = new Dictionary<string, int>(result.Counts.Discrepancies);
        foreach (var kind in DiscrepancyKinds.Compared)
        {
            counts[kind] = added.Count(d => d.Kind == kind);
        }

        // A child whose previous record completed compulsory education (初中 grade 3 or a later stage) stays notEnrolled
        // in the count, which sees one cycle, but is no 控辍保学 case (DOMAIN "A child across semesters").
        var completed = compared.Previous.Children
            .Where(c => SemesterComparison.CompletedCompulsoryEducation(c.Child))
            .Select(c => c.Child.IdNumber.Key)
            .ToHashSet();
        var own = result.Discrepancies.Select(d =>
            d.Kind == DiscrepancyKinds.NotEnrolled && d.IdNumber is { } id && completed.Contains(id.Key) ? d with { CompletedCompulsory = true } : d);
        return result with { Discrepancies = [.. own, .. added], Counts = result.Counts with { Discrepancies = counts } };
    }

    /// <summary>One row per transferred child (at their new school) and per absent child (at their previous school).</summary>
    public static IEnumerable<Discrepancy> Discrepancies(ComparedCycle compared, IReadOnlyDictionary<long, ListedStudent> listed)
    {
        var previousCycle = compared.Previous.Semester.ToString();
        foreach (var t in compared.Changes.Transferred)
        {
            var before = compared.Registered(t.Child.IdNumber).Latest!;
            var now = listed[t.Child.IdNumber.Key];
            yield return new Discrepancy(DiscrepancyKinds.Transferred, RosterFiles.Students,
                new Text($"{previousCycle} 在{before.SchoolName}就读，本周期在{now.SchoolName}", $"at {before.SchoolName} in {previousCycle}, now at {now.SchoolName}"),
                StudentRow: now.Row, StudentName: now.Name, SchoolCode: now.SchoolCode, SchoolName: now.SchoolName,
                IdNumber: t.Child.IdNumber, MaskedId: t.Child.IdNumber.Masked);
        }

        var ageDay = SemesterComparison.AgeDay(compared.Current);
        foreach (var a in compared.Changes.Absent)
        {
            var registered = compared.Registered(a.Child.IdNumber);
            var before = registered.Latest!;
            yield return new Discrepancy(DiscrepancyKinds.AbsentSchoolAge, RosterFiles.Students,
                new Text($"{previousCycle} 在{before.SchoolName}就读并享受资助，{ageDay:yyyy-MM-dd} 时年满 {a.Age} 周岁，本周期不在任何学校的名册中",
                    $"at {before.SchoolName} and eligible in {previousCycle}, aged {a.Age} on {ageDay:yyyy-MM-dd}, and in no school's roster now"),
                StudentName: before.Name, SchoolCode: before.SchoolCode, SchoolName: before.SchoolName, IdNumber: a.Child.IdNumber, MaskedId: a.Child.IdNumber.Masked,
                Township: registered.Township, Village: registered.Village, Age: a.Age);
        }
    }
}
