namespace EduRelief.Reminders;

/// <summary>
/// The reminders: before a deadline (to the assignee's mailbox), after it (escalation to the county bureau), and an item
/// sent back to its owner (to the assignee's mailbox, once per return).
/// </summary>
public static class ReminderKinds
{
    public const string DueSoon = "dueSoon";
    public const string Overdue = "overdue";
    public const string Returned = "returned";

    /// <summary>A 控辍保学 case without a progress note in the previous calendar week (周盘点): to the township and the school, once per week.</summary>
    public const string MissedWeek = "missedWeek";
}

/// <summary>
/// An open item with a deadline, as a reminder source reports it. <see cref="Key"/> is stable for the item (a case
/// number, a rectification item id); <see cref="Assignee"/> is <c>school:{code}</c>, <c>section:{name}</c> or null (the
/// bureau). The display fields are all a digest shows: the student's name is the only personal data allowed in it.
/// <see cref="DueSoonWorkingDays"/> is the item's "due soon" window: reminded once its deadline falls no later than the
/// end of that many working days after today (hotline cases 1, rectification items 3). <see cref="ReturnedAt"/> is set
/// for an item sent back to its owner and not yet resubmitted: the owner is reminded once per return (the time keys it).
/// <see cref="SchoolName"/> is the school's name as the verified roster gives it (null while none does): the digest
/// names the school by it, by its code only when unknown. <see cref="MissedWeek"/> (the week's Monday) is set for a case
/// that owes last week's progress note: it is reminded once per week to its assignee, whatever its deadline.
/// </summary>
public sealed record DueItem(
    string Key,
    string CountyCode,
    DateTimeOffset Deadline,
    string? Assignee,
    string What,
    string Reference,
    string Category,
    string? SchoolCode,
    string? StudentName,
    int DueSoonWorkingDays = 1,
    DateTimeOffset? ReturnedAt = null,
    string? Title = null,
    string? SchoolName = null,
    DateOnly? MissedWeek = null);

/// <summary>
/// Something with deadlines people must meet: hotline cases now, rectification items later. Each source is registered
/// in DI as an <see cref="IReminderSource"/>; the reminder run asks every one of them.
/// </summary>
public interface IReminderSource
{
    /// <summary>A short stable name; part of each reminder's identity, so two sources never share one.</summary>
    string Name { get; }

    /// <summary>Every open item that has a deadline (the run decides which are due soon or overdue).</summary>
    Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Called after a reminder of <paramref name="kind"/> for the item is committed, so the item can show it. May be
    /// called again for the same reminder (with the same <paramref name="at"/>) after a crash: it must be idempotent.
    /// </summary>
    Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken);
}
