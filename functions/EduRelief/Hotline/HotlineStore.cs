using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Page = EduRelief.Storage.Page<EduRelief.Hotline.HotlineCase>;
using Azure.Data.Tables;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Hotline;

/// <summary>A registered hotline case. The caller's phone is stored in full; answers show it masked.</summary>
public sealed record HotlineCase(
    string CaseNumber,
    string ExternalId,
    string CountyCode,
    string Category,
    string Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? Deadline,
    string DeadlineRule,
    string CallerName,
    string CallerPhone,
    string Content,
    HotlineSubject? Subject)
{
    /// <summary><c>school:{code}</c> or <c>section:{name}</c>; null until assigned (the bureau's own).</summary>
    public string? Assignee { get; init; }

    public bool DeadlineCalendarMissing { get; init; }

    public CaseExtension? Extension { get; init; }

    public string? ObjectionDecision { get; init; }

    public string? ObjectionReason { get; init; }

    public string? ObjectionDecidedBy { get; init; }

    public DateTimeOffset? ObjectionDecidedAt { get; init; }

    public string? Reply { get; init; }

    public DateTimeOffset? RepliedAt { get; init; }

    public string? Satisfaction { get; init; }

    public int Reopened { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>When the reminder timer last reminded the assignee, and escalated the case to the bureau.</summary>
    public DateTimeOffset? RemindedAt { get; init; }

    public DateTimeOffset? EscalatedAt { get; init; }

    public int HistoryCount { get; init; }

    /// <summary>Still owed an answer, and past its deadline.</summary>
    public bool IsOverdue(DateTimeOffset now) => HotlineStatuses.Open.Contains(Status) && Deadline < now;
}

/// <summary>Filters of the case list; <paramref name="OverdueAt"/> keeps open cases past their deadline at that instant.</summary>
/// <summary>A case list's filters; <paramref name="Counties"/> limits it to the caller's counties (null: every county).</summary>
public sealed record HotlineCaseFilter(string? Status, string? Category, string? CycleId, string? Assignee = null, DateTimeOffset? OverdueAt = null, IReadOnlyList<string>? Counties = null);

/// <summary>
/// Cases live in <c>hotlinecases</c>, one partition per county. In that partition sit, per case, the case row (RowKey
/// the case number) and an idempotency row keyed by the hotline's external id, and per year a counter row. A case is
/// registered in one entity-group transaction that adds both rows and moves the counter under its ETag: a crash leaves
/// either the whole case or nothing, and two instances can never hand out the same number. Per cycle, a figures row
/// (<see cref="FiguresAsync"/>) is moved in the same transaction as every case change that moves a figure. Seen signatures live in
/// <c>hotlinesignatures</c>, so a replay is refused whichever instance receives it.
/// </summary>
public sealed class HotlineStore(StorageAccount storage, ICaseDeadlines deadlines) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("hotlinecases", CycleRowScope.CountyPartition), new("hotlinesignatures")];

    private const string CaseKind = "case";
    private const int MaxAttempts = 200;

    private readonly TableClient _cases = storage.Table("hotlinecases");
    private readonly TableClient _signatures = storage.Table("hotlinesignatures");

    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await _cases.CreateIfNotExistsAsync(cancellationToken);
        await _signatures.CreateIfNotExistsAsync(cancellationToken);
    }

    /// <summary>
    /// Records a verified signature; false when it was seen before (a replay). Rows are partitioned by the hour of the
    /// signed timestamp: a replay carries the same timestamp, so it meets its row, and hours that have left the
    /// signature window are deleted whole, at most every <see cref="SignatureCleanupEvery"/> per instance.
    /// </summary>
    public async Task<bool> TryRecordSignatureAsync(string signature, long signedAtSeconds, DateTimeOffset seenAt, CancellationToken cancellationToken)
    {
        var due = Interlocked.Read(ref _nextSignatureCleanupTicks);
        if (seenAt.UtcTicks >= due && Interlocked.CompareExchange(ref _nextSignatureCleanupTicks, (seenAt + SignatureCleanupEvery).UtcTicks, due) == due)
        {
            await DeleteSignaturesBeforeAsync(seenAt - HotlineSignature.Window - TimeSpan.FromHours(1), cancellationToken);
        }

        try
        {
            await _signatures.AddEntityAsync(new TableEntity(SignatureHour(signedAtSeconds), signature.ToLowerInvariant()) { ["SeenAt"] = seenAt }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            return false;
        }
    }

    /// <summary>Removes a recorded signature whose request failed before it was answered.</summary>
    public async Task ForgetSignatureAsync(string signature, long signedAtSeconds, CancellationToken cancellationToken)
    {
        try
        {
            await _signatures.DeleteEntityAsync(SignatureHour(signedAtSeconds), signature.ToLowerInvariant(), ETag.All, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Storage is failing as a whole; the hotline's next retry, signed anew, still finds its case by externalId.
        }
    }

    /// <summary>Notes on a signature's row the case its delivery was answered with, and a hash of the body it signed.</summary>
    public Task MarkSignatureAnsweredAsync(string signature, long signedAtSeconds, string bodySha256, string caseNumber, CancellationToken cancellationToken) =>
        _signatures.UpdateEntityAsync(
            new TableEntity(SignatureHour(signedAtSeconds), signature.ToLowerInvariant()) { ["BodySha256"] = bodySha256, ["CaseNumber"] = caseNumber },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);

    /// <summary>
    /// The case a delivery with this signature was answered with, when the replay carries the very same body; null for
    /// a delivery still being handled, one that was refused, or another body (a replay, refused).
    /// </summary>
    public async Task<CaseNumber?> AnsweredCaseAsync(string signature, long signedAtSeconds, string bodySha256, CancellationToken cancellationToken)
    {
        var row = await _signatures.GetEntityIfExistsAsync<TableEntity>(SignatureHour(signedAtSeconds), signature.ToLowerInvariant(), cancellationToken: cancellationToken);
        return row.HasValue && row.Value!.GetString("BodySha256") == bodySha256 && CaseNumber.TryParse(row.Value.GetString("CaseNumber"), out var number) ? number : null;
    }

    /// <summary>Deletes the signature rows of every hour that ended before <paramref name="cutoff"/>; a replay that old is refused by its timestamp alone.</summary>
    public async Task<int> DeleteSignaturesBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var filter = $"PartitionKey ge 'h' and PartitionKey lt '{SignatureHour(cutoff.ToUnixTimeSeconds())}'";
        var deleted = 0;
        await foreach (var page in _signatures.QueryAsync<TableEntity>(filter, 1000, ["PartitionKey", "RowKey"], cancellationToken).AsPages())
        {
            foreach (var hour in page.Values.GroupBy(e => e.PartitionKey))
            {
                foreach (var chunk in hour.Chunk(100))
                {
                    try
                    {
                        await _signatures.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
                        deleted += chunk.Length;
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
                    {
                        // Another instance is cleaning the same hour.
                    }
                }
            }
        }

        return deleted;
    }

    public static readonly TimeSpan SignatureCleanupEvery = TimeSpan.FromMinutes(10);

    private long _nextSignatureCleanupTicks;

    private static string SignatureHour(long unixSeconds) => "h" + (unixSeconds / 3600).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Numbers and stores a case, or returns the case already registered for its external id (Created false).</summary>
    public async Task<(bool Created, HotlineCase Case)> RegisterAsync(HotlineCaseInput input, DateTimeOffset registeredAt, CancellationToken cancellationToken)
    {
        var partition = input.CountyCode;
        var idempotencyKey = IdempotencyKey(input.ExternalId);
        var year = ChinaTime.ToChina(registeredAt).Year;
        var counterKey = $"seq-{year.ToString("D4", CultureInfo.InvariantCulture)}";
        var deadline = await deadlines.ForNewCaseAsync(input, cancellationToken);

        var added = await NumberedInsert.AddAsync(
            _cases,
            partition,
            counterKey,
            idempotencyKey,
            async seen => ToCase((await _cases.GetEntityAsync<TableEntity>(partition, seen.GetString("CaseNumber"), cancellationToken: cancellationToken)).Value),
            async next =>
            {
                var number = new CaseNumber(input.CountyCode, year, next).ToString();
                var @case = new HotlineCase(
                    number, input.ExternalId, input.CountyCode, input.Category, HotlineStatuses.New, input.ReceivedAt, registeredAt,
                    deadline.DueAt, deadline.Rule, input.CallerName, input.CallerPhone, input.Content, input.Subject)
                {
                    DeadlineCalendarMissing = deadline.CalendarMissing,
                    HistoryCount = 1,
                };
                var first = new CaseHistoryEntry(1, registeredAt, "hotline", "registered", null, HotlineStatuses.New, deadline.Note);
                List<TableTransactionAction> rows =
                [
                    new(TableTransactionActionType.Add, ToEntity(@case)),
                    new(TableTransactionActionType.Add, new TableEntity(partition, idempotencyKey) { ["CaseNumber"] = number, ["ExternalId"] = input.ExternalId }),
                    new(TableTransactionActionType.Add, ToEntity(partition, number, first)),
                    .. await FiguresActionsAsync(partition, null, @case, cancellationToken),
                ];
                return (@case, rows);
            },
            cancellationToken);
        return added ?? throw new InvalidOperationException($"No case number could be allocated in county {input.CountyCode} after {NumberedInsert.MaxAttempts} attempts.");
    }

    public async Task<HotlineCase?> GetAsync(CaseNumber number, CancellationToken cancellationToken)
    {
        var row = await _cases.GetEntityIfExistsAsync<TableEntity>(number.CountyCode, number.ToString(), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity && entity.GetString("Kind") == CaseKind ? ToCase(entity) : null;
    }

    /// <summary>
    /// Applies a person's action under the case row's ETag, together with its history line in one transaction; when
    /// someone changed the case meanwhile, the action is judged again on the fresh case. Null when the case does not exist.
    /// </summary>
    public async Task<CaseChange?> ChangeAsync(CaseNumber number, CaseAction action, CancellationToken cancellationToken)
    {
        // A change of another case of the cycle meanwhile moves the cycle's figures row: that is no reason to give up.
        for (var (attempt, rounds) = (0, 0); attempt < 5 && rounds < MaxAttempts; rounds++)
        {
            var row = await _cases.GetEntityIfExistsAsync<TableEntity>(number.CountyCode, number.ToString(), cancellationToken: cancellationToken);
            if (!row.HasValue || row.Value is not { } entity || entity.GetString("Kind") != CaseKind)
            {
                return null;
            }

            var before = ToCase(entity);
            var change = CaseLifecycle.Apply(before, action);
            if (change.Refusal is not null)
            {
                return change;
            }

            try
            {
                await _cases.SubmitTransactionAsync(
                    [
                        new(TableTransactionActionType.UpdateReplace, ToEntity(change.Case!), entity.ETag),
                        new(TableTransactionActionType.Add, ToEntity(number.CountyCode, number.ToString(), change.Entry!)),
                        .. await FiguresActionsAsync(number.CountyCode, before, change.Case, cancellationToken),
                    ],
                    cancellationToken);
                return change;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
            {
                // Someone else changed the case first: judge the action again on what they left.
                attempt += ex.FailedTransactionActionIndex is >= 2 ? 0 : 1;
            }
        }

        return CaseChange.Refuse(new Text("此工单正由他人办理，请稍后重试。", "The case is being changed by others at this moment; try again."));
    }

    public async Task<IReadOnlyList<CaseHistoryEntry>> HistoryAsync(CaseNumber number, CancellationToken cancellationToken)
    {
        var prefix = $"{number}|h|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {number.CountyCode} and RowKey ge {prefix} and RowKey lt {Keys.End(prefix)}");
        var entries = new List<CaseHistoryEntry>();
        await foreach (var e in _cases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new CaseHistoryEntry(
                e.GetInt32("Sequence") ?? 0, e.GetDateTimeOffset("At") ?? default, e.GetString("Actor") ?? "", e.GetString("Event") ?? "",
                e.GetString("From"), e.GetString("To") ?? "", e.GetString("Note")));
        }

        return entries;
    }

    /// <summary>
    /// The figures of a cycle's cases (<see cref="StatusTally"/>, grouped by assignee; "" for the bureau's own): one point
    /// read of the row <c>~figures|{cycle}</c> of the county's partition, which every registration and change that moves
    /// a figure rewrites in its own transaction. A cycle without the row yet (none of its cases changed since figures
    /// were kept) gets it here from a scan of its cases, added only if still absent.
    /// </summary>
    public Task<StatusTally> FiguresAsync(string countyCode, string cycleId, CancellationToken cancellationToken) =>
        StatusTally.ReadOrAddRowAsync(_cases, countyCode, FiguresKey(cycleId), () => RecountAsync(countyCode, cycleId, cancellationToken), cancellationToken);

    /// <summary>The same figures from every case of the cycle: the oracle the figures row is tested against.</summary>
    public async Task<StatusTally> RecountAsync(string countyCode, string cycleId, CancellationToken cancellationToken)
    {
        var tally = new StatusTally();
        await foreach (var c in AllForCycleAsync(countyCode, cycleId, cancellationToken))
        {
            tally.Apply(null, Entry(c));
        }

        return tally;
    }

    private const string FiguresPrefix = "~figures|";

    private static string FiguresKey(string cycleId) => FiguresPrefix + cycleId;

    /// <summary>What a case adds to its cycle's figures: its assignee, its status and, while it owes an answer, its deadline.</summary>
    private static TallyEntry? Entry(HotlineCase? c) =>
        c?.Subject?.CycleId is null ? null : new TallyEntry(c.Assignee ?? "", c.Status, HotlineStatuses.Open.Contains(c.Status) ? c.Deadline : null);

    /// <summary>
    /// The figures rows a case's change from <paramref name="before"/> (null: new) to <paramref name="after"/> moves, to
    /// write in the same transaction as the case: each under the ETag read, or added when absent (so a concurrent first
    /// writer makes the transaction fail and be retried).
    /// </summary>
    private async Task<List<TableTransactionAction>> FiguresActionsAsync(string countyCode, HotlineCase? before, HotlineCase? after, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();
        var (fromCycle, toCycle) = (before?.Subject?.CycleId, after?.Subject?.CycleId);
        var (from, to) = (Entry(before), Entry(after));
        if (fromCycle == toCycle && from == to)
        {
            return actions;
        }

        foreach (var cycleId in new[] { fromCycle, toCycle }.OfType<string>().Distinct())
        {
            var (tally, etag) = await StatusTally.ReadRowAsync(_cases, countyCode, FiguresKey(cycleId), () => RecountAsync(countyCode, cycleId, cancellationToken), cancellationToken);
            tally.Apply(fromCycle == cycleId ? from : null, toCycle == cycleId ? to : null);
            actions.Add(tally.WriteAction(countyCode, FiguresKey(cycleId), etag));
        }

        return actions;
    }

    /// <summary>Every case about a cycle (cases live in their county's partition).</summary>
    public async IAsyncEnumerable<HotlineCase> AllForCycleAsync(string countyCode, string cycleId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {countyCode} and Kind eq {CaseKind} and SubjectCycleId eq {cycleId}");
        await foreach (var e in _cases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToCase(e);
        }
    }

    public async Task<Page> ListAsync(HotlineCaseFilter filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var clauses = new List<string> { TableClient.CreateQueryFilter($"Kind eq {CaseKind}") };
        if (filter.Status is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {filter.Status}"));
        }

        if (filter.Category is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Category eq {filter.Category}"));
        }

        if (filter.CycleId is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"SubjectCycleId eq {filter.CycleId}"));
        }

        if (filter.Counties is { } counties)
        {
            // Cases are partitioned by county.
            clauses.Add(Auth.CountyScope.TableFilter("PartitionKey", counties));
        }

        if (filter.Assignee is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Assignee eq {filter.Assignee}"));
        }

        if (filter.OverdueAt is { } now)
        {
            // Open and past the deadline; a case without a deadline is never overdue.
            clauses.Add("(" + string.Join(" or ", HotlineStatuses.Open.Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")");
            clauses.Add(TableClient.CreateQueryFilter($"Deadline lt {now}"));
        }

        await foreach (var page in _cases.QueryAsync<TableEntity>(string.Join(" and ", clauses), pageSize, cancellationToken: cancellationToken).AsPages(continuationToken, pageSize))
        {
            return new Page(page.Values.Select(ToCase).ToList(), page.ContinuationToken);
        }

        return new Page([], null);
    }

    /// <summary>External ids are the hotline's own text; a hash keeps any of them a valid RowKey.</summary>
    private static string IdempotencyKey(string externalId) =>
        "ext-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)));

    private static TableEntity ToEntity(HotlineCase c) => new(c.CountyCode, c.CaseNumber)
    {
        ["Kind"] = CaseKind,
        ["ExternalId"] = c.ExternalId,
        ["Category"] = c.Category,
        ["Status"] = c.Status,
        ["ReceivedAt"] = c.ReceivedAt,
        ["RegisteredAt"] = c.RegisteredAt,
        ["Deadline"] = c.Deadline,
        ["DeadlineRule"] = c.DeadlineRule,
        ["CallerName"] = c.CallerName,
        ["CallerPhone"] = c.CallerPhone,
        ["Content"] = c.Content,
        ["SubjectCycleId"] = c.Subject?.CycleId,
        ["SubjectSchoolCode"] = c.Subject?.SchoolCode,
        ["SubjectStudentName"] = c.Subject?.StudentName,
        ["HasSubject"] = c.Subject is not null,
        ["Assignee"] = c.Assignee,
        ["DeadlineCalendarMissing"] = c.DeadlineCalendarMissing,
        ["Extension"] = c.Extension is null ? null : JsonSerializer.Serialize(c.Extension),
        ["ObjectionDecision"] = c.ObjectionDecision,
        ["ObjectionReason"] = c.ObjectionReason,
        ["ObjectionDecidedBy"] = c.ObjectionDecidedBy,
        ["ObjectionDecidedAt"] = c.ObjectionDecidedAt,
        ["Reply"] = c.Reply,
        ["RepliedAt"] = c.RepliedAt,
        ["Satisfaction"] = c.Satisfaction,
        ["Reopened"] = c.Reopened,
        ["ClosedAt"] = c.ClosedAt,
        ["RemindedAt"] = c.RemindedAt,
        ["EscalatedAt"] = c.EscalatedAt,
        ["HistoryCount"] = c.HistoryCount,
    };

    private static TableEntity ToEntity(string partition, string caseNumber, CaseHistoryEntry h) => new(partition, $"{caseNumber}|h|{h.Sequence:D4}")
    {
        ["Kind"] = "history",
        ["Sequence"] = h.Sequence,
        ["At"] = h.At,
        ["Actor"] = h.Actor,
        ["Event"] = h.Event,
        ["From"] = h.From,
        ["To"] = h.To,
        ["Note"] = h.Note,
    };

    private static HotlineCase ToCase(TableEntity e) => new(
        e.RowKey,
        e.GetString("ExternalId") ?? "",
        e.PartitionKey,
        e.GetString("Category") ?? "",
        e.GetString("Status") ?? HotlineStatuses.New,
        e.GetDateTimeOffset("ReceivedAt") ?? default,
        e.GetDateTimeOffset("RegisteredAt") ?? default,
        e.GetDateTimeOffset("Deadline"),
        e.GetString("DeadlineRule") ?? "",
        e.GetString("CallerName") ?? "",
        e.GetString("CallerPhone") ?? "",
        e.GetString("Content") ?? "",
        e.GetBoolean("HasSubject") == true
            ? new HotlineSubject(e.GetString("SubjectCycleId"), e.GetString("SubjectSchoolCode"), e.GetString("SubjectStudentName"))
            : null)
    {
        Assignee = e.GetString("Assignee"),
        DeadlineCalendarMissing = e.GetBoolean("DeadlineCalendarMissing") ?? false,
        Extension = e.GetString("Extension") is { } extension ? JsonSerializer.Deserialize<CaseExtension>(extension) : null,
        ObjectionDecision = e.GetString("ObjectionDecision"),
        ObjectionReason = e.GetString("ObjectionReason"),
        ObjectionDecidedBy = e.GetString("ObjectionDecidedBy"),
        ObjectionDecidedAt = e.GetDateTimeOffset("ObjectionDecidedAt"),
        Reply = e.GetString("Reply"),
        RepliedAt = e.GetDateTimeOffset("RepliedAt"),
        Satisfaction = e.GetString("Satisfaction"),
        Reopened = e.GetInt32("Reopened") ?? 0,
        ClosedAt = e.GetDateTimeOffset("ClosedAt"),
        RemindedAt = e.GetDateTimeOffset("RemindedAt"),
        EscalatedAt = e.GetDateTimeOffset("EscalatedAt"),
        HistoryCount = e.GetInt32("HistoryCount") ?? 0,
    };
}
