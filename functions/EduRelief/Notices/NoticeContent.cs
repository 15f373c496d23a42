using System.Globalization;
using EduRelief.Calendar;
using EduRelief.Eligibility;

namespace EduRelief.Notices;

/// <summary>One line of a public notice: the shown fields only (DOMAIN.md, "Public notice"), nothing that identifies a household.</summary>
public sealed record NoticeLine(string Name, string SchoolName, string Stage, int Grade, string Program, Yuan Amount);

/// <summary>Everything a school's notice shows. Built from the ledger by <see cref="NoticeContent.Create"/>, which drops every other field.</summary>
public sealed record NoticeContent(
    string Title,
    string SchoolCode,
    string SchoolName,
    string Period,
    string BureauName,
    string HotlinePhone,
    string ObjectionAddress,
    IReadOnlyList<NoticeLine> Lines)
{
    public int Recipients { get; init; }

    public Yuan Total => Lines.Sum(l => l.Amount);

    /// <summary>
    /// The notice of one school: its ledger rows reduced to the shown fields, sorted by stage, grade and name (then
    /// program and amount, so equal rows always come out in the same order and the same ledger gives the same bytes).
    /// </summary>
    public static NoticeContent Create(NoticeHeading heading, string schoolCode, IReadOnlyList<LedgerRow> rows)
    {
        var lines = rows
            .Select(r => new NoticeLine(r.Name, r.SchoolName, r.Stage, r.Grade, ProgramName(r.Program), r.Amount))
            .OrderBy(l => StageOrder(l.Stage))
            .ThenBy(l => l.Grade)
            .ThenBy(l => l.Name, StringComparer.Ordinal)
            .ThenBy(l => l.Program, StringComparer.Ordinal)
            .ThenBy(l => l.Amount)
            .ToList();
        var schoolName = rows.Select(r => r.SchoolName).Where(n => n.Length > 0).Order(StringComparer.Ordinal).FirstOrDefault() ?? schoolCode;

        // A ledger id ends with the student's roster row: one student with two programmes is one recipient.
        var recipients = rows.Select(r => r.Id[(r.Id.LastIndexOf('.') + 1)..]).Distinct(StringComparer.Ordinal).Count();
        return new NoticeContent(
            $"{heading.CountyName}{heading.SemesterTitle}学生资助名单公示 — {schoolName}",
            schoolCode,
            schoolName,
            heading.Period,
            heading.BureauName,
            heading.HotlinePhone,
            heading.ObjectionAddress,
            lines)
        {
            Recipients = recipients,
        };
    }

    /// <summary>The programme's Chinese name (as the ledger workbook names its sheets), else its code.</summary>
    public static string ProgramName(string code) => LedgerWorkbook.ProgramSheets.GetValueOrDefault(code) ?? code;

    private static int StageOrder(string chinese) =>
        SchoolStages.TryParse(chinese, out var stage) ? (int)stage : int.MaxValue;
}

/// <summary>What every school's notice of a cycle shares: county, semester, period, and how to object.</summary>
public sealed record NoticeHeading(string CountyName, string SemesterTitle, string Period, string BureauName, string HotlinePhone, string ObjectionAddress);

/// <summary>The words a notice uses for its semester and period.</summary>
public static class NoticeText
{
    /// <summary>"2026-autumn" → "2026年秋季学期".</summary>
    public static string SemesterTitle(string semester)
    {
        var parts = semester.Split('-');
        var season = parts.Length == 2 && parts[1] == "spring" ? "春季" : "秋季";
        return $"{parts[0]}年{season}学期";
    }

    /// <summary>
    /// "公示时间：10月9日至10月13日（5个工作日）": from the publication day when it is a working day, otherwise the next
    /// working day, to the day the period ends (China dates). The end date carries its year when the period crosses one.
    /// </summary>
    public static string Period(Func<int, YearCalendar?> calendars, DateTimeOffset publishedAt, DateTimeOffset endsAt, int workingDays)
    {
        var first = WorkingDays.ChinaDate(publishedAt);
        var last = WorkingDays.ChinaDate(endsAt);
        while (first < last && !WorkingDays.IsWorkingDay(calendars, first, out _))
        {
            first = first.AddDays(1);
        }

        var end = last.Year == first.Year ? MonthDay(last) : $"{last.Year}年{MonthDay(last)}";
        return $"公示时间：{MonthDay(first)}至{end}（{workingDays.ToString(CultureInfo.InvariantCulture)}个工作日）";
    }

    private static string MonthDay(DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{day.Month}月{day.Day}日");
}
