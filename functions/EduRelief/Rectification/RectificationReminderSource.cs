using Azure.Data.Tables;
using EduRelief.Cycles;
using EduRelief.Reminders;
using EduRelief.Storage;

namespace EduRelief.Rectification;

/// <summary>
/// Rectification items as a reminder source: items still with their owner (open or returned; a submitted or accepted
/// item is the bureau's to decide) with their deadline, reminded to the owner 3 working days ahead, escalated to the
/// bureau once past it, and, when returned, reminded to the owner once per return.
/// <para>
/// Which cycles: the <c>cycles</c> index (one small partition, one row per cycle) lists them; a closed or cancelled
/// cycle (one point read of its instance each) is skipped, and each live cycle's items are one range query of its own
/// partition of <c>rectification</c> with a status filter. That reads only live cycles' item rows, where a
/// cross-partition query on status would scan every cycle ever held, with all their history and evidence rows, and would
/// still remind items of closed or cancelled cycles.
/// </para>
/// Only the display columns are read (id, source, title, owner, school, student name; never the description). A
/// reminder shows on the item as <c>remindedAt</c>, <c>escalatedAt</c> or <c>returnRemindedAt</c> and one history row
/// (actor <c>timer</c>) keyed by the reminder, so recording it twice after a crash leaves one row.
/// </summary>
public sealed class RectificationReminderSource(StorageAccount storage, CycleService cycles, RectificationStore store, Eligibility.SchoolNames names) : IReminderSource
{
    /// <summary>The owner is reminded when the deadline falls within this many working days.</summary>
    public const int DueSoonWorkingDays = 3;

    public const string RemindedAction = "reminded";
    public const string EscalatedAction = "escalated";

    private readonly TableClient _cycles = storage.Table("cycles");

    public string Name => "rectification";

    public async Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<DueItem>();
        await foreach (var row in _cycles.QueryAsync<TableEntity>("PartitionKey eq 'cycle'", select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (await cycles.FindAsync(row.RowKey, cancellationToken) is not { } cycle || cycle.Stage is Stages.Closed or Stages.Cancelled)
            {
                continue;
            }

            var schools = names.InCycle(cycle.Id);
            foreach (var item in await store.AwaitingOwnerAsync(cycle.Id, cancellationToken))
            {
                items.Add(ToDueItem(cycle.CountyCode, item, item.SchoolCode is { } code ? await schools.FindAsync(code, cancellationToken) : null));
            }
        }

        return items;
    }

    public async Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var (cycleId, itemId) = SplitKey(item.Key);
        var (column, action, moment, note) = kind switch
        {
            ReminderKinds.Overdue => ("EscalatedAt", EscalatedAction, item.Deadline, "超期督办提醒已发送至教育局"),
            ReminderKinds.Returned => ("ReturnRemindedAt", RemindedAction, item.ReturnedAt ?? item.Deadline, "退回重新整改提醒已发送至责任单位"),
            _ => ("RemindedAt", RemindedAction, item.Deadline, $"{DueSoonWorkingDays} 个工作日内到期提醒已发送至责任单位"),
        };
        await store.RecordReminderAsync(cycleId, itemId, column, action, $"{kind}|{moment.UtcTicks}", note, at, cancellationToken);
    }

    /// <summary>
    /// The item as the reminder run sees it; its key is <c>{cycleId}/{itemId}</c> (item ids repeat across cycles), its
    /// school named <paramref name="schoolName"/> when the cycle's roster names it.
    /// </summary>
    public static DueItem ToDueItem(string countyCode, RectificationItem item, string? schoolName = null) => new(
        $"{item.CycleId}/{item.Id}",
        countyCode,
        item.DueAt,
        item.Owner,
        "整改事项",
        item.Id,
        RectificationSources.Label(item.Source),
        item.SchoolCode,
        string.IsNullOrWhiteSpace(item.StudentName) ? null : item.StudentName,
        DueSoonWorkingDays,
        item.Status == RectificationStatuses.Returned ? ReturnMoment(item) : null,
        item.Title,
        schoolName);

    /// <summary>
    /// What identifies the item's current return: its time; for an item returned before that was recorded, the time of
    /// the submission it answered (constant while it stays returned, unlike <c>UpdatedAt</c>, which evidence moves).
    /// </summary>
    private static DateTimeOffset ReturnMoment(RectificationItem item) => item.ReturnedAt ?? item.SubmittedAt ?? item.CreatedAt;

    private static (string CycleId, string ItemId) SplitKey(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }
}
