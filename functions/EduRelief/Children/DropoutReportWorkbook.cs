using System.Globalization;
using System.Text;
using EduRelief.Exports;

namespace EduRelief.Children;

/// <summary>
/// The monthly report as the bureau and the townships read it: the workbook (by township with the county's total, by
/// village, the villages certified 义务教育有保障) and the emails' text. No child is named: figures only.
/// </summary>
public static class DropoutReportWorkbook
{
    public static readonly string[] Figures = ["适龄儿童", "县内在校", "县外就读", "送教上门", "延缓入学或休学", "未入学（在劝返）", "本月劝返复学", "义务教育巩固率"];

    public static Task WriteAsync(Stream output, DropoutReportContent content, string countyName, CancellationToken cancellationToken) =>
        XlsxWorkbook.WriteAsync(
            output,
            [
                new XlsxSheet("按乡镇", ["乡镇", .. Figures], ByTownship(content).ToAsyncEnumerable()),
                new XlsxSheet("按村", ["乡镇", "村", .. Figures, "义务教育有保障"], ByVillage(content).ToAsyncEnumerable()),
                new XlsxSheet("义务教育有保障村", ["序号", "乡镇", "村", "适龄儿童", "义务教育巩固率"], Certified(content).ToAsyncEnumerable()),
            ],
            cancellationToken,
            $"{countyName}控辍保学月报（{MonthText(content.Month)}）");

    /// <summary>The month as people write it: 2026年10月.</summary>
    public static string MonthText(string month) =>
        DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture) is var m ? $"{m.Year}年{m.Month}月" : month;

    public static string Subject(string countyName, DropoutReportContent content, string? township) =>
        $"{countyName}{township ?? ""}控辍保学月报（{MonthText(content.Month)}）：义务教育巩固率 {(township is null ? content.County : Township(content, township)).RateText}";

    /// <summary>The email's text: the place's figures, and for the bureau each township's line.</summary>
    public static string Body(string countyName, DropoutReportContent content, string? township)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{countyName}{township ?? ""}{MonthText(content.Month)}控辍保学月报（截至月末，以{SemesterText(content.ReferenceSemester)}学籍为准）：");
        text.AppendLine(Line(township ?? "全县", township is null ? content.County : Township(content, township)));
        var places = township is null
            ? content.Townships.Select(t => (t.Township, t.Figures))
            : content.Townships.Where(t => t.Township == township).SelectMany(t => t.Villages.Select(v => (v.Village, v.Figures)));
        foreach (var (name, figures) in places)
        {
            text.AppendLine("  " + Line(name, figures));
        }

        text.AppendLine("详见附件工作簿（按乡镇、按村、义务教育有保障村）。");
        return text.ToString();
    }

    private static string Line(string place, DropoutFigures f) =>
        $"{place}：适龄儿童 {f.SchoolAge} 人，县内在校 {f.Enrolled}，县外就读 {f.Outside}，送教上门 {f.HomeSchooling}，延缓入学或休学 {f.Deferred}，未入学 {f.NotInSchool}，本月劝返复学 {f.Returned}，巩固率 {f.RateText}";

    private static string SemesterText(string semester) =>
        Cycles.Semester.TryParse(semester, out var s) ? $"{s.Year}年{(s.Term == Cycles.Term.Autumn ? "秋季" : "春季")}学期" : semester;

    private static DropoutFigures Township(DropoutReportContent content, string township) =>
        content.Townships.FirstOrDefault(t => t.Township == township)?.Figures ?? DropoutFigures.Zero;

    private static object[] Cells(DropoutFigures f) =>
        [f.SchoolAge, f.Enrolled, f.Outside, f.HomeSchooling, f.Deferred, f.NotInSchool, f.Returned, f.RateText];

    private static IEnumerable<object[]> ByTownship(DropoutReportContent content) =>
        [.. content.Townships.Select(t => (object[])[t.Township, .. Cells(t.Figures)]), ["全县合计", .. Cells(content.County)]];

    private static IEnumerable<object[]> ByVillage(DropoutReportContent content) =>
        content.Townships.SelectMany(t => t.Villages.Select(v => (object[])[t.Township, v.Village, .. Cells(v.Figures), v.Certified ? "是" : "否"]));

    private static IEnumerable<object[]> Certified(DropoutReportContent content) =>
        content.CertifiedVillages.Select((c, i) => (object[])[i + 1, c.Township, c.Village.Village, c.Village.Figures.SchoolAge, c.Village.Figures.RateText]);
}
