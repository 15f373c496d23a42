using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Hosting;
using EduRelief.Mail;

namespace EduRelief.Reminders;

/// <summary>What one reminder run did.</summary>
public sealed record ReminderRun(DateOnly Date, bool WorkingDay, int DueSoon, int Overdue, int Digests, int CountiesWithoutContacts, int Returned = 0);

/// <summary>
/// The working-day 09:00 run. On a working day (China date, State Council calendar) it asks every source for its open
/// items, picks those due within their source's window (the end of the next working day for hotline cases, of the
/// third for rectification items; one digest per assignee mailbox and window), those sent back to their owner (one
/// digest per assignee mailbox) and those overdue (one digest per county bureau), and commits each digest's email row together with one marker row per item in one
/// entity-group transaction in the county's partition of table <c>mail</c>: a crash leaves both or neither, and a
/// marker already there (another run, another instance) makes the transaction fail and the item is left out on the
/// next round, so each (item, deadline, kind) is reminded exactly once. A new deadline (an extension) is a new marker;
/// for a returned item the return's time stands in for the deadline, so each return is reminded once.
/// Items of a county without contacts are skipped with a warning (their count only) and reminded once contacts exist.
/// </summary>
public sealed class ReminderService(
    IEnumerable<IReminderSource> sources,
    WorkingCalendar calendar,
    CountyContactsStore contacts,
    MailOutbox outbox,
    TimeProvider clock,
    ILogger<ReminderService> logger)
{
    public const string MarkerKind = "reminder";
    private const int MaxRounds = 20;

    private readonly IReadOnlyList<IReminderSource> _sources = sources.ToList();

    public async Task<ReminderRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = ChinaTime.Today(clock);
        var calendars = await calendar.CalendarsAsync(today.Year, today.Year + 1, cancellationToken);
        if (!WorkingDays.IsWorkingDay(calendars, today, out _))
        {
            logger.LogDebug("Reminders: {Date} is not a working day, nothing to do", today);
            return new ReminderRun(today, false, 0, 0, 0, 0);
        }

        var due = new List<Due>();
        foreach (var source in _sources)
        {
            foreach (var item in await source.FindAsync(now, cancellationToken))
            {
                foreach (var (kind, moment) in ReminderDigest.Select(calendars, now, item))
                {
                    due.Add(new Due(source, item, kind, moment));
                }
            }
        }

        int digests = 0, withoutContacts = 0;
        foreach (var county in due.GroupBy(d => d.Item.CountyCode, StringComparer.Ordinal))
        {
            var mailboxes = await contacts.GetAsync(county.Key, cancellationToken);
            if (mailboxes is null || string.IsNullOrWhiteSpace(mailboxes.BureauEmail))
            {
                withoutContacts++;
                logger.LogWarning("Reminders: county {CountyCode} has no contacts; {Count} due or overdue items were not reminded", county.Key, county.Count());
                continue;
            }

            // A due-soon digest says its window, so items of different windows go in different digests.
            var groups = county.GroupBy(d => (
                d.Kind,
                To: d.Kind == ReminderKinds.Overdue ? mailboxes.BureauEmail : mailboxes.EmailFor(d.Item.Assignee),
                Window: d.Kind == ReminderKinds.DueSoon ? Math.Max(1, d.Item.DueSoonWorkingDays) : 0));
            foreach (var group in groups.OrderBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal).ThenBy(g => g.Key.Window))
            {
                digests += await CommitDigestsAsync(mailboxes, group.Key.Kind, group.Key.To, group.Key.Window, today, group.ToList(), cancellationToken);
            }
        }

        var run = new ReminderRun(
            today, true, due.Count(d => d.Kind == ReminderKinds.DueSoon), due.Count(d => d.Kind == ReminderKinds.Overdue), digests, withoutContacts,
            due.Count(d => d.Kind == ReminderKinds.Returned));
        // A day with nothing to remind is not worth a line; one that sent or found something is.
        logger.Log(
            run.DueSoon + run.Overdue + run.Returned + run.Digests + run.CountiesWithoutContacts == 0 ? LogLevel.Debug : LogLevel.Information,
            "Reminders {Date}: {DueSoon} due soon, {Overdue} overdue, {Returned} returned, {Digests} digests committed, {Missing} counties without contacts",
            today, run.DueSoon, run.Overdue, run.Returned, run.Digests, run.CountiesWithoutContacts);
        return run;
    }

    /// <summary>The marker's RowKey: one per (source, item, deadline, kind); for a returned item the deadline is the return's time.</summary>
    public static string MarkerKey(string source, string itemKey, DateTimeOffset deadline, string kind) =>
        "r-" + Hash($"{source}|{itemKey}|{deadline.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{kind}");

    private async Task<int> CommitDigestsAsync(CountyContacts county, string kind, string to, int window, DateOnly today, List<Due> items, CancellationToken cancellationToken)
    {
        var table = outbox.Table;
        var partition = MailOutbox.PartitionFor(county.CountyCode);
        var committed = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            var remaining = new List<Due>();
            foreach (var d in items)
            {
                var marker = await table.GetEntityIfExistsAsync<TableEntity>(partition, MarkerKey(d.Source.Name, d.Item.Key, d.Moment, kind), ["RowKey", "At", "Recorded"], cancellationToken);
                if (!marker.HasValue)
                {
                    remaining.Add(d);
                }
                else if (marker.Value!.GetBoolean("Recorded") != true)
                {
                    // Reminded, but a crash (or another run still at work) kept it from showing on the item: show it now.
                    await RecordAsync([d], kind, marker.Value.GetDateTimeOffset("At") ?? clock.GetUtcNow(), partition, cancellationToken);
                }
            }

            if (remaining.Count == 0)
            {
                return committed;
            }

            var chunk = remaining.OrderBy(d => d.Item.Deadline).ThenBy(d => d.Item.Key, StringComparer.Ordinal).Take(ReminderDigest.MaxItems).ToList();
            var markerKeys = chunk.Select(d => MarkerKey(d.Source.Name, d.Item.Key, d.Moment, kind)).ToList();
            var now = clock.GetUtcNow();
            var mailKey = $"reminder|{county.CountyCode}|{kind}|{to}|{today:yyyy-MM-dd}|{Hash(string.Join(",", markerKeys))}";
            var mailRow = MailOutbox.NewRow(
                new MailRequest(mailKey, county.CountyCode, [to], ReminderDigest.Subject(kind, county.BureauName, chunk.Count, window),
                    ReminderDigest.Body(kind, county.BureauName, chunk.Select(d => d.Item).ToList(), window)),
                now);
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, mailRow) };
            for (var i = 0; i < chunk.Count; i++)
            {
                actions.Add(new(TableTransactionActionType.Add, new TableEntity(partition, markerKeys[i])
                {
                    ["Kind"] = MarkerKind,
                    ["Source"] = chunk[i].Source.Name,
                    ["ItemKey"] = chunk[i].Item.Key,
                    ["ReminderKind"] = kind,
                    ["Deadline"] = chunk[i].Moment,
                    ["MailId"] = mailRow.RowKey,
                    ["At"] = now,
                }));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
            {
                // Another run committed some of these first: look again and remind only what is left.
                continue;
            }

            committed++;
            // Shown on the items before the mail leaves (the outbox sends it even if this process dies here), so whoever
            // reads an item after receiving its reminder sees that it was reminded.
            await RecordAsync(chunk, kind, now, partition, cancellationToken);
            await outbox.TrySendAsync(partition, mailRow.RowKey, cancellationToken);
        }

        logger.LogWarning("Reminders: gave up committing {Kind} digests in county {CountyCode} after {Rounds} rounds; the next run tries again", kind, county.CountyCode, MaxRounds);
        return committed;
    }

    /// <summary>
    /// Lets each source show the reminder on its item, then flags the markers as recorded (one transaction), so a run
    /// after a crash between the digest's commit and this step records what is missing.
    /// </summary>
    private async Task RecordAsync(IReadOnlyList<Due> items, string kind, DateTimeOffset at, string partition, CancellationToken cancellationToken)
    {
        var recorded = new List<TableTransactionAction>();
        foreach (var d in items)
        {
            try
            {
                await d.Source.RecordAsync(d.Item, kind, at, cancellationToken);
                recorded.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(partition, MarkerKey(d.Source.Name, d.Item.Key, d.Moment, kind)) { ["Recorded"] = true }, ETag.All));
            }
            catch (RequestFailedException ex)
            {
                // The reminder is committed and will be sent; only its display on the item is missing, tried again next run.
                logger.LogWarning(ex, "Reminders: {Source} item {Key} could not record its {Kind} reminder", d.Source.Name, d.Item.Key, kind);
            }
        }

        if (recorded.Count > 0)
        {
            await outbox.Table.SubmitTransactionAsync(recorded, cancellationToken);
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    /// <summary>One reminder to send: <see cref="Moment"/> is what identifies it (the deadline, or the return's time).</summary>
    private sealed record Due(IReminderSource Source, DueItem Item, string Kind, DateTimeOffset Moment);
}
