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
    /// falls no later than the end of the next working day; otherwise null (nothing to say yet).
    /// </summary>
    public static string? Classify(Func<int, YearCalendar?> calendars, DateTimeOffset now, DateTimeOffset deadline) =>
        deadline <= now ? ReminderKinds.Overdue
        : WorkingDays.DueWithin(calendars, now, deadline, 1) ? ReminderKinds.DueSoon
        : null;

    public static string Subject(string kind, string bureauName, int count) => kind == ReminderKinds.Overdue
        ? $"【EduRelief】{bureauName}：{count} 件事项已超期，请督办"
        : $"【EduRelief】{bureauName}：{count} 件事项将于下一个工作日结束前到期";

    /// <summary>
    /// The digest body: one line per item with its reference, category, deadline, school and student name. Never the
    /// caller's name or phone, the case content or an ID number: the sources do not even hand those over.
    /// </summary>
    public static string Body(string kind, string bureauName, IReadOnlyList<DueItem> items)
    {
        var text = new StringBuilder();
        text.AppendLine("您好：").AppendLine();
        text.AppendLine(kind == ReminderKinds.Overdue
            ? $"以下 {items.Count} 件事项已超过办理期限，现提请{bureauName}督办："
            : $"以下 {items.Count} 件事项将于下一个工作日结束前到期，请及时办理：");
        text.AppendLine();
        var n = 0;
        foreach (var item in items.OrderBy(i => i.Deadline).ThenBy(i => i.Reference, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{++n}. {item.What} {item.Reference} | 类别 {item.Category} | 期限 {Deadline(item.Deadline)}");
            if (!string.IsNullOrEmpty(item.SchoolCode))
            {
                text.Append(CultureInfo.InvariantCulture, $" | 学校 {item.SchoolCode}");
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

    private static string Deadline(DateTimeOffset deadline) =>
        ChinaTime.ToChina(deadline).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " (+08:00)";
}
