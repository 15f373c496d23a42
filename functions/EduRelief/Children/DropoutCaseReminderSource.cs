using EduRelief.Counties;
using EduRelief.Reminders;

namespace EduRelief.Children;

/// <summary>
/// The weekly check (周盘点) as a reminder source: on the 09:00 working-day run, every open 控辍保学 case that owed a
/// progress note for the previous calendar week and has none is listed twice, to its township's mailbox and to its
/// school's (the last known school; the bureau's aid section for a child who never had one), so each township and
/// school gets one digest of its cases, once per week (the week's Monday keys the reminder).
/// </summary>
public sealed class DropoutCaseReminderSource(DropoutCaseStore store) : IReminderSource
{
    public string Name => "dropoutcases";

    public async Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<DueItem>();
        await foreach (var c in store.AllAsync(countyCode: null, cancellationToken))
        {
            if (!c.IsOpen || DropoutWeeks.MissedLastWeek(c.OpenedAt, c.NotedWeeks, now) is not { } week)
            {
                continue;
            }

            var title = $"控辍保学：{c.Township}{c.Village}{DropoutCaseRules.Label(c.Status)}";
            DueItem For(string to, string key) => new(
                $"{c.CountyCode}/{c.Id}/{key}", c.CountyCode, DropoutWeeks.EndOf(week), to, "控辍保学案件", c.Id, "周盘点", c.SchoolCode, c.Name,
                Title: title, SchoolName: c.SchoolName, MissedWeek: week);
            if (c.Township is { } township)
            {
                items.Add(For(Assignees.ForTownship(township), "township"));
            }

            items.Add(For(Assignees.SchoolOrAidSection(c.SchoolCode), "school"));
        }

        return items;
    }

    public Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var parts = item.Key.Split('/');
        return store.MarkRemindedAsync(parts[0], parts[1], at, cancellationToken);
    }
}
