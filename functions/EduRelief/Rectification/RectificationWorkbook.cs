using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Exports;
using EduRelief.Hosting;

namespace EduRelief.Rectification;

/// <summary>
/// The 整改台账: one row per item of the cycle in id order, with its source, problem, owner, deadline, status, what was
/// done, the number of evidence files and when it was accepted. Rows are streamed from storage into the sheet.
/// </summary>
public static class RectificationWorkbook
{
    public const string SheetName = "整改台账";

    public static readonly string[] Header =
        ["序号", "整改编号", "问题来源", "问题描述", "学生姓名", "责任单位", "整改时限", "状态", "是否逾期", "整改情况/备注", "佐证材料数", "完成时间"];

    /// <summary>The workbook of <paramref name="items"/>; owners and schools are named by <paramref name="schools"/>.</summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<RectificationItem> items, Eligibility.SchoolNameCache schools, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The packaging API needs a seekable stream; a temporary file keeps memory flat for a large county.
        var path = Path.GetTempFileName();
        try
        {
            using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
            {
                var workbook = document.AddWorkbookPart();
                var part = workbook.AddNewPart<WorksheetPart>();
                using (var writer = OpenXmlWriter.Create(part))
                {
                    writer.WriteStartElement(new Worksheet());
                    writer.WriteStartElement(new SheetData());
                    WriteRow(writer, Header);
                    var n = 0;
                    await foreach (var item in items.WithCancellation(cancellationToken))
                    {
                        WriteRow(writer, Cells(++n, item, await ItemNames.OfAsync(item, schools, cancellationToken), now));
                    }

                    writer.WriteEndElement();
                    writer.WriteEndElement();
                }

                workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = SheetName, SheetId = 1, Id = workbook.GetIdOfPart(part) }));
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

    private static object[] Cells(int n, RectificationItem i, ItemNames names, DateTimeOffset now) =>
    [
        n,
        i.Id,
        RectificationSources.Label(i.Source),
        string.IsNullOrEmpty(i.Description) ? i.Title : $"{i.Title}：{i.Description}",
        i.StudentName ?? "",
        names.Owner,
        Day(i.DueAt),
        RectificationStatuses.Label(i.Status),
        i.IsOverdue(now) ? "是" : "否",
        Remarks(i, names),
        i.EvidenceCount,
        i.AcceptedAt is { } at ? Day(at) : "",
    ];

    private static string Remarks(RectificationItem i, ItemNames names)
    {
        var parts = new List<string>();
        if (i.Outcome is not null)
        {
            parts.Add(DropoutOutcomes.Label(i.Outcome) + (names.OutcomeSchool is { } s ? $"（{s}）" : "") + (i.OutcomeReason is { } r ? $"（{r}）" : ""));
        }

        if (i.Note is not null)
        {
            parts.Add(i.Note);
        }

        if (i.Status == RectificationStatuses.Returned && i.ReturnReason is not null)
        {
            parts.Add($"退回原因：{i.ReturnReason}");
        }

        return string.Join("；", parts);
    }

    private static string Day(DateTimeOffset at) => ChinaTime.ToChina(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

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
