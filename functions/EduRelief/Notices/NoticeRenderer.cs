using EduRelief.Eligibility;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Exports;

namespace EduRelief.Notices;

/// <summary>
/// A school's notice as an HTML page and as an XLSX workbook. Deterministic: the same content gives the same bytes
/// (no timestamps, fixed relationship ids, fixed zip entry times), so the content hash names the document.
/// Every text is escaped: names come from uploaded files.
/// </summary>
public static class NoticeRenderer
{
    public const string HtmlType = "text/html; charset=utf-8";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly string[] Columns = ["序号", "姓名", "学校", "学段", "年级", "资助项目", "金额(元)"];

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Zip entries carry a time; a fixed one keeps the bytes reproducible.</summary>
    private static readonly DateTimeOffset ZipTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Escape(string text) => Encoder.Encode(text);

    public static string Amount(Yuan amount) => amount.ToString();

    /// <summary>The page's head and style, shared with the cycle's list of schools: readable on a phone, no scripts.</summary>
    public static void Head(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Escape(title)).Append("</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:0 auto;padding:1em;max-width:60em;line-height:1.5}")
            .Append("h1{font-size:1.3em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3em .5em;text-align:left}")
            .Append("td.n{text-align:right}.wrap{overflow-x:auto}</style>\n</head>\n<body>\n");
    }

    public static byte[] Html(NoticeContent notice)
    {
        var html = new StringBuilder();
        Head(html, notice.Title);
        html.Append("<h1>").Append(Escape(notice.Title)).Append("</h1>\n")
            .Append("<p>").Append(Escape(notice.Period)).Append("</p>\n")
            .Append("<p>根据学生资助政策，经学校申报、县教育局审核，现将拟资助学生名单予以公示。</p>\n")
            .Append("<p>共 ").Append(notice.Recipients.ToString(CultureInfo.InvariantCulture)).Append(" 人，金额合计 ")
            .Append(Amount(notice.Total)).Append(" 元。</p>\n")
            .Append("<div class=\"wrap\"><table>\n<thead><tr>");
        foreach (var column in Columns)
        {
            html.Append("<th>").Append(Escape(column)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        var n = 0;
        foreach (var line in notice.Lines)
        {
            html.Append("<tr><td class=\"n\">").Append((++n).ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td>").Append(Escape(line.Name)).Append("</td>")
                .Append("<td>").Append(Escape(line.SchoolName)).Append("</td>")
                .Append("<td>").Append(Escape(line.Stage)).Append("</td>")
                .Append("<td class=\"n\">").Append(line.Grade.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td>").Append(Escape(line.Program)).Append("</td>")
                .Append("<td class=\"n\">").Append(Amount(line.Amount)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n")
            .Append("<h2>异议与举报</h2>\n")
            .Append("<p>公示期间，如对名单有异议，请向").Append(Escape(notice.BureauName)).Append("反映：</p>\n<ul>\n")
            .Append("<li>监督电话：").Append(Escape(notice.HotlinePhone)).Append("</li>\n")
            .Append("<li>来信来访地址：").Append(Escape(notice.ObjectionAddress)).Append("</li>\n</ul>\n")
            .Append("<p>公示期满即撤下。</p>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    public static byte[] Workbook(NoticeContent notice)
    {
        using var package = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(package, SpreadsheetDocumentType.Workbook))
        {
            // Explicit relationship ids: generated ones are random, and would change the bytes on every render.
            var workbook = document.AddNewPart<WorkbookPart>("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "rId1");
            var sheet = workbook.AddNewPart<WorksheetPart>("rId1");
            var data = new SheetData();
            uint r = 0;
            data.Append(Row(++r, notice.Title));
            data.Append(Row(++r, notice.Period));
            data.Append(Row(++r, Columns.Cast<object>().ToArray()));
            var n = 0;
            foreach (var line in notice.Lines)
            {
                data.Append(Row(++r, ++n, line.Name, line.SchoolName, line.Stage, line.Grade, line.Program, line.Amount));
            }

            data.Append(Row(++r, "合计", $"{notice.Recipients.ToString(CultureInfo.InvariantCulture)}人", "", "", "", "", notice.Total));
            data.Append(Row(++r, $"异议请联系{notice.BureauName}：监督电话 {notice.HotlinePhone}；地址 {notice.ObjectionAddress}"));
            sheet.Worksheet = new Worksheet(data);
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "公示名单", SheetId = 1, Id = "rId1" }));
        }

        return Normalize(package.ToArray());
    }

    /// <summary>Rewrites the package's zip with fixed entry times, in entry-name order.</summary>
    private static byte[] Normalize(byte[] package)
    {
        using var input = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var copy = zip.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = ZipTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    private static Row Row(uint index, params object[] values)
    {
        var row = new Row { RowIndex = index };
        row.Append(values.Select(SpreadsheetText.XlsxCell));
        return row;
    }
}
