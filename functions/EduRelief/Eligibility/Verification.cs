using EduRelief.Children;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

public static class DiscrepancyKinds
{
    public const string InvalidId = "invalidId";
    public const string DuplicateId = "duplicateId";
    public const string NameMismatch = "nameMismatch";
    public const string NotEnrolled = "notEnrolled";
    public const string InvalidRow = "invalidRow";

    public static readonly IReadOnlyList<string> All = [InvalidId, DuplicateId, NameMismatch, NotEnrolled, InvalidRow];

    /// <summary>A valid account held by neither the child nor the household: found by the accounts check, not by verification.</summary>
    public const string HolderMismatch = "holderMismatch";

    /// <summary>A child listed at another school than in the county's previous cycle (shown, no action).</summary>
    public const string Transferred = "transferred";

    /// <summary>A child eligible in the previous cycle, of compulsory school age, and in no roster now.</summary>
    public const string AbsentSchoolAge = "absentSchoolAge";

    /// <summary>What the comparison with the county's previous cycle finds (DOMAIN "A child across semesters").</summary>
    public static readonly IReadOnlyList<string> Compared = [Transferred, AbsentSchoolAge];

    /// <summary>The kinds the verification summary counts.</summary>
    public static readonly IReadOnlyList<string> Counted = [.. All, .. Compared];

    /// <summary>
    /// A registered child in no school's roster of the county but on the cycle's 外地就学 list: enrolled elsewhere, so
    /// not <see cref="NotEnrolled"/>. Listed for the 外地就学 ledger, counted apart (<see cref="VerificationCounts.OutsideCounty"/>), no action.
    /// </summary>
    public const string OutsideCounty = "outsideCounty";

    /// <summary>Every kind a cycle's discrepancy list can hold.</summary>
    public static readonly IReadOnlyList<string> Listed = [.. Counted, HolderMismatch, OutsideCounty];

    /// <summary>The kinds a person decides (confirm or reject).</summary>
    public static readonly IReadOnlyList<string> Decided = [NameMismatch, HolderMismatch];
}

/// <summary>A student who is entitled, or would be once a person confirms a name mismatch.</summary>
public sealed record StudentRecord(
    IdNumber IdNumber,
    string Name,
    string SchoolCode,
    string SchoolName,
    SchoolStage Stage,
    int Grade,
    bool Boarding,
    int StudentRow,
    int PovertyRow,
    string PovertyName,
    string HouseholdId,
    string Category,
    IReadOnlyList<Entitlement> Entitlements)
{
    /// <summary>
    /// The names of every kept person of the student's 户编号 in the poverty registry (the student included): who may
    /// hold the account their aid is paid to (DOMAIN "Accounts").
    /// </summary>
    public IReadOnlyList<string> HouseholdNames { get; init; } = [];

    /// <summary>The 乡镇 and 村 of the student's household in the poverty registry (empty for records kept before).</summary>
    public string Township { get; init; } = "";

    public string Village { get; init; } = "";
}

/// <summary>
/// One discrepancy, as reported to people. <see cref="IdNumber"/> is the valid number, kept for follow-up and shown
/// only masked; <see cref="MaskedId"/> is what people read (for an invalid number, as much as can be masked).
/// </summary>
public sealed record Discrepancy(
    string Kind,
    string File,
    Text Reason,
    int? StudentRow = null,
    int? PovertyRow = null,
    string? StudentName = null,
    string? PovertyName = null,
    string? SchoolCode = null,
    string? SchoolName = null,
    IdNumber? IdNumber = null,
    string? MaskedId = null,
    string? Column = null,
    string? Township = null,
    string? Village = null,
    int? Age = null,
    StudentRecord? Student = null)
{
    /// <summary>For an <see cref="DiscrepancyKinds.OutsideCounty"/> child: where it studies (就读省市), and its 学段 and 年级 there; <see cref="SchoolName"/> is the school.</summary>
    public OutsideChild? Outside { get; init; }

    /// <summary>
    /// For a <see cref="DiscrepancyKinds.NotEnrolled"/> child whose record in the county's previous cycle was 初中 grade 3
    /// or a later stage: compulsory education completed, so counted but never a 控辍保学 case.
    /// </summary>
    public bool CompletedCompulsory { get; init; }
}

public sealed record ProgramTotal(int Recipients, Yuan Amount);

public sealed record VerificationCounts(
    int Students,
    int PovertyPersons,
    int Matched,
    int Eligible,
    int PendingReview,
    IReadOnlyDictionary<string, int> Discrepancies,
    IReadOnlyDictionary<string, ProgramTotal> Programs)
{
    /// <summary>Registered children in no school's roster who are on the 外地就学 list (<see cref="DiscrepancyKinds.OutsideCounty"/>).</summary>
    public int OutsideCounty { get; init; }

    public Yuan TotalAmount => Programs.Values.Sum(p => p.Amount);
}

public sealed record VerificationResult(VerificationCounts Counts, IReadOnlyList<StudentRecord> Eligible, IReadOnlyList<Discrepancy> Discrepancies)
{
    /// <summary>
    /// Where this roster lists each followed child (<see cref="Verifier.RunAsync"/>'s <c>followed</c>), by
    /// <see cref="IdNumber.Key"/>: the first row with the valid number, as verification keeps it.
    /// </summary>
    public IReadOnlyDictionary<long, ListedStudent> Followed { get; init; } = new Dictionary<long, ListedStudent>();
}

/// <summary>A student row of the roster: its row number, the name as the school wrote it, and the school.</summary>
public sealed record ListedStudent(int Row, string Name, string SchoolCode, string SchoolName);

/// <summary>
/// The cross-check of the student roster against the poverty registry, exactly as DOMAIN.md counts it. Each roster
/// is read once, as a stream; what is kept in memory is one compact entry per registered person and one 64-bit key
/// per student, so a county of a million students fits comfortably.
/// </summary>
public static class Verifier
{
    // Positions in RosterRow.Values, which follow RosterSchema's column order.
    private static readonly int PovertyId = RosterSchema.IndexOf(RosterKind.Poverty, "身份证号");
    private static readonly int PovertyName = RosterSchema.IndexOf(RosterKind.Poverty, "姓名");
    private static readonly int PovertyHousehold = RosterSchema.IndexOf(RosterKind.Poverty, "户编号");
    private static readonly int PovertyTownship = RosterSchema.IndexOf(RosterKind.Poverty, "乡镇");
    private static readonly int PovertyVillage = RosterSchema.IndexOf(RosterKind.Poverty, "村");
    private static readonly int PovertyCategory = RosterSchema.IndexOf(RosterKind.Poverty, "人员类别");
    private static readonly int StudentName = RosterSchema.IndexOf(RosterKind.Students, "姓名");
    private static readonly int StudentId = RosterSchema.IndexOf(RosterKind.Students, "身份证号");
    private static readonly int StudentSchoolCode = RosterSchema.IndexOf(RosterKind.Students, "学校标识码");
    private static readonly int StudentSchoolName = RosterSchema.IndexOf(RosterKind.Students, "学校名称");
    private static readonly int StudentStage = RosterSchema.IndexOf(RosterKind.Students, "学段");
    private static readonly int StudentGrade = RosterSchema.IndexOf(RosterKind.Students, "年级");
    private static readonly int StudentBoarding = RosterSchema.IndexOf(RosterKind.Students, "是否住校");

    private sealed record PovertyPerson(int Row, string Name, string Household, string Township, string Village, string Category);

    /// <param name="cycleCreated">The China date the cycle was created: no valid birth date is after it.</param>
    /// <param name="schoolYear">The school year whose 31 August decides compulsory school age.</param>
    /// <param name="followed">Keys of children (the previous cycle's) whose row in this roster the caller wants to know,
    /// covered or not: <see cref="VerificationResult.Followed"/>. Awaited only when the students' rows begin, so the
    /// caller's read of them runs while the poverty registry is read.</param>
    /// <param name="outside">The cycle's 外地就学 list, read and checked at upload (<see cref="OutsideList"/>); none when not uploaded.</param>
    public static async Task<VerificationResult> RunAsync(
        IAsyncEnumerable<RosterRow> poverty,
        IAsyncEnumerable<RosterRow> students,
        DateOnly cycleCreated,
        int schoolYear,
        ResolvedPolicy policy,
        CancellationToken cancellationToken,
        Task<IReadOnlySet<long>?>? followed = null,
        IReadOnlyCollection<OutsideChild>? outside = null)
    {
        var discrepancies = new List<Discrepancy>();
        var counts = DiscrepancyKinds.All.ToDictionary(k => k, _ => 0);
        var outsideCounty = 0;
        void Report(Discrepancy d)
        {
            discrepancies.Add(d);
            if (d.Kind == DiscrepancyKinds.OutsideCounty)
            {
                outsideCounty++;
            }
            else
            {
                counts[d.Kind]++;
            }
        }

        // Townships, villages, categories and schools repeat across hundreds of thousands of rows: keep one copy each.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        string Shared(string value) => pool.TryGetValue(value, out var shared) ? shared : pool[value] = value;

        // The registry first: every kept person by key.
        var registered = new Dictionary<long, PovertyPerson>();
        var povertyRows = 0;
        await foreach (var row in poverty.WithCancellation(cancellationToken))
        {
            povertyRows++;
            var problem = IdNumber.TryParse(row[PovertyId], cycleCreated, out var id, out var normalized);
            if (problem != IdProblem.None)
            {
                Report(new Discrepancy(DiscrepancyKinds.InvalidId, RosterFiles.Poverty, IdNumbers.Describe(problem), PovertyRow: row.RowNumber,
                    PovertyName: row[PovertyName], MaskedId: MaskAny(normalized), Column: "身份证号", Township: row[PovertyTownship], Village: row[PovertyVillage]));
                continue;
            }

            var person = new PovertyPerson(row.RowNumber, row[PovertyName], row[PovertyHousehold], Shared(row[PovertyTownship]), Shared(row[PovertyVillage]), Shared(row[PovertyCategory]));
            if (!registered.TryAdd(id.Key, person))
            {
                var first = registered[id.Key];
                Report(new Discrepancy(DiscrepancyKinds.DuplicateId, RosterFiles.Poverty, new Text($"同一身份证号已在第 {first.Row} 行出现", $"the same number appears first on row {first.Row}"), PovertyRow: row.RowNumber,
                    PovertyName: row[PovertyName], IdNumber: id, MaskedId: id.Masked, Column: "身份证号", Township: person.Township, Village: person.Village));
            }
        }

        // Who belongs to each household: an account may be held by any of them.
        var households = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var person in registered.Values)
        {
            var household = person.Household.Trim();
            if (household.Length > 0)
            {
                (households.TryGetValue(household, out var names) ? names : households[household] = []).Add(person.Name);
            }
        }

        // Then the students, matched as they stream past.
        var seen = new HashSet<long>();
        var kept = new HashSet<long>();
        var listed = new Dictionary<long, ListedStudent>();
        var follow = followed is null ? null : await followed;
        var eligible = new List<StudentRecord>();
        var studentRows = 0;
        var matched = 0;
        var pending = 0;
        await foreach (var row in students.WithCancellation(cancellationToken))
        {
            studentRows++;
            var problem = IdNumber.TryParse(row[StudentId], cycleCreated, out var id, out var normalized);
            var school = (Code: Shared(row[StudentSchoolCode]), Name: Shared(row[StudentSchoolName]));
            if (problem != IdProblem.None)
            {
                Report(new Discrepancy(DiscrepancyKinds.InvalidId, RosterFiles.Students, IdNumbers.Describe(problem), StudentRow: row.RowNumber,
                    StudentName: row[StudentName], SchoolCode: school.Code, SchoolName: school.Name, MaskedId: MaskAny(normalized), Column: "身份证号"));
                continue;
            }

            var key = id.Key;
            if (!seen.Add(key))
            {
                Report(new Discrepancy(DiscrepancyKinds.DuplicateId, RosterFiles.Students, new Text("同一身份证号已在前面的行出现", "the same number appears on an earlier row"), StudentRow: row.RowNumber,
                    StudentName: row[StudentName], SchoolCode: school.Code, SchoolName: school.Name, IdNumber: id, MaskedId: id.Masked, Column: "身份证号"));
                continue;
            }

            if (follow?.Contains(key) == true)
            {
                listed[key] = new ListedStudent(row.RowNumber, row[StudentName], school.Code, school.Name);
            }

            var read = ReadFields(row);
            if (read.Fields is not { } fields)
            {
                Report(new Discrepancy(DiscrepancyKinds.InvalidRow, RosterFiles.Students, read.Reason!, StudentRow: row.RowNumber,
                    StudentName: row[StudentName], SchoolCode: school.Code, SchoolName: school.Name, IdNumber: id, MaskedId: id.Masked, Column: read.Column));
                continue;
            }

            kept.Add(key);
            if (!registered.TryGetValue(key, out var person))
            {
                continue; // not from a covered household
            }

            matched++;
            var record = new StudentRecord(id, row[StudentName], school.Code, school.Name, fields.Stage, fields.Grade, fields.Boarding,
                row.RowNumber, person.Row, person.Name, person.Household, person.Category, policy.EntitlementsFor(fields.Stage, fields.Grade, fields.Boarding))
            {
                HouseholdNames = households.TryGetValue(person.Household.Trim(), out var members) ? members : [person.Name],
                Township = person.Township,
                Village = person.Village,
            };
            if (PersonNames.Same(row[StudentName], person.Name))
            {
                eligible.Add(record);
            }
            else
            {
                pending++;
                Report(new Discrepancy(DiscrepancyKinds.NameMismatch, RosterFiles.Students, new Text("两份名册中的姓名不一致", "the names in the two files differ"), StudentRow: row.RowNumber, PovertyRow: person.Row,
                    StudentName: row[StudentName], PovertyName: person.Name, SchoolCode: school.Code, SchoolName: school.Name, IdNumber: id, MaskedId: id.Masked,
                    Township: person.Township, Village: person.Village, Student: record));
            }
        }

        // Registered children in no school's roster: studying outside the county, or of compulsory school age and not enrolled.
        var elsewhere = (outside ?? []).ToDictionary(c => c.IdNumber.Key);
        var ageDay = CompulsorySchoolAge.AgeDay(schoolYear);
        foreach (var (key, person) in registered)
        {
            if (kept.Contains(key))
            {
                continue;
            }

            var id = IdNumber.FromKey(key);
            var age = id.AgeOn(ageDay);
            if (elsewhere.TryGetValue(key, out var away))
            {
                Report(StudiesOutside(away, person, age));
            }
            else if (CompulsorySchoolAge.Covers(age))
            {
                Report(new Discrepancy(DiscrepancyKinds.NotEnrolled, RosterFiles.Poverty, new Text($"{ageDay:yyyy-MM-dd} 时年满 {age} 周岁，但不在任何学校的名册中", $"aged {age} on {ageDay:yyyy-MM-dd} and in no school's roster"), PovertyRow: person.Row,
                    PovertyName: person.Name, IdNumber: id, MaskedId: id.Masked, Township: person.Township, Village: person.Village, Age: age));
            }
        }

        discrepancies.Sort((a, b) => (a.File, a.StudentRow ?? a.PovertyRow ?? 0).CompareTo((b.File, b.StudentRow ?? b.PovertyRow ?? 0)));
        var verification = new VerificationCounts(studentRows, povertyRows, matched, eligible.Count, pending, counts, Totals(eligible)) { OutsideCounty = outsideCounty };
        return new VerificationResult(verification, eligible, discrepancies) { Followed = listed };
    }

    private static Discrepancy StudiesOutside(OutsideChild away, PovertyPerson person, int age) =>
        new(DiscrepancyKinds.OutsideCounty, RosterFiles.Outside,
            new Text($"外地就学名单第 {away.Row} 行：在{away.Place}{away.School}就读（{SchoolStages.Chinese(away.Stage)} {away.Grade} 年级）",
                $"row {away.Row} of the 外地就学 list: studies at {away.School}, {away.Place} ({SchoolStages.Chinese(away.Stage)} grade {away.Grade})"),
            PovertyRow: person.Row, StudentName: away.Name, PovertyName: person.Name, SchoolName: away.School, IdNumber: away.IdNumber, MaskedId: away.IdNumber.Masked,
            Township: person.Township, Village: person.Village, Age: age)
        { Outside = away };

    public static IReadOnlyDictionary<string, ProgramTotal> Totals(IEnumerable<StudentRecord> eligible)
    {
        var totals = new SortedDictionary<string, ProgramTotal>(StringComparer.Ordinal);
        foreach (var e in eligible.SelectMany(s => s.Entitlements))
        {
            var t = totals.GetValueOrDefault(e.Program, new ProgramTotal(0, Yuan.Zero));
            totals[e.Program] = new ProgramTotal(t.Recipients + 1, t.Amount + e.Amount);
        }

        return totals;
    }

    private readonly record struct StudentFields(SchoolStage Stage, int Grade, bool Boarding);

    /// <summary>学段, 年级 and 是否住校, or the first column that cannot be read and why.</summary>
    private static (StudentFields? Fields, string? Column, Text? Reason) ReadFields(RosterRow row)
    {
        var (stage, grade, column, reason) = SchoolStages.ReadStageAndGrade(row[StudentStage], row[StudentGrade]);
        if (reason is not null)
        {
            return (null, column, reason);
        }

        var boarding = row[StudentBoarding].Trim();
        if (boarding is not ("是" or "否"))
        {
            return (null, "是否住校", new Text($"是否住校填写为“{boarding}”，应为“是”或“否”", $"是否住校 is '{boarding}', not 是 or 否"));
        }

        return (new StudentFields(stage, grade, boarding == "是"), null, null);
    }

    /// <summary>Masks whatever was in the cell, valid or not, so that no full number is ever shown.</summary>
    public static string MaskAny(string normalized) =>
        // Only an 18-character value shows its ends; anything else (a phone number typed into the column) shows nothing.
        normalized.Length == 18 ? normalized[..6] + "********" + normalized[^4..] : new string('*', normalized.Length);
}
