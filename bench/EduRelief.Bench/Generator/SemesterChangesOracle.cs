namespace EduRelief.Bench.Generator;

/// <summary>What DOMAIN "A child across semesters" finds between a spring cycle and the next autumn cycle.</summary>
public sealed record ExpectedChanges(int Transferred, int AbsentSchoolAge, int ReferralCandidates, int OutsideCounty);

/// <summary>
/// DOMAIN "A child across semesters" applied to the cell texts of two consecutive cycles as written, like
/// <see cref="VerificationOracle"/> and independent of the app's code. The spring cycle's covered children are the
/// students its verification oracle matched (<see cref="AddPreviousChild"/>), each at the school of the first row
/// with their valid number; a number is in the autumn roster or on the 外地就学 list when any row holds it valid.
/// Spring is followed by its own autumn, so 两后生 are always looked for.
/// </summary>
public sealed class SemesterChangesOracle(DateOnly springCreated, DateOnly autumnCreated, int autumnSchoolYear)
{
    private const int Junior = 2, Senior = 3;

    private readonly Dictionary<long, string> springSchools = [];
    private readonly List<MatchedStudent> previous = [];
    private readonly Dictionary<long, string> autumnSchools = [];
    private readonly HashSet<long> outside = [];

    /// <summary>A row of the spring student roster: the first valid occurrence of a number names its school.</summary>
    public void AddSpringStudentRow(string? id, string? schoolCode) => AddFirst(springSchools, id, schoolCode, springCreated);

    /// <summary>A covered child of the spring cycle, as its verification oracle matched them.</summary>
    public void AddPreviousChild(MatchedStudent child) => previous.Add(child);

    public void AddAutumnStudentRow(string? id, string? schoolCode) => AddFirst(autumnSchools, id, schoolCode, autumnCreated);

    public void AddOutsideRow(string? id)
    {
        if (VerificationOracle.TryValidId(VerificationOracle.NormaliseId(id), autumnCreated, out var key, out _))
        {
            outside.Add(key);
        }
    }

    public ExpectedChanges Result()
    {
        int transferred = 0, absent = 0, referrals = 0, outsideCounty = 0;
        var ageDay = new DateOnly(autumnSchoolYear, 8, 31);
        foreach (var child in previous)
        {
            if (autumnSchools.TryGetValue(child.Key, out var school))
            {
                transferred += school == springSchools[child.Key] ? 0 : 1;
            }
            else if (outside.Contains(child.Key))
            {
                outsideCounty++;
            }
            else if (child.Grade == 3 && child.Stage is Junior or Senior)
            {
                referrals++;
            }
            else if (child.Eligible && child.Stage <= Junior && VerificationOracle.AgeOn(child.Birth, ageDay) is >= 6 and <= 15)
            {
                absent++; // 学前, 小学, 初中 grades 1 and 2: 初中 grade 3 was a 两后生 above
            }
        }

        return new ExpectedChanges(transferred, absent, referrals, outsideCounty);
    }

    private static void AddFirst(Dictionary<long, string> schools, string? id, string? schoolCode, DateOnly created)
    {
        if (VerificationOracle.TryValidId(VerificationOracle.NormaliseId(id), created, out var key, out _))
        {
            schools.TryAdd(key, (schoolCode ?? "").Trim());
        }
    }
}
