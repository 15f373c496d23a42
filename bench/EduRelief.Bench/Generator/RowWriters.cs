using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace EduRelief.Bench.Generator;

/// <summary>One cell as the exporting system wrote it. <see cref="Text"/> is what a reader gets back (for a number, the
/// literal in the XLSX &lt;v&gt;); null or empty is an empty cell (omitted from an XLSX row).</summary>
public readonly record struct Cell(string? Text, bool Numeric = false)
{
    public static implicit operator Cell(string? text) => new(text);
}

/// <summary>Writes rows to a CSV or the first worksheet of an XLSX, streaming.</summary>
public abstract class RowWriter : IDisposable
{
    public abstract void WriteRow(ReadOnlySpan<Cell> cells);

    public abstract void Dispose();

    /// <summary>GBK (code page 936) that throws rather than silently writing '?' for a character GBK lacks.</summary>
    public static Encoding Gbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    public static RowWriter Create(string path, RosterOutput format, bool gbk, string sheetName, IEnumerable<string> sharedStrings) =>
        format == RosterOutput.Csv
            ? new CsvRowWriter(path, gbk ? Gbk() : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true))
            : new XlsxRowWriter(path, sheetName, sharedStrings);
}

/// <summary>RFC 4180 with CRLF, fields quoted only when they hold a comma, quote or line break (as exporters do).</summary>
public sealed class CsvRowWriter : RowWriter
{
    private readonly StreamWriter writer;

    public CsvRowWriter(string path, Encoding encoding)
    {
        writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), encoding, 1 << 16) { NewLine = "\r\n" };
    }

    public override void WriteRow(ReadOnlySpan<Cell> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var text = cells[i].Text ?? "";
            if (text.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(text);
            }
        }

        writer.Write("\r\n");
    }

    public override void Dispose() => writer.Dispose();
}

/// <summary>
/// A minimal SpreadsheetML package written straight into a zip in create mode (constant memory, unlike a package
/// opened for update): workbook, styles, a shared-string table for the texts the export repeats (school names,
/// stages, 是/否 …), inline strings for the rest (names, numbers), cell references on every cell, empty cells omitted,
/// and a second worksheet of instructions so that "the first worksheet" matters. Fixed timestamps keep it byte-stable.
/// </summary>
public sealed class XlsxRowWriter : RowWriter
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly DateTimeOffset Stamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ZipArchive zip;
    private readonly StreamWriter sheet;
    private readonly Dictionary<string, int> shared = new(StringComparer.Ordinal);
    private int rowNumber;

    public XlsxRowWriter(string path, string sheetName, IEnumerable<string> sharedStrings)
    {
        foreach (var s in sharedStrings)
        {
            shared.TryAdd(s, shared.Count);
        }

        zip = new ZipArchive(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), ZipArchiveMode.Create, leaveOpen: false);
        Part("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """);
        Part("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Part("xl/workbook.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{Escape(sheetName)}" sheetId="1" r:id="rId1"/><sheet name="填表说明" sheetId="2" r:id="rId2"/></sheets></workbook>
            """);
        Part("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """);
        Part("xl/styles.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="{Main}"><fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>
            """);
        Part("xl/worksheets/sheet2.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="{Main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>身份证号请填写18位，数据由系统导出，请勿修改表头。</t></is></c></row></sheetData></worksheet>
            """);
        var sst = new StringBuilder();
        sst.Append(CultureInfo.InvariantCulture, $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{"\r\n"}<sst xmlns="{Main}" uniqueCount="{shared.Count}">""");
        foreach (var s in shared.OrderBy(kv => kv.Value))
        {
            var preserve = s.Key.Length > 0 && (char.IsWhiteSpace(s.Key[0]) || char.IsWhiteSpace(s.Key[^1]));
            sst.Append(preserve ? "<si><t xml:space=\"preserve\">" : "<si><t>").Append(Escape(s.Key)).Append("</t></si>");
        }

        sst.Append("</sst>");
        Part("xl/sharedStrings.xml", sst.ToString());

        var entry = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest);
        entry.LastWriteTime = Stamp;
        sheet = new StreamWriter(entry.Open(), new UTF8Encoding(false), 1 << 16);
        sheet.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{"\r\n"}<worksheet xmlns="{Main}"><sheetData>""");
    }

    private void Part(string name, string content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = Stamp;
        using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
        writer.Write(content);
    }

    public override void WriteRow(ReadOnlySpan<Cell> cells)
    {
        rowNumber++;
        Span<char> rowDigits = stackalloc char[12];
        Span<char> digits = stackalloc char[12];
        rowNumber.TryFormat(rowDigits, out var length, default, CultureInfo.InvariantCulture);
        ReadOnlySpan<char> row = rowDigits[..length];
        sheet.Write("<row r=\"");
        sheet.Write(row);
        sheet.Write("\">");
        for (var i = 0; i < cells.Length; i++)
        {
            var text = cells[i].Text;
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            sheet.Write("<c r=\"");
            sheet.Write((char)('A' + i));
            sheet.Write(row);
            if (cells[i].Numeric)
            {
                sheet.Write("\"><v>");
                sheet.Write(text);
                sheet.Write("</v></c>");
            }
            else if (shared.TryGetValue(text, out var index))
            {
                sheet.Write("\" t=\"s\"><v>");
                index.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
                sheet.Write(digits[..n]);
                sheet.Write("</v></c>");
            }
            else
            {
                var preserve = char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]);
                sheet.Write(preserve ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "\" t=\"inlineStr\"><is><t>");
                sheet.Write(Escape(text));
                sheet.Write("</t></is></c>");
            }
        }

        sheet.Write("</row>");
    }

    private static string Escape(string text) =>
        text.AsSpan().IndexOfAny("<>&\"") < 0 ? text
            : text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public override void Dispose()
    {
        sheet.Write("</sheetData></worksheet>");
        sheet.Dispose();
        zip.Dispose();
    }
}
