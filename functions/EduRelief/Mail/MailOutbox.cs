using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EduRelief.Counties;
using EduRelief.Storage;
using EduRelief.Workflow;
using Page = EduRelief.Storage.Page<EduRelief.Mail.MailItem>;

namespace EduRelief.Mail;

/// <summary>Where an email stands: waiting (or being retried), delivered to SendGrid, given up on, or not sent (Development without a key).</summary>
public static class MailStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Pending, Sent, Failed, Skipped };
}

/// <summary>An email to send, under a key the caller chooses: the same key twice is one email.</summary>
public sealed record MailRequest(string Key, string? CountyCode, IReadOnlyList<string> To, string Subject, string Body)
{
    /// <summary>Files attached from the app's content-addressed blobs (read when the email is sent, so the row stays small).</summary>
    public IReadOnlyList<MailAttachment> Attachments { get; init; } = [];
}

/// <summary>A file to attach: its name and type as the recipient sees them, and where its bytes are (container <c>{prefix}{Container}</c>, blob <c>sha256/{Sha256}</c>).</summary>
public sealed record MailAttachment(string FileName, string ContentType, string Container, string Sha256);

/// <summary>An email as operators see it: recipients and state, not the body.</summary>
public sealed record MailItem(
    string Id,
    string Key,
    string? CountyCode,
    IReadOnlyList<string> To,
    string Subject,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? SentAt,
    string? LastError);

/// <summary>
/// The durable outbox (table <c>mail</c>, one partition per county, "_" for mail of no county). Every email is first
/// a row, then sent; a send that fails for a passing reason (no answer, 429, 5xx) stays pending with its attempts and
/// the time of the next try (exponential backoff), and the sweep timer tries it again, so no email is lost across
/// restarts; after <see cref="MailSettings.MaxAttempts"/> it is failed, as is any other 4xx at once. Before sending, an
/// instance claims the row under its ETag and pushes its next attempt past a lease, so two instances never send the
/// same row at once and a crash mid-send only delays it. Rows of other kinds (reminder markers) share the partitions so
/// that they commit with their email in one transaction.
/// </summary>
public sealed class MailOutbox(StorageAccount storage, MailSender sender, MailSettings settings, CountyContactsStore contacts, TimeProvider clock, EduRelief.Observability.AppMetrics metrics, ILogger<MailOutbox> logger) : IDeclaresTables
{
    public const string TableName = "mail";

    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new(TableName, CycleRowScope.CountyPartition)];
    public const string MailKind = "mail";
    public const int MaxBodyChars = 30_000;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly TableClient _table = storage.Table(TableName);

    public TableClient Table => _table;

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    public static string PartitionFor(string? countyCode) => string.IsNullOrEmpty(countyCode) ? "_" : countyCode;

    /// <summary>Caller keys are free text; a hash keeps any of them a valid RowKey.</summary>
    public static string RowKeyFor(string key) => "m-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The pending row of an email, for callers that commit it in a transaction with rows of their own.</summary>
    public static TableEntity NewRow(MailRequest request, DateTimeOffset now)
    {
        if (request.To.Count == 0 || request.Body.Length > MaxBodyChars || request.Subject.Length > 500)
        {
            throw new ArgumentException("An email has at least one recipient, a subject of at most 500 and a body of at most 30,000 characters.", nameof(request));
        }

        return new TableEntity(PartitionFor(request.CountyCode), RowKeyFor(request.Key))
        {
            ["Kind"] = MailKind,
            ["Key"] = request.Key,
            ["CountyCode"] = request.CountyCode,
            ["To"] = JsonSerializer.Serialize(request.To),
            ["Subject"] = request.Subject,
            ["Body"] = request.Body,
            ["Attachments"] = request.Attachments.Count == 0 ? null : JsonSerializer.Serialize(request.Attachments),
            ["Status"] = MailStatuses.Pending,
            ["Attempts"] = 0,
            ["CreatedAt"] = now,
            ["NextAttemptAt"] = now,
        };
    }

    /// <summary>
    /// Records the email (once per key); the sweep sends it within seconds. Nothing is sent inline, so a slow or failing
    /// SendGrid never holds up the request that wanted the email (a webhook, an approval).
    /// </summary>
    public async Task<MailItem> EnqueueAsync(MailRequest request, CancellationToken cancellationToken)
    {
        var row = NewRow(request, clock.GetUtcNow());
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            // The same key again: one email.
        }

        var stored = await _table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
        return ToItem(stored.Value);
    }

    /// <summary>The row's attachments with their bytes, read from their content-addressed blobs.</summary>
    private async Task<IReadOnlyList<(MailAttachment File, byte[] Content)>> AttachmentsAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var files = row.GetString("Attachments") is { } json ? JsonSerializer.Deserialize<MailAttachment[]>(json) ?? [] : [];
        var loaded = new List<(MailAttachment, byte[])>();
        foreach (var file in files)
        {
            var blobs = new ContentAddressedBlobs(storage.Blobs.GetBlobContainerClient(storage.ContainerName(file.Container)));
            await using var stream = await blobs.OpenAsync(file.Sha256, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            loaded.Add((file, buffer.ToArray()));
        }

        return loaded;
    }

    /// <summary>
    /// Claims the row if it is pending and due, sends it, and records the outcome; null when there was nothing to do
    /// (not due, not pending, or another instance claimed it first).
    /// </summary>
    public async Task<SendOutcome?> TrySendAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } row || row.GetString("Status") != MailStatuses.Pending)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (row.GetDateTimeOffset("NextAttemptAt") is { } next && next > now)
        {
            return null;
        }

        var attempts = (row.GetInt32("Attempts") ?? 0) + 1;
        var claim = new TableEntity(partitionKey, rowKey) { ["Attempts"] = attempts, ["NextAttemptAt"] = now + Lease };
        ETag leased;
        try
        {
            leased = (await _table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Merge, cancellationToken)).Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException ex) when (ex.Status is StatusCodes.Status412PreconditionFailed or StatusCodes.Status404NotFound)
        {
            return null;
        }

        SendResult result;
        try
        {
            var mail = new OutgoingMail(rowKey, JsonSerializer.Deserialize<string[]>(row.GetString("To") ?? "[]") ?? [], row.GetString("Subject") ?? "", row.GetString("Body") ?? "")
            {
                Attachments = await AttachmentsAsync(row, cancellationToken),
            };
            result = await sender.SendAsync(mail, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = new SendResult(SendOutcome.Transient, $"sending failed: {ex.GetType().Name}");
        }

        var done = clock.GetUtcNow();
        var update = new TableEntity(partitionKey, rowKey) { ["UpdatedAt"] = done };
        switch (result.Outcome)
        {
            case SendOutcome.Sent:
                update["Status"] = MailStatuses.Sent;
                update["SentAt"] = done;
                break;
            case SendOutcome.Skipped:
                update["Status"] = MailStatuses.Skipped;
                update["LastError"] = result.Reason;
                break;
            case SendOutcome.Transient when attempts < settings.MaxAttempts:
                update["LastError"] = result.Reason;
                update["NextAttemptAt"] = done + settings.Backoff(attempts);
                break;
            default:
                update["Status"] = MailStatuses.Failed;
                update["LastError"] = result.Outcome == SendOutcome.Transient ? $"gave up after {attempts} attempts; last: {result.Reason}" : result.Reason;
                break;
        }

        try
        {
            await _table.UpdateEntityAsync(update, leased, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status412PreconditionFailed)
        {
            // The lease ran out and another instance claimed the row; it records its own outcome.
            logger.LogWarning("Mail {MailId}: the lease ran out before the outcome {Outcome} was recorded", rowKey, result.Outcome);
        }

        // Ids and outcomes only: recipients, bodies and SendGrid's error text (which may quote an address) stay out
        // of the log; operators read the reason on GET /api/mail.
        if (result.Outcome == SendOutcome.Sent)
        {
            metrics.MailSent();
            logger.LogInformation("Mail {MailId} sent on attempt {Attempt}", rowKey, attempts);
        }
        else
        {
            if (result.Outcome != SendOutcome.Skipped)
            {
                metrics.MailFailed(final: update.GetString("Status") == MailStatuses.Failed);
            }

            logger.LogWarning("Mail {MailId} attempt {Attempt}: {Outcome}, now {Status}", rowKey, attempts, result.Outcome, update.GetString("Status") ?? MailStatuses.Pending);
        }

        return result.Outcome;
    }

    /// <summary>Emails one sweep sends at most, so that a slow SendGrid cannot hold up the workflow timers sharing the sweep.</summary>
    public const int MaxPerSweep = 20;

    /// <summary>The sweep's part: sends pending emails whose next attempt is due, at most <see cref="MaxPerSweep"/>. Safe on several instances at once.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tried = 0;
        var filter = TableClient.CreateQueryFilter($"Kind eq {MailKind} and Status eq {MailStatuses.Pending} and NextAttemptAt le {now}");
        var sent = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (++tried > MaxPerSweep)
            {
                break;
            }

            try
            {
                if (await TrySendAsync(row.PartitionKey, row.RowKey, cancellationToken) == SendOutcome.Sent)
                {
                    sent++;
                }
            }
            catch (RequestFailedException ex)
            {
                // Storage trouble on one row: the next sweep tries it again.
                logger.LogError(ex, "Mail {MailId} could not be processed", row.RowKey);
            }
        }

        return sent;
    }

    /// <summary>The outbox; <paramref name="counties"/> limits it to those counties' mail (null: every county's and the bureau-wide).</summary>
    public async Task<Page> ListAsync(string? status, IReadOnlyList<string>? counties, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = status is null
            ? TableClient.CreateQueryFilter($"Kind eq {MailKind}")
            : TableClient.CreateQueryFilter($"Kind eq {MailKind} and Status eq {status}");
        if (counties is not null)
        {
            filter += " and " + Auth.CountyScope.TableFilter("CountyCode", counties);
        }

        string[] columns = ["PartitionKey", "RowKey", "Key", "CountyCode", "To", "Subject", "Status", "Attempts", "CreatedAt", "NextAttemptAt", "SentAt", "LastError"];
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, pageSize, columns, cancellationToken).AsPages(continuationToken, pageSize))
        {
            return new Page(page.Values.Select(ToItem).ToList(), page.ContinuationToken);
        }

        return new Page([], null);
    }

    /// <summary>
    /// Tells the county bureau, once per county and year, that a deadline was counted on weekends only because the
    /// State Council calendar of that year is not entered. False when the county has no contacts (logged, nothing sent).
    /// </summary>
    public async Task<bool> WarnCalendarMissingAsync(string countyCode, int year, CancellationToken cancellationToken)
    {
        var county = await contacts.GetAsync(countyCode, cancellationToken);
        if (county is null || string.IsNullOrWhiteSpace(county.BureauEmail))
        {
            logger.LogWarning("County {CountyCode} has no contacts: the missing {Year} calendar warning was not mailed", countyCode, year);
            return false;
        }

        var body = new StringBuilder()
            .AppendLine($"{county.BureauName}：")
            .AppendLine()
            .AppendLine($"{year} 年的国务院节假日安排尚未录入 EduRelief。该年的公示期和办理期限暂时只按周末计算，法定节假日和调休补班日都没有计入，期限可能不准确。")
            .AppendLine()
            .AppendLine($"请管理员按国务院办公厅发布的通知录入 {year} 年日历：PUT /api/calendar/{year}（bureau_admin 权限，正文为当年的节假日和调休上班日）。录入后新计算的期限即按该日历执行。")
            .AppendLine()
            .AppendLine($"The State Council calendar for {year} is not entered: deadlines in {year} count weekends only. Enter it with PUT /api/calendar/{year}.")
            .ToString();
        await EnqueueAsync(
            new MailRequest($"calendar-missing|{countyCode}|{year}", countyCode, [county.BureauEmail], $"【EduRelief】{year} 年节假日日历未录入，期限仅按周末计算", body),
            cancellationToken);
        return true;
    }

    private static MailItem ToItem(TableEntity e) => new(
        e.RowKey,
        e.GetString("Key") ?? "",
        e.GetString("CountyCode"),
        JsonSerializer.Deserialize<string[]>(e.GetString("To") ?? "[]") ?? [],
        e.GetString("Subject") ?? "",
        e.GetString("Status") ?? MailStatuses.Pending,
        e.GetInt32("Attempts") ?? 0,
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetString("Status") == MailStatuses.Pending ? e.GetDateTimeOffset("NextAttemptAt") : null,
        e.GetDateTimeOffset("SentAt"),
        e.GetString("LastError"));
}
