using System.Buffers;
using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace EduRelief.Exports;

/// <summary>
/// The one way text reaches a cell of a CSV or XLSX the app writes (DOMAIN.md "Exports"). A text starting with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return would be taken for a formula by Excel or WPS:
/// in CSV it is prefixed with an apostrophe; in XLSX it is only ever an inline string cell, never a formula cell.
/// Numbers (counts, amounts) stay numeric cells.
/// </summary>
public static class SpreadsheetText
{
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");

    private static readonly SearchValues<char> CsvSpecials = SearchValues.Create(",\"\r\n");

    /// <summary>Whether a spreadsheet would read <paramref name="text"/> as a formula.</summary>
    public static bool StartsLikeFormula(string text) => text.Length > 0 && FormulaStarts.Contains(text[0]);

    /// <summary>The text for a CSV cell: prefixed with <c>'</c> when it starts like a formula, otherwise unchanged.</summary>
    public static string ForCsv(string text) => StartsLikeFormula(text) ? "'" + text : text;

    /// <summary>A whole CSV field: neutralised first, then quoted (RFC 4180) when it holds a comma, quote or line break.</summary>
    public static string CsvField(string text)
    {
        var safe = ForCsv(text);
        return safe.AsSpan().IndexOfAny(CsvSpecials) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    /// <summary>The text for an XLSX string cell: a control character from a source file would make the whole workbook unwritable, so it is dropped.</summary>
    public static string ForXlsx(string text) =>
        text.All(System.Xml.XmlConvert.IsXmlChar) ? text : new string(text.Where(System.Xml.XmlConvert.IsXmlChar).ToArray());

    /// <summary>An XLSX cell: whole numbers and amounts (two decimals) as numbers; anything else as an inline string, never a formula.</summary>
    public static Cell XlsxCell(object value) => value switch
    {
        int i => new Cell { DataType = CellValues.Number, CellValue = new CellValue(i.ToString(CultureInfo.InvariantCulture)) },
        decimal d => new Cell { DataType = CellValues.Number, CellValue = new CellValue(d.ToString("0.00", CultureInfo.InvariantCulture)) },
        Eligibility.Yuan y => new Cell { DataType = CellValues.Number, CellValue = new CellValue(y.ToString()) },
        _ => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(XlsxText(ForXlsx(value.ToString() ?? ""))) },
    };

    /// <summary>Leading or trailing whitespace (a tab, say) is kept as written rather than trimmed by the reader.</summary>
    private static Text XlsxText(string text) =>
        text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])) ? new Text(text) { Space = SpaceProcessingModeValues.Preserve } : new Text(text);
}
