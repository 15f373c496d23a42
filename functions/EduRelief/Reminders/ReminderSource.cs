namespace EduRelief.Reminders;

/// <summary>The two reminders: before a deadline (to the assignee's mailbox) and after it (escalation to the county bureau).</summary>
public static class ReminderKinds
{
    public const string DueSoon = "dueSoon";
    public const string Overdue = "overdue";
}

/// <summary>
/// An open item with a deadline, as a reminder source reports it. <see cref="Key"/> is stable for the item (a case
/// number, a rectification item id); <see cref="Assignee"/> is <c>school:{code}</c>, <c>section:{name}</c> or null (the
/// bureau). The display fields are all a digest shows: the student's name is the only personal data allowed in it.
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
    string? StudentName);

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

    /// <summary>Called after a reminder of <paramref name="kind"/> for the item is committed, so the item can show it.</summary>
    Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken);
}
