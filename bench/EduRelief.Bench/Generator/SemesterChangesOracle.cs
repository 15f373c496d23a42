namespace EduRelief.Bench.Generator;

/// <summary>What DOMAIN "A child across semesters" finds between a spring cycle and the next autumn cycle.</summary>
public sealed record ExpectedChanges(int Transferred, int AbsentSchoolAge, int ReferralCandidates, int OutsideCounty, ExpectedSchoolAge AutumnSchoolAge);

/// <summary>
/// The county's school-age children (6 to 15 on the autumn school year's 31 August) of covered households as the autumn
/// cycle finds them, and how a monthly report counts them before any case changes: at a county school (not past
/// compulsory education: 初中 grade 3 or a later stage), on the 外地就学 list, or in no school (a 控辍保学 case; a child
/// whose spring record completed compulsory education is none of these).
/// </summary>
/// <param name="ReturnedAtAutumn">
/// Children in no school in spring (a case each) whom the autumn roster lists, of school age then: their cases close as
/// returned when the autumn cycle is verified.
/// </param>
public sealed record ExpectedSchoolAge(int SchoolAge, int Enrolled, int Outside, int NotInSchool, int ReturnedAtAutumn);

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
    private readonly List<(string? Name, string? Id, string? Stage, string? Grade, string? Boarding)> autumnRows = [];
    private readonly List<(string? Name, string? Id)> povertyRows = [];

    /// <summary>A row of the spring student roster: the first valid occurrence of a number names its school.</summary>
    public void AddSpringStudentRow(string? id, string? schoolCode) => AddFirst(springSchools, id, schoolCode, springCreated);

    /// <summary>A covered child of the spring cycle, as its verification oracle matched them.</summary>
    public void AddPreviousChild(MatchedStudent child) => previous.Add(child);

    public void AddAutumnStudentRow(string? id, string? schoolCode, string? name, string? stage, string? grade, string? boarding)
    {
        AddFirst(autumnSchools, id, schoolCode, autumnCreated);
        autumnRows.Add((name, id, stage, grade, boarding));
    }

    /// <summary>A row of the registry of covered households (the autumn cycle's file is a copy of the spring one).</summary>
    public void AddPovertyRow(string? name, string? id) => povertyRows.Add((name, id));

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

        return new ExpectedChanges(transferred, absent, referrals, outsideCounty, AutumnSchoolAge());
    }

    /// <summary>The autumn cycle verified by its own <see cref="VerificationOracle"/> over the rows as written, then each covered child placed.</summary>
    private ExpectedSchoolAge AutumnSchoolAge()
    {
        var listed = new Dictionary<long, MatchedStudent>();
        var autumn = new VerificationOracle(autumnSchoolYear, autumnCreated) { OnMatched = m => listed[m.Key] = m };
        foreach (var (name, id, stage, grade, boarding) in autumnRows)
        {
            autumn.AddStudentRow(name, id, stage, grade, boarding);
        }

        var covered = new Dictionary<long, DateOnly>();
        foreach (var (name, id) in povertyRows)
        {
            autumn.AddPovertyRow(name, id);
            if (VerificationOracle.TryValidId(VerificationOracle.NormaliseId(id), autumnCreated, out var key, out var birth))
            {
                covered.TryAdd(key, birth);
            }
        }

        var springRecords = previous.ToDictionary(p => p.Key);
        var ageDay = new DateOnly(autumnSchoolYear, 8, 31);
        var springAgeDay = ageDay.AddYears(-1);
        int enrolled = 0, outsideCount = 0, notInSchool = 0, returned = 0;
        foreach (var (key, birth) in covered)
        {
            if (VerificationOracle.AgeOn(birth, ageDay) is < 6 or > 15)
            {
                continue;
            }

            if (listed.TryGetValue(key, out var record))
            {
                if (!PastCompulsory(record.Stage, record.Grade))
                {
                    enrolled++;
                    returned += !springRecords.ContainsKey(key) && VerificationOracle.AgeOn(birth, springAgeDay) is >= 6 and <= 15 ? 1 : 0;
                }
            }
            else if (outside.Contains(key))
            {
                outsideCount++;
            }
            else if (!(springRecords.TryGetValue(key, out var spring) && PastCompulsory(spring.Stage, spring.Grade)))
            {
                notInSchool++;
            }
        }

        return new ExpectedSchoolAge(enrolled + outsideCount + notInSchool, enrolled, outsideCount, notInSchool, returned);
    }

    private static bool PastCompulsory(int stage, int grade) => stage > Junior || (stage == Junior && grade == 3);

    private static void AddFirst(Dictionary<long, string> schools, string? id, string? schoolCode, DateOnly created)
    {
        if (VerificationOracle.TryValidId(VerificationOracle.NormaliseId(id), created, out var key, out _))
        {
            schools.TryAdd(key, (schoolCode ?? "").Trim());
        }
    }
}
