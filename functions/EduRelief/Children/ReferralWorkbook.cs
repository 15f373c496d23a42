using System.Globalization;
using System.Runtime.CompilerServices;
using EduRelief.Exports;
using EduRelief.Hosting;

namespace EduRelief.Children;

/// <summary>
/// The county's 两后生 referral list as the human-resources department takes it: one row per referral, ID numbers
/// masked, the outcome in words. Cells pass through <see cref="XlsxWorkbook"/>, which keeps every text inert.
/// </summary>
public static class ReferralWorkbook
{
    public const string Sheet = "两后生转介";

    public static readonly string[] Header = ["序号", "姓名", "身份证号", "乡镇", "村", "原就读学校", "学段", "年级", "转介日期", "状态", "转介结果", "结果日期", "备注"];

    public static Task WriteAsync(Stream output, IAsyncEnumerable<Referral> referrals, string title, CancellationToken cancellationToken) =>
        XlsxWorkbook.WriteAsync(output, [new XlsxSheet(Sheet, Header, Rows(referrals, cancellationToken))], cancellationToken, title);

    private static async IAsyncEnumerable<object[]> Rows(IAsyncEnumerable<Referral> referrals, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = 0;
        await foreach (var r in referrals.WithCancellation(cancellationToken))
        {
            yield return
            [
                ++n, r.Name, r.MaskedId, r.Township ?? "", r.Village ?? "", r.SchoolName, r.Stage, r.Grade,
                ChinaTime.DateOf(r.CreatedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ReferralStatuses.Label(r.Status),
                ReferralOutcomes.Label(r.Outcome?.Outcome),
                r.Outcome?.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Outcome?.Note ?? "",
            ];
        }
    }
}
