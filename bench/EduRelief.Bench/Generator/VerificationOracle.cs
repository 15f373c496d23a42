using System.Globalization;
using System.Runtime.InteropServices;

namespace EduRelief.Bench.Generator;

/// <summary>A covered child with a usable student row: <see cref="Stage"/> indexes <see cref="CountyLayout.StageNames"/>.</summary>
public readonly record struct MatchedStudent(long Key, DateOnly Birth, int Stage, int Grade, bool Eligible);

/// <summary>
/// The DOMAIN.md verification rules applied row by row to the cell texts exactly as written to the files (the text a
/// reader gets back: for an XLSX numeric cell, the literal in its &lt;v&gt;). It never sees what the generator meant to
/// inject, so defects that collide (a duplicate of a row whose number was corrupted, a typo on both sides, a covered
/// child whose roster row is unreadable) are counted by the rules, not by intent. Independent of the app's code.
/// <para>
/// Order per row: <c>invalidId</c> first; then <c>duplicateId</c> (the number appeared in any earlier row of the same
/// file with a valid number, <b>including an earlier row that was then an invalidRow</b>: "appeared" is about the
/// number, not about the row being usable); then, for student rows only, <c>invalidRow</c>. So a row whose valid
/// number already appeared is a duplicateId even when its other fields are bad too, and a person whose first row is
/// unreadable is not rescued by a later, readable row (that later row is a duplicateId).
/// </para>
/// <para>
/// Students must all be added before the first poverty person. Memory: one dictionary entry per distinct valid student
/// number (about 30 bytes) plus its normalised name in a shared character pool, one long per poverty person.
/// </para>
/// </summary>
public sealed class VerificationOracle
{
    public const string Preschool = "学前";
    public const string Primary = "小学";
    public const string Junior = "初中";
    public const string Senior = "普通高中";
    public const string Vocational = "中职";
    public const string College = "高校";

    public static readonly IReadOnlyList<string> ProgramCodes = ["preschool_aid", "living_subsidy", "hs_grant", "vocational_grant", "college_grant"];

    private static readonly string[] Stages = [Preschool, Primary, Junior, Senior, Vocational, College];
    private static readonly int[] MaxGrade = [3, 6, 3, 3, 3, 5];

    private readonly int schoolYear;
    private readonly DateOnly cycleCreated;
    private readonly DateOnly ageReference;
    private readonly Dictionary<long, StudentCell> students;
    private readonly HashSet<long> povertySeen;
    private char[] namePool;
    private int namePoolLength;
    private bool povertyStarted;

    private int studentRows, povertyRows, invalidId, duplicateId, invalidRow, matched, eligible, nameMismatch, notEnrolled;
    private readonly int[] recipients = new int[5];
    private readonly decimal[] amounts = new decimal[5];

    [StructLayout(LayoutKind.Auto)]
    private struct StudentCell
    {
        public int NameOffset;
        public ushort NameLength;
        public sbyte Stage;
        public byte Grade;
        public bool Boarding;
    }

    /// <summary>Told of every matched student (a covered child with a usable student row), eligible or pending review.</summary>
    public Action<MatchedStudent>? OnMatched { get; init; }

    /// <summary>Each poverty row's name and number texts as written (a later cycle's copy of the registry replays them).</summary>
    public Action<string?, string?>? OnPovertyRow { get; init; }

    public VerificationOracle(int schoolYear, DateOnly cycleCreated, int expectedStudents = 0, int expectedPovertyPersons = 0)
    {
        this.schoolYear = schoolYear;
        this.cycleCreated = cycleCreated;
        ageReference = new DateOnly(schoolYear, 8, 31);
        students = new Dictionary<long, StudentCell>(expectedStudents);
        povertySeen = new HashSet<long>(expectedPovertyPersons);
        namePool = new char[Math.Max(1024, expectedStudents * 3)];
    }

    /// <summary>One data row of the student roster, cells as read (null = cell absent).</summary>
    public void AddStudentRow(string? name, string? id, string? stage, string? grade, string? boarding)
    {
        if (povertyStarted)
        {
            throw new InvalidOperationException("All student rows come before the first poverty row.");
        }

        studentRows++;
        if (!TryValidId(NormaliseId(id), cycleCreated, out var key, out _))
        {
            invalidId++;
            return;
        }

        ref var cell = ref CollectionsMarshal.GetValueRefOrAddDefault(students, key, out var exists);
        if (exists)
        {
            duplicateId++;
            return;
        }

        var stageIndex = Array.IndexOf(Stages, Trim(stage));
        var gradeText = Trim(grade);
        var boardingText = Trim(boarding);
        if (stageIndex < 0
            || !int.TryParse(gradeText, NumberStyles.None, CultureInfo.InvariantCulture, out var gradeNumber)
            || gradeNumber < 1 || gradeNumber > MaxGrade[stageIndex]
            || (boardingText != "是" && boardingText != "否"))
        {
            invalidRow++;
            cell.Stage = -1; // the number has appeared, the row takes no further part
            return;
        }

        var normalisedName = NormaliseName(name);
        if (namePoolLength + normalisedName.Length > namePool.Length)
        {
            Array.Resize(ref namePool, Math.Max(namePool.Length * 2, namePoolLength + normalisedName.Length));
        }

        normalisedName.CopyTo(namePool.AsSpan(namePoolLength));
        cell.NameOffset = namePoolLength;
        cell.NameLength = (ushort)normalisedName.Length;
        namePoolLength += normalisedName.Length;
        cell.Stage = (sbyte)stageIndex;
        cell.Grade = (byte)gradeNumber;
        cell.Boarding = boardingText == "是";
    }

    /// <summary>One data row of the poverty registry.</summary>
    public void AddPovertyRow(string? name, string? id)
    {
        OnPovertyRow?.Invoke(name, id);
        povertyStarted = true;
        povertyRows++;
        if (!TryValidId(NormaliseId(id), cycleCreated, out var key, out var birth))
        {
            invalidId++;
            return;
        }

        if (!povertySeen.Add(key))
        {
            duplicateId++;
            return;
        }

        if (students.TryGetValue(key, out var cell) && cell.Stage >= 0)
        {
            matched++;
            var sameName = NormaliseName(name).AsSpan().SequenceEqual(namePool.AsSpan(cell.NameOffset, cell.NameLength));
            OnMatched?.Invoke(new MatchedStudent(key, birth, cell.Stage, cell.Grade, sameName));
            if (!sameName)
            {
                nameMismatch++;
                return;
            }

            eligible++;
            var (program, amount) = Entitlement(cell.Stage, cell.Grade, cell.Boarding);
            if (program >= 0)
            {
                recipients[program]++;
                amounts[program] += amount;
            }

            return;
        }

        var age = AgeOn(birth, ageReference);
        if (age is >= 6 and <= 15)
        {
            notEnrolled++;
        }
    }

    public Expected Result()
    {
        var programs = new Dictionary<string, (int Recipients, decimal Amount)>();
        for (var i = 0; i < ProgramCodes.Count; i++)
        {
            programs[ProgramCodes[i]] = (recipients[i], amounts[i]);
        }

        return new Expected(
            studentRows,
            povertyRows,
            matched,
            eligible,
            nameMismatch,
            new Dictionary<string, int>
            {
                ["invalidId"] = invalidId,
                ["duplicateId"] = duplicateId,
                ["nameMismatch"] = nameMismatch,
                ["notEnrolled"] = notEnrolled,
                ["invalidRow"] = invalidRow,
            },
            programs,
            amounts.Sum());
    }

    /// <summary>The school year the ages are taken in (its 31 August).</summary>
    public int SchoolYear => schoolYear;

    /// <summary>Default policy, school year 2026: (index into <see cref="ProgramCodes"/> or -1, yuan).</summary>
    private static (int Program, decimal Amount) Entitlement(int stage, int grade, bool boarding) => Stages[stage] switch
    {
        Preschool => (0, 500m),
        Primary => (1, boarding ? 625m : 312.50m),
        Junior => (1, boarding ? 750m : 375m),
        Senior => (2, 1150m),
        Vocational => grade <= 2 ? (3, 1150m) : (-1, 0m),
        College => (4, 1850m),
        _ => (-1, 0m),
    };

    public static int AgeOn(DateOnly birth, DateOnly day)
    {
        var age = day.Year - birth.Year;
        if (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day))
        {
            age--;
        }

        return age;
    }

    private static string Trim(string? value) => (value ?? "").Trim();

    /// <summary>DOMAIN step 1: drop every ASCII space and U+3000 and surrounding whitespace, full-width digits and Ｘ/ｘ to ASCII, x to X.</summary>
    public static string NormaliseId(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        Span<char> chars = raw.Length <= 256 ? stackalloc char[raw.Length] : new char[raw.Length];
        var n = 0;
        foreach (var c in raw.AsSpan().Trim())
        {
            if (c is ' ' or '\u3000')
            {
                continue;
            }

            chars[n++] = c switch
            {
                >= '０' and <= '９' => (char)('0' + (c - '０')),
                'Ｘ' or 'ｘ' or 'x' => 'X',
                _ => c,
            };
        }

        return new string(chars[..n]);
    }

    /// <summary>DOMAIN step 2 on a normalised number; the key is the first 17 digits as a number.</summary>
    public static bool TryValidId(string id, DateOnly cycleCreated, out long key, out DateOnly birth)
    {
        key = 0;
        birth = default;
        if (id.Length != 18)
        {
            return false;
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
            {
                return false;
            }
        }

        if (!char.IsAsciiDigit(id[17]) && id[17] != 'X')
        {
            return false;
        }

        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birth)
            || birth > cycleCreated || birth < new DateOnly(1900, 1, 1))
        {
            return false;
        }

        if (IdNumbers.CheckChar(id) != id[17])
        {
            return false;
        }

        key = long.Parse(id.AsSpan(0, 17), NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>DOMAIN name rule: remove spaces and U+3000, treat • and ． as ·.</summary>
    public static string NormaliseName(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        var chars = new char[raw.Length];
        var n = 0;
        foreach (var c in raw.AsSpan().Trim())
        {
            if (c is ' ' or '\u3000')
            {
                continue;
            }

            chars[n++] = c is '•' or '．' ? '·' : c;
        }

        return new string(chars, 0, n);
    }
}
