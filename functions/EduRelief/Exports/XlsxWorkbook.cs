using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace EduRelief.Exports;

/// <summary>One sheet of a workbook: its name, its header row and its rows of cells (<see cref="SpreadsheetText.XlsxCell"/>).</summary>
public sealed record XlsxSheet(string Name, IReadOnlyList<string> Header, IAsyncEnumerable<object[]> Rows);

/// <summary>
/// The one writer of the workbooks the app hands out (the ledgers, the 整改台账, the fund disclosure): the sheets in
/// order, each one's rows streamed into it as they come, every cell through <see cref="SpreadsheetText.XlsxCell"/>.
/// </summary>
public static class XlsxWorkbook
{
    /// <summary>
    /// Writes the workbook to <paramref name="output"/>. The packaging API needs a seekable stream: any other (a
    /// response body) gets it through a temporary file, which keeps memory flat for a large county.
    /// </summary>
    public static async Task WriteAsync(Stream output, IReadOnlyList<XlsxSheet> sheets, CancellationToken cancellationToken, string? title = null)
    {
        if (output.CanSeek)
        {
            using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
            await FillAsync(document, sheets, title, cancellationToken);
            return;
        }

        var path = Path.GetTempFileName();
        try
        {
            using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
            {
                await FillAsync(document, sheets, title, cancellationToken);
            }

            await using var file = File.OpenRead(path);
            await file.CopyToAsync(output, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task FillAsync(SpreadsheetDocument document, IReadOnlyList<XlsxSheet> sheets, string? title, CancellationToken cancellationToken)
    {
        var workbook = document.AddWorkbookPart();
        var entries = new List<Sheet>();
        foreach (var sheet in sheets)
        {
            var part = workbook.AddNewPart<WorksheetPart>();
            await WriteSheetAsync(part, sheet, cancellationToken);
            entries.Add(new Sheet { Name = sheet.Name, SheetId = (uint)(entries.Count + 1), Id = workbook.GetIdOfPart(part) });
        }

        workbook.Workbook = new Workbook(new Sheets(entries));
        workbook.Workbook.Save();
        if (title is not null)
        {
            document.PackageProperties.Title = title;
        }
    }

    private static async Task WriteSheetAsync(WorksheetPart part, XlsxSheet sheet, CancellationToken cancellationToken)
    {
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartElement(new Worksheet());
        writer.WriteStartElement(new SheetData());
        WriteRow(writer, [.. sheet.Header]);
        await foreach (var row in sheet.Rows.WithCancellation(cancellationToken))
        {
            WriteRow(writer, row);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void WriteRow(OpenXmlWriter writer, object[] values)
    {
        writer.WriteStartElement(new Row());
        foreach (var value in values)
        {
            writer.WriteElement(SpreadsheetText.XlsxCell(value));
        }

        writer.WriteEndElement();
    }
}
