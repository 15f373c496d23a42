using EduRelief.Hosting;

namespace EduRelief.Rosters.Parsing;

public enum RosterKind
{
    Students,
    Poverty,

    /// <summary>The county's accounts registry (DOMAIN "Accounts").</summary>
    Accounts,

    /// <summary>The cycle's 外地就学 list: covered children studying outside the county (DOMAIN "A child across semesters").</summary>
    Outside,

    /// <summary>A school's teachers for 结对帮扶 (DOMAIN "结对帮扶 (teacher–student pairing) and 家访").</summary>
    Teachers,
}

public enum RosterFormat
{
    Csv,
    Xlsx,
}

/// <summary>The required header names of each roster (DOMAIN "Rosters"), in the order of <see cref="RosterRow.Values"/>.</summary>
public static class RosterSchema
{
    private static readonly string[] StudentColumns = ["姓名", "身份证号", "学校标识码", "学校名称", "学段", "年级", "是否住校", "备注"];
    private static readonly string[] PovertyColumns = ["序号", "户编号", "姓名", "身份证号", "乡镇", "村", "人员类别"];
    private static readonly string[] AccountColumns = ["身份证号", "账户名", "账号", "开户行"];
    private static readonly string[] OutsideColumns = ["姓名", "身份证号", "就读省市", "就读学校", "学段", "年级"];
    private static readonly string[] TeacherColumns = ["姓名", "工号", "手机"];

    public static IReadOnlyList<string> Columns(RosterKind kind) => kind switch
    {
        RosterKind.Students => StudentColumns,
        RosterKind.Poverty => PovertyColumns,
        RosterKind.Accounts => AccountColumns,
        RosterKind.Outside => OutsideColumns,
        RosterKind.Teachers => TeacherColumns,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>How many characters a cell may hold: more is usually a quote left open that swallowed the lines after it.</summary>
    public const int MaxCellChars = 1000;

    /// <summary>Why the row cannot be imported because a cell is longer than <see cref="MaxCellChars"/>; null when none is.</summary>
    public static Text? LongCell(RosterRow row, RosterKind kind)
    {
        for (var c = 0; c < row.Values.Length; c++)
        {
            if (row.Values[c].Length > MaxCellChars)
            {
                return new Text(
                    $"列“{Columns(kind)[c]}”有 {row.Values[c].Length} 个字符，单元格最多 {MaxCellChars} 个字符（是否有引号未闭合？）",
                    $"column {Columns(kind)[c]} holds {row.Values[c].Length} characters; a cell may hold at most {MaxCellChars} (is a quote left open?)");
            }
        }

        return null;
    }

    /// <summary>The index of <paramref name="column"/> in <see cref="Columns"/>, e.g. <c>IndexOf(kind, "身份证号")</c>.</summary>
    public static int IndexOf(RosterKind kind, string column)
    {
        var columns = Columns(kind);
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }

        throw new ArgumentException($"The {kind} roster has no column {column}.", nameof(column));
    }
}

/// <summary>
/// A data row: its 1-based number as a person sees it (the header is row 1 of a file that starts with it; CSV counts
/// physical records, so a record with a line break inside quotes is one row; XLSX uses the sheet's row index), and
/// its values in <see cref="RosterSchema.Columns"/> order, trimmed, "" for a missing cell.
/// </summary>
public sealed record RosterRow(int RowNumber, string[] Values)
{
    public string this[int column] => Values[column];
}

/// <summary>A roster file that cannot be read at all. <see cref="Errors"/> is keyed "file", "column:身份证号", "row:12".</summary>
public sealed class RosterFileException(Text title, IReadOnlyDictionary<string, Text[]> errors) : Exception(title.En)
{
    public Text Title { get; } = title;

    public IReadOnlyDictionary<string, Text[]> Errors { get; } = errors;

    internal static RosterFileException File(Text title, Text message) =>
        new(title, new Dictionary<string, Text[]> { ["file"] = [message] });

    internal static RosterFileException Row(Text title, int row, Text message) =>
        new(title, new Dictionary<string, Text[]> { [$"row:{row}"] = [message] });
}
