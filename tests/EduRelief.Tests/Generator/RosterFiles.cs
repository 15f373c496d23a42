using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace EduRelief.Tests.Generator;

/// <summary>One data row: cell texts by trimmed header name, and which cells were XLSX numeric cells.</summary>
public sealed class RosterRow(IReadOnlyDictionary<string, string> values, IReadOnlySet<string> numeric)
{
    public string this[string column] => values.TryGetValue(column, out var v) ? v : "";

    public bool IsNumeric(string column) => numeric.Contains(column);
}

public sealed record RosterFile(IReadOnlyList<string> Header, IReadOnlyList<RosterRow> Rows, string Encoding);

/// <summary>
/// Reads the generated files back the way an importer would, written here independently of the generator: a small
/// RFC 4180 reader over the DOMAIN encoding rule (valid UTF-8 is UTF-8, anything else GB18030), and the OpenXML SDK
/// for the first worksheet (shared strings, inline strings, numeric cells by their literal, cells placed by reference).
/// </summary>
public static class RosterFiles
{
    public static RosterFile Read(string path) =>
        path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) ? ReadXlsx(path) : ReadCsv(File.ReadAllBytes(path));

    public static RosterFile ReadCsv(byte[] bytes)
    {
        string text;
        string encoding;
        if (bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            text = new UTF8Encoding(false, true).GetString(bytes, 3, bytes.Length - 3);
            encoding = "utf-8-bom";
        }
        else
        {
            try
            {
                text = new UTF8Encoding(false, true).GetString(bytes);
                encoding = "utf-8";
            }
            catch (DecoderFallbackException)
            {
                System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
                text = System.Text.Encoding.GetEncoding("GB18030").GetString(bytes);
                encoding = "gb18030";
            }
        }

        var records = ParseCsv(text);
        var header = records[0].Select(h => h.Trim()).ToList();
        var rows = records.Skip(1).Select(r => new RosterRow(
            header.Select((h, i) => (h, v: i < r.Count ? r[i] : "")).ToDictionary(x => x.h, x => x.v),
            new HashSet<string>())).ToList();
        return new RosterFile(header, rows, encoding);
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF or LF.</summary>
    public static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }

    public static RosterFile ReadXlsx(string path)
    {
        using var document = SpreadsheetDocument.Open(path, false);
        var workbook = document.WorkbookPart!;
        var first = workbook.Workbook.Sheets!.Elements<Sheet>().First();
        var sheet = (WorksheetPart)workbook.GetPartById(first.Id!.Value!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var table = new List<(Dictionary<int, string> Values, HashSet<int> Numeric)>();
        foreach (var row in sheet.Worksheet.Descendants<Row>())
        {
            var values = new Dictionary<int, string>();
            var numeric = new HashSet<int>();
            var rowIndex = row.RowIndex!.Value;
            if (rowIndex != (uint)table.Count + 1)
            {
                throw new InvalidDataException($"Row {rowIndex} where row {table.Count + 1} was expected.");
            }

            foreach (var cell in row.Elements<Cell>())
            {
                var reference = cell.CellReference!.Value!;
                if (new string(reference.SkipWhile(char.IsAsciiLetterUpper).ToArray()) != rowIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    throw new InvalidDataException($"Cell {reference} in row {rowIndex}.");
                }

                var column = Column(reference);
                var type = cell.DataType?.Value;
                if (type == CellValues.SharedString)
                {
                    values[column] = shared[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)];
                }
                else if (type == CellValues.InlineString)
                {
                    values[column] = cell.InlineString!.InnerText;
                }
                else
                {
                    values[column] = cell.CellValue?.Text ?? "";
                    numeric.Add(column);
                }
            }

            table.Add((values, numeric));
        }

        var width = table[0].Values.Keys.Max() + 1;
        var header = Enumerable.Range(0, width).Select(i => table[0].Values.GetValueOrDefault(i, "").Trim()).ToList();
        var rows = table.Skip(1).Select(r => new RosterRow(
            header.Select((h, i) => (h, v: r.Values.GetValueOrDefault(i, ""))).ToDictionary(x => x.h, x => x.v),
            r.Numeric.Select(i => header[i]).ToHashSet())).ToList();
        return new RosterFile(header, rows, "xlsx");
    }

    private static int Column(string reference)
    {
        var n = 0;
        foreach (var c in reference.TakeWhile(char.IsAsciiLetterUpper))
        {
            n = (n * 26) + (c - 'A' + 1);
        }

        return n - 1;
    }
}
