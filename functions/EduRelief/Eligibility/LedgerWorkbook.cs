using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Exports;
using EduRelief.Rosters;

namespace EduRelief.Eligibility;

/// <summary>
/// The county's ledgers (台账) as one workbook: a sheet per programme, and 控辍保学 listing the registered children of
/// school age found in no school, for follow-up. ID numbers are masked. Rows are streamed from storage into the sheets.
/// </summary>
public static class LedgerWorkbook
{
    public static readonly IReadOnlyDictionary<string, string> ProgramSheets = new Dictionary<string, string>
    {
        ["preschool_aid"] = "学前资助",
        ["living_subsidy"] = "生活补助",
        ["hs_grant"] = "普通高中助学金",
        ["vocational_grant"] = "中职助学金",
        ["college_grant"] = "高校助学金",
    };

    public const string DropoutSheet = "控辍保学";

    public static async Task WriteAsync(Stream output, EligibilityStore store, string cycleId, string runId, CancellationToken cancellationToken)
    {
        // The packaging API needs a seekable stream; a temporary file keeps memory flat for a large county.
        var path = Path.GetTempFileName();
        try
        {
            using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
            {
                var workbook = document.AddWorkbookPart();
                var sheets = new List<(string Name, string RelationshipId)>();
                foreach (var (program, sheetName) in ProgramSheets)
                {
                    var rows = store.AllLedgerAsync(cycleId, runId, program, cancellationToken);
                    var part = workbook.AddNewPart<WorksheetPart>();
                    await WriteSheetAsync(part, ["序号", "学校标识码", "学校名称", "姓名", "身份证号", "学段", "年级", "是否住校", "金额(元)", "来源"], Cells(rows), cancellationToken);
                    sheets.Add((sheetName, workbook.GetIdOfPart(part)));
                }

                var dropout = workbook.AddNewPart<WorksheetPart>();
                await WriteSheetAsync(dropout, ["序号", "姓名", "乡镇", "村", "年龄", "身份证号", "说明"],
                    DropoutCells(store.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.NotEnrolled, cancellationToken)), cancellationToken);
                sheets.Add((DropoutSheet, workbook.GetIdOfPart(dropout)));

                workbook.Workbook = new Workbook(new Sheets(sheets.Select((s, i) => new Sheet { Name = s.Name, SheetId = (uint)(i + 1), Id = s.RelationshipId })));
                workbook.Workbook.Save();
            }

            await using var file = File.OpenRead(path);
            await file.CopyToAsync(output, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async IAsyncEnumerable<object[]> Cells(IAsyncEnumerable<LedgerRow> rows)
    {
        var n = 0;
        await foreach (var r in rows)
        {
            yield return [++n, r.SchoolCode, r.SchoolName, r.Name, IdNumbers.Mask(r.IdNumber), r.Stage, r.Grade, r.Boarding ? "是" : "否", r.Amount, r.Source == "review" ? "复核确认" : "比对"];
        }
    }

    private static async IAsyncEnumerable<object[]> DropoutCells(IAsyncEnumerable<DiscrepancyRow> rows)
    {
        var n = 0;
        await foreach (var r in rows)
        {
            yield return [++n, r.PovertyName ?? "", r.Township ?? "", r.Village ?? "", r.Age ?? 0, r.MaskedId ?? "", "建档立卡适龄儿童未在学籍名册中"];
        }
    }

    private static async Task WriteSheetAsync(WorksheetPart part, string[] header, IAsyncEnumerable<object[]> rows, CancellationToken cancellationToken)
    {
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartElement(new Worksheet());
        writer.WriteStartElement(new SheetData());
        WriteRow(writer, header.Cast<object>().ToArray());
        await foreach (var row in rows.WithCancellation(cancellationToken))
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
