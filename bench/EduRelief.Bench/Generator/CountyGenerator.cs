using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>A student row's cells that verification reads, as text.</summary>
public readonly record struct StudentRowText(string? Name, string? Id, string? Stage, string? Grade, string? Boarding);

/// <summary>A poverty-registry row's cells that verification reads, as text.</summary>
public readonly record struct PovertyRowText(string? Name, string? Id);

/// <summary>
/// Generates a county deterministically from <see cref="CountySpec.Seed"/>: the 学籍 roster of its schools and the
/// 防返贫 registry of its covered households, written as the government systems export them (GBK or UTF-8 with BOM
/// CSV with CRLF, or XLSX), with the defects real exports have, and the verification result the DOMAIN rules give for
/// exactly those rows (see <see cref="VerificationOracle"/>). Rows are streamed: memory is per-person compact state
/// (the oracle's dictionary, the covered students awaiting their households), not rows.
/// </summary>
public static class CountyGenerator
{
    public static readonly string[] StudentHeader = ["姓名", "性别", "身份证号", "学校标识码", "学校名称", "学段", "年级", "班级", "是否住校", "备注"];

    /// <summary>Column order differs from DOMAIN's list on purpose (order is free), two extra columns, one header with a
    /// trailing space (headers match after trimming).</summary>
    public static readonly string[] PovertyHeader = ["序号", "乡镇", "村", "户编号", "姓名", "性别", "与户主关系", "身份证号", "人员类别 "];

    public static GeneratedCounty Write(CountySpec spec, string directory, DateOnly cycleCreated) =>
        WriteCycle(spec, directory, cycleCreated, null).County;

    /// <summary>
    /// One cycle's files. With <paramref name="semesters"/>, also remembers each new pupil and each row for the next
    /// cycle; that consumes no randomness, so the files are byte for byte those of <see cref="Write"/>.
    /// </summary>
    internal static (GeneratedCounty County, GenerationContext Context, Rng Root) WriteCycle(CountySpec spec, string directory, DateOnly cycleCreated, SemesterRecorder? semesters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.CountyCode.Length != 6 || !spec.CountyCode.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("CountyCode must be 6 digits.", nameof(spec));
        }

        if (spec.Students < 0)
        {
            throw new ArgumentException("Students must not be negative.", nameof(spec));
        }

        Directory.CreateDirectory(directory);
        var root = new Rng(spec.Seed);
        var layout = CountyLayout.Create(spec, root.Fork(1));
        var context = new GenerationContext(spec, layout, cycleCreated, root.Fork(2));
        var extras = (int)Math.Round(spec.Students * spec.ExtraPovertyPersonsPer1000Students / 1000.0);
        var oracle = new VerificationOracle(spec.SchoolYear, cycleCreated, spec.Students, (int)(spec.Students * spec.PovertyShareOfStudents) + extras)
        {
            OnMatched = semesters is null ? null : semesters.Changes.AddPreviousChild,
            OnPovertyRow = semesters is null ? null : semesters.Changes.AddPovertyRow,
        };

        var studentsPath = Path.Combine(directory, "students" + Extension(spec.StudentFormat));
        var povertyPath = Path.Combine(directory, "poverty" + Extension(spec.PovertyFormat));
        List<CoveredStudent> covered;
        using (var writer = RowWriter.Create(studentsPath, spec.StudentFormat, spec.Gbk, "学生名单", StudentHeader.Concat(layout.CommonTexts())))
        {
            covered = new StudentRosterWriter(context, writer, oracle, spec.StudentFormat == RosterOutput.Xlsx, semesters).Write();
        }

        using (var writer = RowWriter.Create(povertyPath, spec.PovertyFormat, spec.Gbk, "人员信息", PovertyHeader.Concat(layout.CommonTexts())))
        {
            new PovertyRegistryWriter(context, writer, oracle, spec.PovertyFormat == RosterOutput.Xlsx).Write(covered, extras);
        }

        return (new GeneratedCounty(studentsPath, povertyPath, oracle.Result()), context, root);
    }

    /// <summary>The DOMAIN verification of rows given as text (all students first, then the registry).</summary>
    public static Expected Compute(IEnumerable<StudentRowText> students, IEnumerable<PovertyRowText> poverty, int schoolYear, DateOnly cycleCreated)
    {
        var oracle = new VerificationOracle(schoolYear, cycleCreated);
        foreach (var s in students)
        {
            oracle.AddStudentRow(s.Name, s.Id, s.Stage, s.Grade, s.Boarding);
        }

        foreach (var p in poverty)
        {
            oracle.AddPovertyRow(p.Name, p.Id);
        }

        return oracle.Result();
    }

    private static string Extension(RosterOutput format) => format == RosterOutput.Csv ? ".csv" : ".xlsx";
}

/// <summary>A student from a covered household, remembered from the roster until the registry is written.</summary>
internal sealed record CoveredStudent(string Id, string Name, bool Male, DateOnly Birth, int Township, string FamilyKey, bool Minority);

/// <summary>Shared state and the ways a number or a birth date is made and written.</summary>
internal sealed class GenerationContext(CountySpec spec, CountyLayout layout, DateOnly cycleCreated, Rng rng, IdAllocator? allocator = null)
{
    private readonly IdAllocator ids = allocator ?? new();

    /// <summary>The same county in a later cycle: its own randomness, the same numbers already given out.</summary>
    public GenerationContext ForCycle(CountySpec later, DateOnly created, Rng random) => new(later, Layout, created, random, ids);

    public CountySpec Spec { get; } = spec;

    public CountyLayout Layout { get; } = layout;

    public DateOnly CycleCreated { get; } = cycleCreated;

    public Rng Rng { get; } = rng;

    public int SchoolYear => Spec.SchoolYear;

    /// <summary>A random birth date giving this age on 31 August of the school year, never after the cycle's creation.</summary>
    public DateOnly BirthForAge(int age)
    {
        var from = new DateOnly(SchoolYear - age - 1, 9, 1);
        var to = new DateOnly(SchoolYear - age, 8, 31);
        var birth = from.AddDays(Rng.Next(to.DayNumber - from.DayNumber + 1));
        return birth > CycleCreated ? CycleCreated.AddDays(-Rng.Between(1, 200)) : birth;
    }

    public string Region(double neighbourShare, double farShare = 0)
    {
        var x = Rng.NextDouble();
        return x < farShare ? Rng.Pick(CountyLayout.FarRegions)
            : x < farShare + neighbourShare ? Rng.Pick(Layout.Neighbours)
            : Layout.CountyCode;
    }

    /// <summary>A fresh unique number for someone of this age (or born on exactly this day when it is free).</summary>
    public (string Id, DateOnly Birth) NewPerson(string region, bool male, int age, DateOnly? exactly = null)
    {
        if (exactly is { } day && day <= CycleCreated && ids.TryAllocate(region, day, male) is { } exact)
        {
            return (exact, day);
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            var birth = BirthForAge(age);
            if (ids.TryAllocate(region, birth, male) is { } id)
            {
                return (id, birth);
            }
        }

        throw new InvalidOperationException("No free identity number left for that age; the county is too large for one birth cohort.");
    }

    /// <summary>A fresh unique number for someone born on or near this day (adults: the day matters little).</summary>
    public (string Id, DateOnly Birth) NewPersonBorn(string region, bool male, DateOnly around)
    {
        var floor = new DateOnly(1922, 1, 1);
        for (var shift = 0; shift < 2000; shift++)
        {
            var birth = around.AddDays(shift % 2 == 0 ? shift / 2 : -((shift + 1) / 2));
            if (birth > CycleCreated || birth < floor)
            {
                continue;
            }

            if (ids.TryAllocate(region, birth, male) is { } id)
            {
                return (id, birth);
            }
        }

        throw new InvalidOperationException("No free identity number near that birth date.");
    }

    /// <summary>A valid number as exports write it: mostly plain, sometimes full-width, spaced, with U+3000, a lower-case
    /// x, a leading tab (CSV), or, in XLSX, a numeric cell holding the exact 18-digit literal.</summary>
    public Cell PresentValid(string id, bool xlsx)
    {
        var u = Rng.NextDouble();
        if (u < 0.015)
        {
            return FullWidth(id, all: true);
        }

        if (u < 0.02)
        {
            return FullWidth(id, all: false);
        }

        if (u < 0.03)
        {
            return $"{id[..6]} {id[6..14]} {id[14..]}";
        }

        if (u < 0.035)
        {
            var at = Rng.Between(1, 17);
            return Rng.Chance(0.5) ? string.Concat(id.AsSpan(0, at), "\u3000", id.AsSpan(at)) : id + "\u3000";
        }

        if (u < 0.045)
        {
            return Rng.Chance(0.5) ? " " + id : id + "  ";
        }

        if (u < 0.055 && !xlsx)
        {
            return "\t" + id; // what some systems prefix to keep Excel from turning the number into 4.10726E+17
        }

        if (id[17] == 'X' && Rng.Chance(0.3))
        {
            return string.Concat(id.AsSpan(0, 17), Rng.Chance(0.85) ? "x" : "ｘ");
        }

        if (xlsx && id[17] != 'X' && Rng.Chance(0.12))
        {
            return new Cell(id, Numeric: true);
        }

        return id;
    }

    private Cell FullWidth(string id, bool all)
    {
        var chars = id.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (all || Rng.Chance(0.3))
            {
                chars[i] = chars[i] == 'X' ? 'Ｘ' : (char)('０' + (chars[i] - '0'));
            }
        }

        return new string(chars);
    }

    /// <summary>An invalid number of one of the kinds real exports have. Each kind is invalid by construction; the
    /// oracle decides anyway.</summary>
    public Cell Corrupt(string id, bool xlsx, bool old)
    {
        var region = id[..6];
        var year = int.Parse(id.AsSpan(6, 4), CultureInfo.InvariantCulture);
        var sequence = id.Substring(14, 3);
        var kind = Rng.Next(100);
        if (kind < 30)
        {
            return WrongCheck(id);
        }

        if (kind < 45)
        {
            string[] impossible = ["0230", "0231", "0431", "0631", "0931", "1131", "1301", "1232", "0100", "0000"];
            var monthDay = !DateTime.IsLeapYear(year) && Rng.Chance(0.2) ? "0229" : Rng.Pick(impossible);
            var first17 = string.Concat(region, year.ToString("D4", CultureInfo.InvariantCulture), monthDay, sequence);
            return first17 + IdNumbers.CheckChar(first17);
        }

        if (kind < 57)
        {
            return string.Concat(region, id.AsSpan(8, 6), sequence); // old 15-digit number
        }

        if (kind < 67)
        {
            return id[..17];
        }

        if (kind < 77)
        {
            const string Letters = "OoIlBS";
            var at = Rng.Between(6, 16);
            return string.Concat(id.AsSpan(0, at), Letters[Rng.Next(Letters.Length)].ToString(), id.AsSpan(at + 1));
        }

        if (kind < 82)
        {
            var future = CycleCreated.AddDays(Rng.Between(1, 400));
            return IdNumbers.Compose(region, future, int.Parse(sequence, CultureInfo.InvariantCulture));
        }

        if (kind < 87)
        {
            var at = Rng.Between(6, 17);
            return string.Concat(id.AsSpan(0, at), Rng.Next(10).ToString(CultureInfo.InvariantCulture), id.AsSpan(at));
        }

        if (kind < 91)
        {
            return new Cell(null); // left empty
        }

        if (kind < 97 && xlsx && id[17] != 'X')
        {
            // Excel's 15 significant digits: "4.10726201001011E+17". Picked only when the number those digits
            // stand for (…000) is not a valid number either, however a reader converts it.
            var rounded = (Math.Round(decimal.Parse(id, CultureInfo.InvariantCulture) / 1000m, MidpointRounding.AwayFromZero) * 1000m).ToString(CultureInfo.InvariantCulture);
            if (rounded.Length == 18 && IdNumbers.CheckChar(rounded) != rounded[17])
            {
                var mantissa = $"{rounded[0]}.{rounded[1..15]}".TrimEnd('0').TrimEnd('.');
                return new Cell($"{mantissa}E+17", Numeric: true);
            }
        }

        if (kind >= 97 && old)
        {
            var first17 = string.Concat(region, Rng.Between(1880, 1899).ToString(CultureInfo.InvariantCulture), id.AsSpan(10, 4), sequence);
            return first17 + IdNumbers.CheckChar(first17);
        }

        return WrongCheck(id);
    }

    private Cell WrongCheck(string id)
    {
        const string CheckChars = "0123456789X";
        char check;
        do
        {
            check = CheckChars[Rng.Next(CheckChars.Length)];
        }
        while (check == id[17]);

        return string.Concat(id.AsSpan(0, 17), check.ToString());
    }

    /// <summary>Stray spaces around a value, as hand-edited sheets have.</summary>
    public string Padded(string value) => Rng.Next(3) switch
    {
        0 => " " + value,
        1 => value + " ",
        _ => " " + value + "  ",
    };
}
