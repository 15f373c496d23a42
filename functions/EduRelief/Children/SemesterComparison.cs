using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;

namespace EduRelief.Children;

/// <summary>
/// A child of a covered household as the previous cycle's verification saw them: matched in both rosters, with the
/// student record of that cycle. <see cref="Eligible"/> is false for a child whose name mismatch was never confirmed.
/// </summary>
public sealed record PreviousChild(IdNumber IdNumber, string SchoolCode, SchoolStage Stage, int Grade, bool Eligible);

/// <summary>
/// What this cycle knows of the county's children: the school each valid number of its student roster is listed at
/// (the first row, as verification keeps it) and the numbers on its 外地就学 list.
/// </summary>
public sealed record CurrentCycleView(
    Semester Semester,
    IReadOnlyDictionary<IdNumber, string> SchoolOf,
    IReadOnlySet<IdNumber> Outside);

/// <summary>A child listed at another school than in the previous cycle.</summary>
public sealed record TransferredChild(PreviousChild Child, string SchoolCode);

/// <summary>A child eligible last cycle, of compulsory school age and now nowhere: a 控辍保学 case.</summary>
public sealed record AbsentChild(PreviousChild Child, int Age);

/// <summary>What changed between a cycle and the county's previous cycle, for the children of the previous one.</summary>
public sealed record SemesterChanges(
    IReadOnlyList<TransferredChild> Transferred,
    IReadOnlyList<AbsentChild> Absent,
    IReadOnlyList<PreviousChild> ReferralCandidates,
    IReadOnlyList<PreviousChild> Outside);

/// <summary>
/// DOMAIN "A child across semesters": compares a cycle with the county's previous cycle, child by child. Pure: the
/// caller reads both cycles, this decides. Each child of the previous cycle is in exactly one of: still at the same
/// school, <c>transferred</c>, on the 外地就学 list, or in no roster now (then possibly absent or a 两后生 candidate).
/// </summary>
public static class SemesterComparison
{
    /// <param name="previous">The previous cycle's covered children with a student record, one per number.</param>
    /// <param name="previousSemester">The previous cycle's semester: 两后生 are found only from a spring cycle.</param>
    /// <param name="current">This cycle's rosters.</param>
    public static SemesterChanges Compare(IEnumerable<PreviousChild> previous, Semester previousSemester, CurrentCycleView current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var transferred = new List<TransferredChild>();
        var absent = new List<AbsentChild>();
        var referrals = new List<PreviousChild>();
        var outside = new List<PreviousChild>();
        var graduationYear = IsNextAutumn(previousSemester, current.Semester);
        var ageDay = AgeDay(current.Semester);
        foreach (var child in previous)
        {
            if (current.SchoolOf.TryGetValue(child.IdNumber, out var school))
            {
                if (!string.Equals(school, child.SchoolCode, StringComparison.Ordinal))
                {
                    transferred.Add(new TransferredChild(child, school));
                }
            }
            else if (current.Outside.Contains(child.IdNumber))
            {
                outside.Add(child);
            }
            else if (graduationYear && FinishedLastGradeBeforeVocation(child))
            {
                referrals.Add(child);
            }
            else if (child.Eligible && !CompletedCompulsoryEducation(child) && child.IdNumber.AgeOn(ageDay) is var age && IsOfSchoolAge(age))
            {
                absent.Add(new AbsentChild(child, age));
            }
        }

        return new SemesterChanges(transferred, absent, referrals, outside);
    }

    /// <summary>
    /// 31 August of the cycle's school year, the day compulsory school age is taken on (as <see cref="Verifier"/>
    /// does): 2026-autumn and 2027-spring both use 2026-08-31.
    /// </summary>
    public static DateOnly AgeDay(Semester semester) => CompulsorySchoolAge.AgeDay(semester.SchoolYear);

    /// <summary>DOMAIN: "aged 6 to 15" (whole years on <see cref="AgeDay"/>), both ends included.</summary>
    public static bool IsOfSchoolAge(int age) => CompulsorySchoolAge.Covers(age);

    /// <summary>
    /// DOMAIN: "A child whose latest student record is 初中 grade 3 or a later stage (普通高中, 中职, 高校) has completed
    /// compulsory education: never a 控辍保学 case".
    /// </summary>
    public static bool CompletedCompulsoryEducation(PreviousChild child) =>
        child.Stage is SchoolStage.SeniorSecondary or SchoolStage.VocationalSecondary or SchoolStage.Higher
        || IsLastGradeOf(child, SchoolStage.JuniorSecondary);

    /// <summary>
    /// DOMAIN "两后生": "in the last grade of 初中 (grade 3) or 普通高中 (grade 3)" in the spring cycle. Whether the child is
    /// in a roster now is the caller's question.
    /// </summary>
    public static bool FinishedLastGradeBeforeVocation(PreviousChild child) =>
        IsLastGradeOf(child, SchoolStage.JuniorSecondary) || IsLastGradeOf(child, SchoolStage.SeniorSecondary);

    /// <summary>
    /// DOMAIN "两后生": "in a spring cycle and … in no student roster of the next autumn cycle": 2026-spring is followed
    /// by 2026-autumn (the next school year). Any other pair (autumn → spring, or a skipped year) finds no 两后生.
    /// </summary>
    public static bool IsNextAutumn(Semester previous, Semester current) =>
        previous.Term == Term.Spring && current == new Semester(previous.Year, Term.Autumn);

    private static bool IsLastGradeOf(PreviousChild child, SchoolStage stage) =>
        child.Stage == stage && child.Grade == SchoolStages.MaxGrade(stage);
}
