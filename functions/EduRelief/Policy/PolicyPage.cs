using System.Globalization;
using System.Text;
using EduRelief.Counties;
using EduRelief.Eligibility;
using EduRelief.Notices;

namespace EduRelief.Policy;

/// <summary>
/// The county's 明白纸 for one school year, generated from the policy that applies to the county (its override, its
/// province's, or the shipped default) and the county's contacts: every programme with who qualifies and its amount per
/// semester, how a family is listed and how it objects, the hotline. Pure: the same policy and contacts give the same page.
/// </summary>
public static class PolicyPage
{
    public const string HtmlType = "text/html; charset=utf-8";

    public static string Title(string countyName, int schoolYear) =>
        string.Create(CultureInfo.InvariantCulture, $"{countyName}{schoolYear}—{schoolYear + 1}学年学生资助政策明白纸");

    /// <summary>Who the programme pays at its stage, in words: "小学在校生", "中职一、二年级在校生".</summary>
    public static string Who(ProgramRule rule)
    {
        var stage = SchoolStages.Chinese(rule.Stage);
        var grades = rule.Grades is { Count: > 0 } g ? string.Join("、", g.Order().Select(GradeName)) + "年级" : "";
        return $"{stage}{grades}在校生";
    }

    /// <summary>The amount per student per semester as the policy states it: one amount, or boarding and non-boarding.</summary>
    public static string Amount(ProgramRule rule) =>
        rule.BoardingAmount is not null || rule.NonBoardingAmount is not null
            ? $"住宿生 {Money(rule.BoardingAmount ?? rule.Amount)} 元；非住宿生 {Money(rule.NonBoardingAmount ?? rule.Amount)} 元"
            : $"{Money(rule.Amount)} 元";

    public static string Html(string countyName, ResolvedPolicy policy, CountyContacts contacts)
    {
        var title = Title(countyName, policy.SchoolYear);
        var html = new StringBuilder();
        PrintableHtml.Head(html, title, "section{break-inside:avoid}");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n")
            .Append("<p>").Append(E(string.Create(CultureInfo.InvariantCulture, $"适用于{policy.SchoolYear}年秋季学期和{policy.SchoolYear + 1}年春季学期。"))).Append("</p>\n")
            .Append("<section>\n<h2>一、资助对象</h2>\n")
            .Append("<p>").Append(E($"在{countyName}就读的学生，家庭为脱贫户（含原建档立卡户）、防返贫监测对象（监测户）或低保户的，按所在学段享受下列资助。")).Append("</p>\n")
            .Append("</section>\n<section>\n<h2>二、资助项目和标准</h2>\n")
            .Append("<table>\n<thead><tr><th>资助项目</th><th>资助对象</th><th>资助标准（每生每学期）</th><th>说明</th></tr></thead>\n<tbody>\n");
        foreach (var rule in policy.Document.Programs)
        {
            html.Append("<tr><td>").Append(E(NoticeContent.ProgramName(rule.Code))).Append("</td>")
                .Append("<td>").Append(E(Who(rule))).Append("</td>")
                .Append("<td class=\"n\">").Append(E(Amount(rule))).Append("</td>")
                .Append("<td>").Append(E(rule.Note ?? "")).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        if (policy.Document.Notes.Count > 0)
        {
            html.Append("<ul>\n");
            foreach (var note in policy.Document.Notes)
            {
                html.Append("<li>").Append(E(note)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n<section>\n<h2>三、如何申请</h2>\n")
            .Append("<p>每学期开学后，学校将学籍信息与脱贫户、监测户、低保户信息逐人比对，符合条件的学生列入资助名单，家庭无需另行提交证明。")
            .Append("如您家庭属于上述对象而孩子未被列入，请向就读学校或").Append(E(contacts.BureauName)).Append("提出申请。</p>\n")
            .Append("<p>名单经学校申报、县教育局审核后在校内公示，公示期满无异议的，资助资金直接发放到学生或其监护人的银行账户（一卡通），不发放现金。</p>\n")
            .Append("</section>\n<section>\n<h2>四、如何反映异议</h2>\n")
            .Append("<p>对资助名单、资助金额或发放情况有异议的，可在公示期间或发放后随时向").Append(E(contacts.BureauName)).Append("反映：</p>\n<ul>\n")
            .Append("<li>监督电话：").Append(E(contacts.HotlinePhone)).Append("</li>\n")
            .Append("<li>来信来访地址：").Append(E(contacts.ObjectionAddress)).Append("</li>\n</ul>\n")
            .Append("</section>\n<section>\n<h2>五、资助热线</h2>\n")
            .Append("<p>学生资助热线：<strong>").Append(E(contacts.HotlinePhone)).Append("</strong>（").Append(E(contacts.BureauName)).Append("）</p>\n")
            .Append("<p>学生资助不收取任何费用。凡以资助为名索要银行卡密码、验证码或要求转账的，均为诈骗。</p>\n")
            .Append("</section>\n<p><small>政策版本：").Append(E(policy.Version)).Append("</small></p>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The 404 page of a county or school year the app has no policy page for.</summary>
    public static string NotFound()
    {
        var html = new StringBuilder();
        PrintableHtml.Head(html, "未找到资助政策明白纸", "");
        html.Append("<h1>未找到资助政策明白纸</h1>\n<p>")
            .Append("本系统没有这个县、这个学年的学生资助政策明白纸。请核对地址中的县代码（6 位数字，例如 410726）和学年（例如 2026），或拨打县教育局学生资助热线咨询。")
            .Append("</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string GradeName(int grade) => grade switch
    {
        1 => "一",
        2 => "二",
        3 => "三",
        4 => "四",
        5 => "五",
        6 => "六",
        _ => grade.ToString(CultureInfo.InvariantCulture),
    };

    private static string Money(decimal? amount) => new Yuan(amount ?? 0m).ToFenExact().ToString();

    private static string E(string text) => NoticeRenderer.Escape(text);
}
