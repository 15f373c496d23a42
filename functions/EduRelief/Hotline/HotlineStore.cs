using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Page = EduRelief.Workflow.Page<EduRelief.Hotline.HotlineCase>;
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
    HotlineSubject? Subject);

public sealed record HotlineCaseFilter(string? Status, string? Category, string? CycleId);

/// <summary>
/// Cases live in <c>hotlinecases</c>, one partition per county. In that partition sit, per case, the case row (RowKey
/// the case number) and an idempotency row keyed by the hotline's external id, and per year a counter row. A case is
/// registered in one entity-group transaction that adds both rows and moves the counter under its ETag: a crash leaves
/// either the whole case or nothing, and two instances can never hand out the same number. Seen signatures live in
/// <c>hotlinesignatures</c>, so a replay is refused whichever instance receives it.
/// </summary>
public sealed class HotlineStore(StorageAccount storage, ICaseDeadlines deadlines)
{
    private const string CaseKind = "case";
    private const int MaxAttempts = 200;

    private readonly TableClient _cases = storage.Table("hotlinecases");
    private readonly TableClient _signatures = storage.Table("hotlinesignatures");

    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await _cases.CreateIfNotExistsAsync(cancellationToken);
        await _signatures.CreateIfNotExistsAsync(cancellationToken);
    }

    /// <summary>Records a verified signature; false when it was seen before (a replay).</summary>
    public async Task<bool> TryRecordSignatureAsync(string signature, DateTimeOffset seenAt, CancellationToken cancellationToken)
    {
        try
        {
            await _signatures.AddEntityAsync(new TableEntity(signature.ToLowerInvariant(), "") { ["SeenAt"] = seenAt }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            return false;
        }
    }

    /// <summary>Numbers and stores a case, or returns the case already registered for its external id (Created false).</summary>
    public async Task<(bool Created, HotlineCase Case)> RegisterAsync(HotlineCaseInput input, DateTimeOffset registeredAt, CancellationToken cancellationToken)
    {
        var partition = input.CountyCode;
        var idempotencyKey = IdempotencyKey(input.ExternalId);
        var year = ChinaTime.ToChina(registeredAt).Year;
        var counterKey = $"seq-{year.ToString("D4", CultureInfo.InvariantCulture)}";
        var rule = DeadlineRule.For(input.Category);
        var deadline = await deadlines.DeadlineForAsync(input.Category, input.ReceivedAt, cancellationToken);

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await _cases.GetEntityIfExistsAsync<TableEntity>(partition, idempotencyKey, cancellationToken: cancellationToken);
            if (existing.HasValue && existing.Value is { } seen)
            {
                var stored = await _cases.GetEntityAsync<TableEntity>(partition, seen.GetString("CaseNumber"), cancellationToken: cancellationToken);
                return (false, ToCase(stored.Value));
            }

            var counter = await _cases.GetEntityIfExistsAsync<TableEntity>(partition, counterKey, cancellationToken: cancellationToken);
            var next = (counter.HasValue ? counter.Value!.GetInt64("Next") ?? 0 : 0) + 1;
            var number = new CaseNumber(input.CountyCode, year, next).ToString();
            var @case = new HotlineCase(
                number, input.ExternalId, input.CountyCode, input.Category, HotlineStatuses.New, input.ReceivedAt, registeredAt,
                deadline, rule.Name, input.CallerName, input.CallerPhone, input.Content, input.Subject);

            var counterRow = new TableEntity(partition, counterKey) { ["Next"] = next };
            var actions = new List<TableTransactionAction>
            {
                counter.HasValue
                    ? new(TableTransactionActionType.UpdateReplace, counterRow, counter.Value!.ETag)
                    : new(TableTransactionActionType.Add, counterRow),
                new(TableTransactionActionType.Add, ToEntity(@case)),
                new(TableTransactionActionType.Add, new TableEntity(partition, idempotencyKey) { ["CaseNumber"] = number, ["ExternalId"] = input.ExternalId }),
            };

            try
            {
                await _cases.SubmitTransactionAsync(actions, cancellationToken);
                return (true, @case);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
            {
                // Another instance took this number or registered this external id first: look again.
            }

            // Spread contending writers apart so each round lets one of them through.
            await Task.Delay(Random.Shared.Next(0, 5 + Math.Min(attempt, 20)), cancellationToken);
        }

        throw new InvalidOperationException($"No case number could be allocated in county {input.CountyCode} after {MaxAttempts} attempts.");
    }

    public async Task<HotlineCase?> GetAsync(CaseNumber number, CancellationToken cancellationToken)
    {
        var row = await _cases.GetEntityIfExistsAsync<TableEntity>(number.CountyCode, number.ToString(), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity && entity.GetString("Kind") == CaseKind ? ToCase(entity) : null;
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
            : null);
}
