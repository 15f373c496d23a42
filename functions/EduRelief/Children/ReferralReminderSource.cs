using EduRelief.Counties;
using EduRelief.Reminders;

namespace EduRelief.Children;

/// <summary>
/// Open 两后生 referrals as a reminder source: the bureau's aid section is reminded 3 working days before an outcome is
/// due and the bureau once it is overdue, in the 09:00 working-day digest with the other items.
/// </summary>
public sealed class ReferralReminderSource(ReferralStore store) : IReminderSource
{
    public const int DueSoonWorkingDays = 3;

    public string Name => "referrals";

    public async Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<DueItem>();
        await foreach (var r in store.AllAsync(countyCode: null, ReferralStatuses.Open, cancellationToken))
        {
            items.Add(new DueItem(
                $"{r.CountyCode}/{r.Id}", r.CountyCode, r.DueAt, Assignees.ForSection(Assignees.AidSection), "两后生转介", r.Id, "两后生",
                r.SchoolCode, r.Name, DueSoonWorkingDays, Title: $"两后生转介：{r.SchoolName}{r.Stage}{r.Grade}年级毕业未升学，登记转介结果", SchoolName: r.SchoolName));
        }

        return items;
    }

    public Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var slash = item.Key.IndexOf('/', StringComparison.Ordinal);
        return store.MarkRemindedAsync(item.Key[..slash], item.Key[(slash + 1)..], kind == ReminderKinds.Overdue ? "EscalatedAt" : "RemindedAt", at, cancellationToken);
    }
}
