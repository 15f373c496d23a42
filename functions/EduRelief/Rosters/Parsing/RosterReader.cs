using System.Runtime.CompilerServices;
using EduRelief.Hosting;

namespace EduRelief.Rosters.Parsing;

/// <summary>
/// Reads a student roster or a poverty registry from CSV (UTF-8 with or without BOM, or GB18030/GBK) or XLSX (the
/// first worksheet), streaming: no file is held whole in memory. See DOMAIN "Rosters (input files)".
/// </summary>
public static class RosterReader
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>How many leading bytes <see cref="DetectFormat"/> looks at.</summary>
    public const int SniffLength = 8192;

    /// <summary>
    /// A zip (PK\x03\x04, or PK\x05\x06 for an empty one) is XLSX; the XLSX content type on anything else is "not a
    /// workbook"; NUL bytes, a UTF-16 byte order mark, an old .xls header or many control bytes in the first 8 KiB are
    /// "not a text file"; anything else is CSV. The content type never overrides the bytes otherwise: browsers send
    /// application/vnd.ms-excel for .csv files.
    /// </summary>
    public static RosterFormat DetectFormat(ReadOnlySpan<byte> firstBytes, string? contentType)
    {
        if (ContentSniffer.IsZip(firstBytes))
        {
            return RosterFormat.Xlsx;
        }

        if (ContentSniffer.IsXlsxContentType(contentType))
        {
            throw RosterFileException.File(RosterErrors.NotWorkbook, new Text("文件声明为 .xlsx 工作簿，但实际不是（不是 zip 压缩包）。", "The file is declared as an .xlsx workbook but is not one (it is not a zip archive)."));
        }

        ContentSniffer.RequireText(firstBytes);
        return RosterFormat.Csv;
    }

    /// <summary>Reads the first <see cref="SniffLength"/> bytes of the stream, rewinds it, and calls <see cref="DetectFormat"/>.</summary>
    public static async Task<RosterFormat> DetectFormatAsync(Stream seekable, string? contentType, CancellationToken ct)
    {
        RequireSeekable(seekable);
        var buffer = new byte[SniffLength];
        seekable.Position = 0;
        var n = await seekable.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        seekable.Position = 0;
        return DetectFormat(buffer.AsSpan(0, n), contentType);
    }

    /// <summary>
    /// The data rows of the file, read from the start of <paramref name="seekable"/> (which stays open). Throws
    /// <see cref="RosterFileException"/> for a file that cannot be read at all: empty, a missing or ambiguous required
    /// column, not text, not a workbook, no worksheet, a workbook over the size limits, undecodable or damaged content.
    /// A file with only a header has no rows. A row whose cells are all blank is not a data row.
    /// </summary>
    public static IAsyncEnumerable<RosterRow> ReadAsync(Stream seekable, RosterFormat format, RosterKind kind, CancellationToken ct)
    {
        RequireSeekable(seekable);
        var columns = RosterSchema.Columns(kind);
        var source = format switch
        {
            RosterFormat.Csv => CsvRosterSource.ReadAsync(seekable, ct),
            RosterFormat.Xlsx => XlsxRosterSource.ReadAsync(seekable, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return Project(source, columns, ct);
    }

    private static async IAsyncEnumerable<RosterRow> Project(
        IAsyncEnumerable<SourceRow> source, IReadOnlyList<string> columns, [EnumeratorCancellation] CancellationToken ct)
    {
        Dictionary<int, int>? sourceToSchema = null;
        await foreach (var row in source.WithCancellation(ct))
        {
            if (IsBlank(row.Cells))
            {
                continue;
            }

            if (sourceToSchema is null)
            {
                sourceToSchema = MapHeader(row, columns);
                continue;
            }

            var values = new string[columns.Count];
            Array.Fill(values, "");
            foreach (var (column, value) in row.Cells)
            {
                if (sourceToSchema.TryGetValue(column, out var index))
                {
                    values[index] = value.Trim();
                }
            }

            yield return new RosterRow(row.RowNumber, values);
        }

        if (sourceToSchema is null)
        {
            throw RosterFileException.File(RosterErrors.Empty, new Text("文件没有表头行：文件为空，或每一行都是空白。", "The file has no header row: it is empty or every row is blank."));
        }
    }

    private static bool IsBlank(List<(int Column, string Value)> cells)
    {
        foreach (var (_, value) in cells)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<int, int> MapHeader(SourceRow header, IReadOnlyList<string> columns)
    {
        var found = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var (column, value) in header.Cells)
        {
            var name = HeaderName(value);
            if (name.Length == 0)
            {
                continue;
            }

            names.Add(name);
            if (!found.TryGetValue(name, out var at))
            {
                found[name] = at = [];
            }

            at.Add(column);
        }

        var errors = new Dictionary<string, Text[]>(StringComparer.Ordinal);
        var map = new Dictionary<int, int>();
        for (var i = 0; i < columns.Count; i++)
        {
            var name = columns[i];
            if (!found.TryGetValue(name, out var at))
            {
                var seen = names.Count <= 30 ? string.Join(", ", names) : string.Join(", ", names.Take(30)) + ", …";
                errors[$"column:{name}"] = [new Text(
                    $"表头行（第 {header.RowNumber} 行）缺少必需的列“{name}”；表头现有：{seen}。",
                    $"The required column {name} is missing from the header row (row {header.RowNumber}); the header has: {seen}.")];
            }
            else if (at.Count > 1)
            {
                errors[$"column:{name}"] = [new Text(
                    $"列“{name}”在表头行（第 {header.RowNumber} 行）出现了不止一次，分别在 {string.Join("、", at.Select(ColumnLetters))} 列。",
                    $"The column {name} appears more than once in the header row (row {header.RowNumber}), in columns {string.Join(", ", at.Select(ColumnLetters))}.")];
            }
            else
            {
                map[at[0]] = i;
            }
        }

        if (errors.Count > 0)
        {
            var missing = columns.Where(c => !found.ContainsKey(c)).ToList();
            var title = missing.Count > 0
                ? new Text($"{RosterErrors.MissingColumns.Zh}：{string.Join("、", missing)}", $"{RosterErrors.MissingColumns.En}: {string.Join(", ", missing)}")
                : RosterErrors.AmbiguousColumns;
            throw new RosterFileException(title, errors);
        }

        return map;
    }

    /// <summary>A header cell trimmed of white space and of a stray byte order mark.</summary>
    private static string HeaderName(string value) => value.Trim().Trim('\uFEFF').Trim();

    /// <summary>0 → A, 25 → Z, 26 → AA: how a person finds a column in a spreadsheet program, also for CSV.</summary>
    internal static string ColumnLetters(int column)
    {
        var letters = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }

    private static void RequireSeekable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("A readable, seekable stream is required.", nameof(stream));
        }
    }
}

/// <summary>A record of the file before the header is applied: its row number and its non-empty and empty cells by 0-based column.</summary>
/// <remarks>The list is reused by the source for the next record: read it before advancing.</remarks>
internal readonly record struct SourceRow(int RowNumber, List<(int Column, string Value)> Cells);

/// <summary>The titles of <see cref="RosterFileException"/>.</summary>
public static class RosterErrors
{
    public static readonly Text Empty = new("名册文件为空", "The roster file is empty");
    public static readonly Text MissingColumns = new("名册文件缺少必需的列", "The roster file lacks required columns");
    public static readonly Text AmbiguousColumns = new("名册文件中有必需的列重复出现", "The roster file has a required column more than once");
    public static readonly Text NotText = new("名册文件不是文本文件", "The roster file is not a text file");
    public static readonly Text Undecodable = new("名册文件既不是 UTF-8 也不是 GB18030 编码的文本", "The roster file is neither UTF-8 nor GB18030 text");
    public static readonly Text NotWorkbook = new("名册文件不是工作簿", "The roster file is not a workbook");
    public static readonly Text NoWorksheet = new("工作簿中没有工作表", "The workbook has no worksheet");
    public static readonly Text TooLarge = new("工作簿过大，无法安全读取", "The workbook is too large to read safely");
    public static readonly Text Damaged = new("名册文件已损坏", "The roster file is damaged");
    public static readonly Text OverLimit = new("文件超出读取上限", "The file exceeds a reading limit");
    public static readonly Text MalformedCsv = new("文件不是格式正确的 CSV", "The file is not well-formed CSV");
    public static readonly Text NoRows = new("名册没有数据行", "The roster has no data rows");
}
