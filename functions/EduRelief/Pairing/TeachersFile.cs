using System.Text;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;

namespace EduRelief.Pairing;

/// <summary>
/// A teacher's id within their school: the 工号 with spaces removed and full-width letters and digits mapped to ASCII,
/// upper-case; 1 to 32 letters, digits or <c>-</c>. It is what keys, URLs and pairings name a teacher by.
/// </summary>
public static class TeacherIds
{
    public const int MaxLength = 32;

    public static string Normalize(string? raw) =>
        SpaceFolding.Fold(raw?.Normalize(NormalizationForm.FormKC), c => c).ToUpperInvariant();

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c) || c == '-');
}

/// <summary>A mainland mobile number: 11 digits starting 1[3-9], written with spaces, dashes or full-width digits as people do.</summary>
public static class MobileNumbers
{
    public static string Normalize(string? raw) =>
        new(SpaceFolding.Fold(raw?.Normalize(NormalizationForm.FormKC), c => c).Where(c => c is not ('-' or '－')).ToArray());

    public static bool IsValid(string normalized) =>
        normalized is ['1', >= '3' and <= '9', ..] && normalized.Length == 11 && normalized.All(char.IsAsciiDigit);
}

/// <summary>One teacher as a file gives them.</summary>
public sealed record TeacherLine(string TeacherId, string Name, string Phone, int FileRow);

/// <summary>What a teachers file holds: each teacher once, or the rows that refuse the whole file.</summary>
public sealed record TeachersFileContent(IReadOnlyList<TeacherLine> Lines, IReadOnlyDictionary<string, Text[]> Errors)
{
    public bool Refused => Errors.Count > 0;
}

/// <summary>Reads a school's teachers file: <c>姓名, 工号, 手机</c> (CSV or XLSX, the rosters' encodings and readers).</summary>
public static class TeachersFile
{
    public const int MaxNamedRows = 100;
    public const int MaxName = 50;

    private static readonly int NameColumn = RosterSchema.IndexOf(RosterKind.Teachers, "姓名");
    private static readonly int IdColumn = RosterSchema.IndexOf(RosterKind.Teachers, "工号");
    private static readonly int PhoneColumn = RosterSchema.IndexOf(RosterKind.Teachers, "手机");

    /// <summary>
    /// Every row must be a teacher: a name, a valid 工号 not seen in an earlier row, a valid mobile number. A row that
    /// is not refuses the file, named by row (<c>row:{n}</c>) with one message per bad column; a file without rows too.
    /// </summary>
    public static async Task<TeachersFileContent> ReadAsync(IAsyncEnumerable<RosterRow> rows, CancellationToken ct)
    {
        var lines = new List<TeacherLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new Dictionary<string, Text[]>(StringComparer.Ordinal);
        var refused = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            var problems = Check(row, seen, out var line);
            if (problems.Count > 0)
            {
                if (++refused <= MaxNamedRows)
                {
                    errors[$"row:{row.RowNumber}"] = [.. problems];
                }

                continue;
            }

            seen[line!.TeacherId] = row.RowNumber;
            lines.Add(line);
        }

        if (refused > MaxNamedRows)
        {
            errors["file"] = [new Text($"共 {refused} 行被拒收，仅列出前 {MaxNamedRows} 行。", $"{refused} rows are refused; the first {MaxNamedRows} are named.")];
        }
        else if (refused == 0 && lines.Count == 0)
        {
            errors["file"] = [RosterErrors.NoRows];
        }

        return new TeachersFileContent(lines, errors);
    }

    private static List<Text> Check(RosterRow row, Dictionary<string, int> seen, out TeacherLine? line)
    {
        line = null;
        var problems = new List<Text>();
        if (RosterSchema.LongCell(row, RosterKind.Teachers) is { } tooLong)
        {
            problems.Add(tooLong);
            return problems;
        }

        var name = PersonNames.Normalize(row[NameColumn]);
        if (name.Length is 0 or > MaxName)
        {
            problems.Add(new Text($"列“姓名”：须填写教师姓名（1 至 {MaxName} 个字符）", $"column 姓名: the teacher's name is required (1 to {MaxName} characters)"));
        }

        var id = TeacherIds.Normalize(row[IdColumn]);
        if (!TeacherIds.IsValid(id))
        {
            problems.Add(new Text($"列“工号”：须为 1 至 {TeacherIds.MaxLength} 个字母、数字或 -", $"column 工号: 1 to {TeacherIds.MaxLength} letters, digits or - are required"));
        }
        else if (seen.TryGetValue(id, out var earlier))
        {
            problems.Add(new Text($"列“工号”：与第 {earlier} 行的工号相同", $"column 工号: the same as in row {earlier}"));
        }

        var phone = MobileNumbers.Normalize(row[PhoneColumn]);
        if (!MobileNumbers.IsValid(phone))
        {
            // The number itself is never repeated in the answer: it is personal data.
            problems.Add(new Text("列“手机”：不是 11 位手机号码", "column 手机: not an 11-digit mobile number"));
        }

        if (problems.Count == 0)
        {
            line = new TeacherLine(id, name, phone, row.RowNumber);
        }

        return problems;
    }
}
