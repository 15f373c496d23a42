using System.Text;
using EduRelief.Notices;

namespace EduRelief.Policy;

/// <summary>
/// The head of a page meant for paper (the policy page, the 告知书 letters): Chinese fonts as installed on the reader's
/// machine (no web font: the public pages load nothing but themselves), A4 with print margins, and no script.
/// </summary>
public static class PrintableHtml
{
    /// <summary>Chinese fonts in the order Windows, macOS and Linux readers are likely to have them, then the generic family.</summary>
    public const string ChineseFonts =
        "\"Microsoft YaHei\",\"PingFang SC\",\"Hiragino Sans GB\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\",\"SimSun\",\"Songti SC\",sans-serif";

    /// <summary>Opens the document: doctype, language, title, and the shared style plus <paramref name="style"/>.</summary>
    public static void Head(StringBuilder html, string title, string style)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(NoticeRenderer.Escape(title)).Append("</title>\n")
            .Append("<style>@page{size:A4;margin:18mm 16mm}")
            .Append("body{font-family:").Append(ChineseFonts).Append(";margin:0 auto;padding:1em;max-width:48em;line-height:1.6;color:#111}")
            .Append("h1{font-size:1.4em;text-align:center}h2{font-size:1.1em;margin-top:1.2em}")
            .Append("table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.3em .5em;text-align:left;vertical-align:top}")
            .Append("td.n{text-align:right;white-space:nowrap}")
            .Append("@media print{body{padding:0;max-width:none;font-size:11pt}a{color:inherit;text-decoration:none}}")
            .Append(style)
            .Append("</style>\n</head>\n<body>\n");
    }
}
