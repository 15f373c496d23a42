using System.Globalization;
using System.Text;
using EduRelief.Notices;
using EduRelief.Policy;

namespace EduRelief.Letters;

/// <summary>
/// A school's 《享受教育资助政策情况告知书》 as one print-ready HTML document: one A4 page per child (each letter breaks
/// the page after it), Chinese fonts, a receipt to sign and return. Deterministic (the same letters give the same bytes,
/// so the content hash names the document) and escaped throughout: names come from uploaded files.
/// </summary>
public static class LetterRenderer
{
    public const string HtmlType = NoticeRenderer.HtmlType;

    public const string LetterTitle = "享受教育资助政策情况告知书";

    private const string Style =
        ".letter{break-after:page;page-break-after:always;min-height:0}.letter:last-of-type{break-after:auto;page-break-after:auto}"
        + ".receipt{margin-top:1.5em;padding-top:.8em;border-top:1px dashed #333}.sign{margin-top:1em}"
        + "@media screen{.letter{border-bottom:2px solid #ccc;padding-bottom:2em;margin-bottom:2em}}";

    public static byte[] Html(SchoolLetters school)
    {
        var html = new StringBuilder();
        PrintableHtml.Head(html, school.Title, Style);
        foreach (var letter in school.Letters)
        {
            Append(html, school, letter);
        }

        html.Append("</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    private static void Append(StringBuilder html, SchoolLetters school, Letter letter)
    {
        var h = school.Heading;
        html.Append("<section class=\"letter\">\n<h1>").Append(E(LetterTitle)).Append("</h1>\n")
            .Append("<p>").Append(E(letter.Name)).Append(" 同学家长：</p>\n")
            .Append("<p>").Append(E($"您的孩子在{school.SchoolName}{letter.Stage}{Number(letter.Grade)}年级就读，根据国家学生资助政策，经学校申报、{h.BureauName}审核并公示，{h.SemesterTitle}享受以下资助：")).Append("</p>\n")
            .Append("<table>\n<thead><tr><th>资助项目</th><th>金额(元)</th></tr></thead>\n<tbody>\n");
        foreach (var line in letter.Lines)
        {
            html.Append("<tr><td>").Append(E(line.Program)).Append("</td><td class=\"n\">").Append(line.Amount.ToString()).Append("</td></tr>\n");
        }

        html.Append("<tr><th>合计</th><td class=\"n\">").Append(letter.Total.ToString()).Append("</td></tr>\n</tbody>\n</table>\n")
            .Append("<h2>发放时间和方式</h2>\n")
            .Append("<p>").Append(E($"公示期满（{h.NoticeEnds.Month}月{h.NoticeEnds.Day}日）后，{h.BureauName}通过银行将资助资金直接发放到学生或监护人的账户，不发放现金，学校和个人不得代领、截留。")).Append("</p>\n");
        if (letter.MaskedAccount is { } masked)
        {
            html.Append("<p>收款账户：").Append(E(letter.Bank ?? "")).Append(' ').Append(E(masked)).Append("</p>\n");
        }
        else
        {
            html.Append("<p>收款账户：尚未登记有效账户。请尽快携带户口簿和银行卡（一卡通）到学校登记，登记后补发。</p>\n");
        }

        html.Append("<h2>咨询和异议</h2>\n")
            .Append("<p>").Append(E($"对资助项目、金额或发放有疑问或异议的，请向{h.BureauName}反映：")).Append("</p>\n<ul>\n")
            .Append("<li>学生资助热线（监督电话）：").Append(E(h.HotlinePhone)).Append("</li>\n")
            .Append("<li>来信来访地址：").Append(E(h.ObjectionAddress)).Append("</li>\n</ul>\n")
            .Append("<p>学生资助不收取任何费用。凡以资助为名索要银行卡密码、验证码或要求转账的，均为诈骗，请拨打上述电话核实。</p>\n")
            .Append("<p class=\"sign\">").Append(E(school.SchoolName)).Append('　').Append(E(h.BureauName)).Append("</p>\n")
            .Append("<div class=\"receipt\">\n<p><strong>回执</strong>（请家长签字后交回学校）</p>\n")
            .Append("<p>").Append(E($"本人已收到并知晓{letter.Name}同学{h.SemesterTitle}享受的资助项目和金额（合计 {letter.Total} 元）。")).Append("</p>\n")
            .Append("<p>家长签字：＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日</p>\n")
            .Append("<p><small>学生编号：").Append(E(letter.ChildId)).Append("</small></p>\n</div>\n</section>\n");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => NoticeRenderer.Escape(text);
}
