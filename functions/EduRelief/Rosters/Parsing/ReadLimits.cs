namespace EduRelief.Rosters.Parsing;

/// <summary>
/// What a roster, registry or accounts file may hold, enforced while it is read, before anything over a limit is held
/// in memory, so that no upload, however hostile, makes the app hold more than a bounded part of it. A file over a limit
/// is refused with <see cref="RosterErrors.OverLimit"/>, naming the limit and, where known, the sheet, row and column.
/// The zip's own limits (part sizes, compression ratio) are <see cref="WorkbookLimits"/>.
/// </summary>
internal static class ReadLimits
{
    /// <summary>Excel's own limit on the characters in a cell.</summary>
    public const int MaxCellChars = 32_767;

    /// <summary>Excel's last row: also the most records a CSV may have.</summary>
    public const int MaxRows = 1_048_576;

    /// <summary>Excel's last column (XFD): also the most cells a row may have.</summary>
    public const int MaxColumns = 16_384;

    /// <summary>The shared string table is held in memory: at most this many items ...</summary>
    public const int MaxSharedStrings = 2_000_000;

    /// <summary>... of at most this many characters in all (a 300,000-row roster has about a tenth of both).</summary>
    public const long MaxSharedStringChars = 32_000_000;

    /// <summary>
    /// The longest run of an XLSX part's XML without a '&lt;' (a start tag with its attributes, or text between tags),
    /// or the longest CDATA section: the XML reader holds a whole tag in memory. A cell's text is at most
    /// <see cref="MaxCellChars"/> characters, well under this even when every one is escaped.
    /// </summary>
    public const int MaxMarkupBytes = 1 << 20;

    public static RosterFileException CellTooLong(int row, int column, string? sheet) => RosterFileException.Row(
        RosterErrors.OverLimit, row, $"{Where(sheet)}第 {row} 行 {RosterReader.ColumnLetters(column)} 列的单元格超过 {MaxCellChars:N0} 个字符的上限。");

    public static RosterFileException TooManyCells(int row, string? sheet) => RosterFileException.Row(
        RosterErrors.OverLimit, row, $"{Where(sheet)}第 {row} 行的单元格超过 {MaxColumns:N0} 个（{RosterReader.ColumnLetters(MaxColumns - 1)} 列）的上限。");

    public static RosterFileException TooManyRows(int row, string? sheet) => RosterFileException.Row(
        RosterErrors.OverLimit, row, $"{Where(sheet)}第 {row} 行超出 {MaxRows:N0} 行的上限。");

    public static RosterFileException File(string message) => RosterFileException.File(RosterErrors.OverLimit, message);

    private static string Where(string? sheet) => sheet is null ? "" : $"工作表“{sheet}”";
}
