using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Exports;

namespace EduRelief.Disbursement;

/// <summary>The fund disclosure (资金发放公示) the bureau publishes after payment: per school and program, recipients and amount. No personal data.</summary>
public static class DisclosureWorkbook
{
    public static readonly string[] Header = ["学校标识码", "学校名称", "资助项目", "受助人数", "发放金额(元)"];

    public static byte[] Write(string cycleId, IReadOnlyList<DisclosureRow> rows)
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var part = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(Header));
            foreach (var r in rows)
            {
                data.Append(Row([r.SchoolCode, r.SchoolName, BankFiles.ProgramName(r.Program), r.Recipients, r.Amount]));
            }

            data.Append(Row(["合计", "", "", rows.Sum(r => r.Recipients), rows.Sum(r => r.Amount)]));
            part.Worksheet = new Worksheet(data);
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "资金发放公示", SheetId = 1, Id = workbook.GetIdOfPart(part) }));
            workbook.Workbook.Save();
            document.PackageProperties.Title = $"{cycleId} 资金发放公示";
        }

        return memory.ToArray();
    }

    private static Row Row(object[] values) => new(values.Select(SpreadsheetText.XlsxCell));
}
