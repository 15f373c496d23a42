using System.Globalization;
using System.Text;
using EduRelief.Calendar;
using EduRelief.Hosting;

namespace EduRelief.Reminders;

/// <summary>Which items are due for which reminder, and the digest text: pure, no storage and no clock.</summary>
public static class ReminderDigest
{
    /// <summary>Most items in one digest: its email row and one marker per item commit in one transaction of at most 100.</summary>
    public const int MaxItems = 99;

    /// <summary>
    /// <see cref="ReminderKinds.Overdue"/> once the deadline has passed; <see cref="ReminderKinds.DueSoon"/> when it
    /// falls no later than the end of the <paramref name="dueSoonWorkingDays"/>-th working day after today (1: the next
    /// working day); otherwise null (nothing to say yet).
    /// </summary>
    public static string? Classify(Func<int, YearCalendar?> calendars, DateTimeOffset now, DateTimeOffset deadline, int dueSoonWorkingDays = 1) =>
        deadline <= now ? ReminderKinds.Overdue
        : WorkingDays.DueWithin(calendars, now, deadline, dueSoonWorkingDays) ? ReminderKinds.DueSoon
        : null;

    /// <summary>
    /// Every reminder the item is due for now, each with the moment that identifies it: its deadline for due soon or
    /// overdue (a new deadline is a new reminder), its return for returned (a new return is a new reminder).
    /// </summary>
    public static IReadOnlyList<(string Kind, DateTimeOffset Moment)> Select(Func<int, YearCalendar?> calendars, DateTimeOffset now, DueItem item)
    {
        if (item.MissedWeek is { } week)
        {
            return [(ReminderKinds.MissedWeek, new DateTimeOffset(week.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)))];
        }

        var kinds = new List<(string, DateTimeOffset)>(2);
        if (item.ReturnedAt is { } returnedAt)
        {
            kinds.Add((ReminderKinds.Returned, returnedAt));
        }

        if (Classify(calendars, now, item.Deadline, Math.Max(1, item.DueSoonWorkingDays)) is { } kind)
        {
            kinds.Add((kind, item.Deadline));
        }

        return kinds;
    }

    public static string Subject(string kind, string bureauName, int count, int dueSoonWorkingDays = 1) => kind switch
    {
        ReminderKinds.Overdue => $"【EduRelief】{bureauName}：{count} 件事项已超期，请督办",
        ReminderKinds.Returned => $"【EduRelief】{bureauName}：{count} 件整改事项被退回，请重新整改",
        ReminderKinds.MissedWeek => $"【EduRelief】{bureauName}：{count} 件控辍保学案件上周未填写进展",
        _ => $"【EduRelief】{bureauName}：{count} 件事项将于{Window(dueSoonWorkingDays)}到期",
    };

    /// <summary>
    /// The digest body: one line per item with its reference, category, deadline, school (by name; by code while no
    /// verified roster names it) and student name. Never the
    /// caller's name or phone, the case content or an ID number: the sources do not even hand those over.
    /// </summary>
    public static string Body(string kind, string bureauName, IReadOnlyList<DueItem> items, int dueSoonWorkingDays = 1)
    {
        var text = new StringBuilder();
        text.AppendLine("您好：").AppendLine();
        text.AppendLine(kind switch
        {
            ReminderKinds.Overdue => $"以下 {items.Count} 件事项已超过办理期限，现提请{bureauName}督办：",
            ReminderKinds.Returned => $"以下 {items.Count} 件整改事项经验收被退回，请按退回意见重新整改并提交：",
            ReminderKinds.MissedWeek => $"以下 {items.Count} 件控辍保学案件上周没有进展记录（周盘点），请尽快入户劝返并填写本周进展：",
            _ => $"以下 {items.Count} 件事项将于{Window(dueSoonWorkingDays)}到期，请及时办理：",
        });
        text.AppendLine();
        var n = 0;
        foreach (var item in items.OrderBy(i => i.Deadline).ThenBy(i => i.Reference, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{++n}. {item.What} {item.Reference}");
            if (!string.IsNullOrEmpty(item.Title))
            {
                text.Append(CultureInfo.InvariantCulture, $" {item.Title}");
            }

            if (item.MissedWeek is { } week)
            {
                text.Append(CultureInfo.InvariantCulture, $" | 类别 {item.Category} | 缺少 {week:yyyy-MM-dd} 至 {week.AddDays(6):yyyy-MM-dd} 的周进展");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $" | 类别 {item.Category} | 期限 {Deadline(item.Deadline)}");
            }
            if (!string.IsNullOrEmpty(item.SchoolName))
            {
                text.Append(CultureInfo.InvariantCulture, $" | 学校 {item.SchoolName}");
            }
            else if (!string.IsNullOrEmpty(item.SchoolCode))
            {
                text.Append(CultureInfo.InvariantCulture, $" | 学校标识码 {item.SchoolCode}");
            }

            if (!string.IsNullOrEmpty(item.StudentName))
            {
                text.Append(CultureInfo.InvariantCulture, $" | 学生 {item.StudentName}");
            }

            text.AppendLine();
        }

        text.AppendLine().AppendLine("详情请登录 EduRelief 查看。此邮件由系统自动发送，请勿回复。");
        return text.ToString();
    }

    private static string Window(int dueSoonWorkingDays) =>
        dueSoonWorkingDays <= 1 ? "下一个工作日结束前" : $"{dueSoonWorkingDays.ToString(CultureInfo.InvariantCulture)} 个工作日内";

    private static string Deadline(DateTimeOffset deadline) =>
        ChinaTime.ToChina(deadline).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " (+08:00)";
}
