using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EduRelief.Tests.Generator;

/// <summary>How one row came out of verification.</summary>
public enum RowFate
{
    InvalidId,
    DuplicateId,
    InvalidRow,
    Kept,
}

/// <summary>
/// DOMAIN.md "Verification", written a second time for the tests, in a different style from the generator's oracle
/// (regular expressions, the ISO 7064 weights derived as 2^k mod 11, whole-file LINQ), so that the two cross-check.
/// </summary>
public sealed partial class ReferenceVerification
{
    private static readonly Dictionary<string, int> MaxGrade = new()
    {
        ["学前"] = 3, ["小学"] = 6, ["初中"] = 3, ["普通高中"] = 3, ["中职"] = 3, ["高校"] = 5,
    };

    public required int Students { get; init; }

    public required int PovertyPersons { get; init; }

    public required IReadOnlyList<RowFate> StudentFates { get; init; }

    public required IReadOnlyList<RowFate> PovertyFates { get; init; }

    public required Dictionary<string, RosterRow> KeptStudents { get; init; }

    public required List<(RosterRow Row, string Id, bool Matched, bool NameMismatch, bool NotEnrolled)> KeptPoverty { get; init; }

    public required Dictionary<string, (int Recipients, decimal Amount)> Programs { get; init; }

    public int Count(IEnumerable<RowFate> fates, RowFate fate) => fates.Count(f => f == fate);

    public int InvalidId => Count(StudentFates, RowFate.InvalidId) + Count(PovertyFates, RowFate.InvalidId);

    public int DuplicateId => Count(StudentFates, RowFate.DuplicateId) + Count(PovertyFates, RowFate.DuplicateId);

    public int InvalidRow => Count(StudentFates, RowFate.InvalidRow);

    public int Matched => KeptPoverty.Count(p => p.Matched);

    public int NameMismatch => KeptPoverty.Count(p => p.NameMismatch);

    public int Eligible => Matched - NameMismatch;

    public int NotEnrolled => KeptPoverty.Count(p => p.NotEnrolled);

    [GeneratedRegex("[ \u3000]")]
    private static partial Regex Spaces();

    [GeneratedRegex("^[0-9]{17}[0-9X]$")]
    private static partial Regex Shape();

    public static string NormaliseId(string raw)
    {
        var s = Spaces().Replace(raw.Trim(), "");
        var b = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            b.Append("０１２３４５６７８９".IndexOf(c, StringComparison.Ordinal) is var d and >= 0 ? (char)('0' + d) : c);
        }

        return b.ToString().Replace('Ｘ', 'X').Replace('ｘ', 'X').Replace('x', 'X');
    }

    public static bool IsValidId(string id, DateOnly cycleCreated)
    {
        if (!Shape().IsMatch(id)
            || !DateTime.TryParseExact(id.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || DateOnly.FromDateTime(birth) > cycleCreated || birth.Year < 1900)
        {
            return false;
        }

        // ISO 7064 MOD 11-2: weight of position i (from the left, 0-based) is 2^(17-i) mod 11; check = (12 - sum mod 11) mod 11.
        var sum = Enumerable.Range(0, 17).Sum(i => (id[i] - '0') * (int)(BigIntegerPow2(17 - i) % 11));
        var check = (12 - (sum % 11)) % 11;
        return id[17] == (check == 10 ? 'X' : (char)('0' + check));
    }

    private static long BigIntegerPow2(int k) => 1L << k;

    public static string NormaliseName(string raw) => Spaces().Replace(raw.Trim(), "").Replace('•', '·').Replace('．', '·');

    public static DateOnly Birth(string validId) => DateOnly.ParseExact(validId.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture);

    public static int AgeOn31August(DateOnly birth, int schoolYear)
    {
        var reference = new DateOnly(schoolYear, 8, 31);
        var age = reference.Year - birth.Year;
        return birth.AddYears(age) > reference ? age - 1 : age;
    }

    public static bool RowReadable(RosterRow row) =>
        MaxGrade.TryGetValue(row["学段"].Trim(), out var max)
        && Regex.IsMatch(row["年级"].Trim(), "^[0-9]+$") && int.Parse(row["年级"].Trim(), CultureInfo.InvariantCulture) is var g && g >= 1 && g <= max
        && row["是否住校"].Trim() is "是" or "否";

    public static decimal? Amount(RosterRow row, out string? program)
    {
        var stage = row["学段"].Trim();
        var grade = int.Parse(row["年级"].Trim(), CultureInfo.InvariantCulture);
        var boarding = row["是否住校"].Trim() == "是";
        (program, var amount) = stage switch
        {
            "学前" => ("preschool_aid", 500m),
            "小学" => ("living_subsidy", boarding ? 625m : 312.5m),
            "初中" => ("living_subsidy", boarding ? 750m : 375m),
            "普通高中" => ("hs_grant", 1150m),
            "中职" when grade <= 2 => ("vocational_grant", 1150m),
            "高校" => ("college_grant", 1850m),
            _ => ((string?)null, (decimal?)null),
        };
        return amount;
    }

    public static ReferenceVerification Run(RosterFile students, RosterFile poverty, int schoolYear, DateOnly cycleCreated)
    {
        var studentFates = new List<RowFate>();
        var kept = new Dictionary<string, RosterRow>();
        var seen = new HashSet<string>();
        foreach (var row in students.Rows)
        {
            var id = NormaliseId(row["身份证号"]);
            var fate = !IsValidId(id, cycleCreated) ? RowFate.InvalidId
                : !seen.Add(id) ? RowFate.DuplicateId
                : !RowReadable(row) ? RowFate.InvalidRow
                : RowFate.Kept;
            studentFates.Add(fate);
            if (fate == RowFate.Kept)
            {
                kept[id] = row;
            }
        }

        var povertyFates = new List<RowFate>();
        var keptPoverty = new List<(RosterRow, string, bool, bool, bool)>();
        var seenPoverty = new HashSet<string>();
        foreach (var row in poverty.Rows)
        {
            var id = NormaliseId(row["身份证号"]);
            var fate = !IsValidId(id, cycleCreated) ? RowFate.InvalidId : !seenPoverty.Add(id) ? RowFate.DuplicateId : RowFate.Kept;
            povertyFates.Add(fate);
            if (fate != RowFate.Kept)
            {
                continue;
            }

            if (kept.TryGetValue(id, out var student))
            {
                keptPoverty.Add((row, id, true, NormaliseName(student["姓名"]) != NormaliseName(row["姓名"]), false));
            }
            else
            {
                var age = AgeOn31August(Birth(id), schoolYear);
                keptPoverty.Add((row, id, false, false, age >= 6 && age <= 15));
            }
        }

        var programs = new[] { "preschool_aid", "living_subsidy", "hs_grant", "vocational_grant", "college_grant" }.ToDictionary(p => p, _ => (0, 0m));
        foreach (var (_, id, matched, mismatch, _) in keptPoverty)
        {
            if (matched && !mismatch && Amount(kept[id], out var program) is { } amount)
            {
                var (n, sum) = programs[program!];
                programs[program!] = (n + 1, sum + amount);
            }
        }

        return new ReferenceVerification
        {
            Students = students.Rows.Count,
            PovertyPersons = poverty.Rows.Count,
            StudentFates = studentFates,
            PovertyFates = povertyFates,
            KeptStudents = kept,
            KeptPoverty = keptPoverty,
            Programs = programs,
        };
    }
}
