using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EduRelief.Calendar;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Children;

/// <summary>How a 两后生 referral ends (DOMAIN "A child across semesters").</summary>
public static class ReferralOutcomes
{
    public const string Vocational = "vocational";
    public const string Training = "training";
    public const string Employed = "employed";
    public const string Declined = "declined";
    public const string Unreachable = "unreachable";

    public static readonly IReadOnlyList<string> All = [Vocational, Training, Employed, Declined, Unreachable];

    public static string Label(string? outcome) => outcome switch
    {
        Vocational => "升入中职或技工学校",
        Training => "参加技能培训",
        Employed => "已就业",
        Declined => "本人不愿参加",
        Unreachable => "无法联系",
        _ => "",
    };
}

public static class ReferralStatuses
{
    /// <summary>Referred, no outcome yet: it is reminded until one is recorded.</summary>
    public const string Open = "open";

    public const string Closed = "closed";

    /// <summary>A later verification of the autumn cycle (a replaced roster, a 外地就学 list) no longer finds the child a 两后生.</summary>
    public const string Withdrawn = "withdrawn";

    public static readonly IReadOnlyList<string> All = [Open, Closed, Withdrawn];

    public static string Label(string status) => status switch
    {
        Open => "待转介",
        Withdrawn => "已撤回（复核后不再属于两后生）",
        _ => "已登记结果",
    };
}

/// <summary>
/// A 两后生 candidate as the comparison of a spring cycle with the next autumn finds them: a child of a covered
/// household who was in 初中 or 普通高中 grade 3 in spring and is in no roster in autumn, with the spring record.
/// </summary>
public sealed record ReferralCandidate(IdNumber IdNumber, string Name, string SchoolCode, string SchoolName, SchoolStage Stage, int Grade, string? Township, string? Village);

/// <summary>One recorded outcome, kept in the referral's history when a later one replaces it.</summary>
public sealed record ReferralOutcome(string Outcome, DateOnly Date, string? Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>
/// A 两后生 referral: who (name, masked ID, township and village), where they left school (the spring cycle's school,
/// stage and grade), which cycles found it, by when an outcome is due, and the outcome once recorded.
/// </summary>
public sealed record Referral(
    string Id,
    string CountyCode,
    string SpringCycleId,
    string AutumnCycleId,
    string Name,
    string MaskedId,
    string? Township,
    string? Village,
    string SchoolCode,
    string SchoolName,
    string Stage,
    int Grade,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    ReferralOutcome? Outcome,
    IReadOnlyList<ReferralOutcome> History)
{
    /// <summary>When the reminder run last reminded the bureau of it (before its deadline) and escalated it (after).</summary>
    public DateTimeOffset? RemindedAt { get; init; }

    public DateTimeOffset? EscalatedAt { get; init; }

    internal ETag ETag { get; init; }

    public bool IsOverdue(DateTimeOffset now) => Status == ReferralStatuses.Open && now > DueAt;
}

/// <summary>What recording an outcome did: nothing (the same outcome again), recorded, or lost to a concurrent change.</summary>
public enum ReferralRecordResult
{
    Recorded,
    Unchanged,
    Conflict,
}

/// <summary>
/// The county's 两后生 referrals, table <c>referrals</c>, one partition per county: the referral rows (<c>ref|{id}</c>,
/// a random id that says nothing of the child) and a key row per child and autumn cycle
/// (<c>key|{autumnCycleId}|{personKey}</c>) added in the same transaction, so a verification step run twice refers
/// each child once.
/// </summary>
public sealed class ReferralStore(StorageAccount storage, WorkingCalendar calendar, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("referrals", CycleRowScope.CountyPartitions)];

    /// <summary>Working days the bureau has to record an outcome before the referral is overdue.</summary>
    public const int OutcomeWorkingDays = 15;

    private const string RefPrefix = "ref|";
    private const int PerTransaction = 50;

    private readonly TableClient _table = storage.Table("referrals");

    /// <summary>
    /// Makes the autumn cycle's referrals those of its latest verification: refers each candidate not yet referred
    /// (answers how many were new), reopens a withdrawn referral whose child is a candidate again, and withdraws the open
    /// referrals of children who no longer are (a replaced roster, a 外地就学 list uploaded after the first run).
    /// Candidates go 50 to a transaction (two rows each); a transaction that meets a child referred already is retried
    /// child by child. A referral with an outcome is left as it is.
    /// </summary>
    public async Task<int> OpenAsync(string countyCode, string springCycleId, string autumnCycleId, IReadOnlyCollection<ReferralCandidate> candidates, CancellationToken cancellationToken)
    {
        var opened = await AddNewAsync(countyCode, springCycleId, autumnCycleId, candidates, cancellationToken);
        var wanted = candidates.Select(c => c.IdNumber.PersonKey).ToHashSet(StringComparer.Ordinal);
        var filter = Filter(countyCode, status: null, schoolCode: null) + " and " + TableClient.CreateQueryFilter($"AutumnCycleId eq {autumnCycleId}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, select: ["RowKey", "IdNumber", "Status"], cancellationToken: cancellationToken))
        {
            var status = e.GetString("Status");
            var candidate = wanted.Contains(IdNumber.FromStored(e.GetString("IdNumber")).PersonKey);
            var next = (status, candidate) switch
            {
                (ReferralStatuses.Open, false) => ReferralStatuses.Withdrawn,
                (ReferralStatuses.Withdrawn, true) => ReferralStatuses.Open,
                _ => null,
            };
            if (next is not null)
            {
                await _table.UpdateEntityAsync(new TableEntity(countyCode, e.RowKey) { ["Status"] = next }, e.ETag, TableUpdateMode.Merge, cancellationToken);
            }
        }

        return opened;
    }

    private async Task<int> AddNewAsync(string countyCode, string springCycleId, string autumnCycleId, IEnumerable<ReferralCandidate> candidates, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await calendar.AfterReceiptAsync(now, OutcomeWorkingDays, cancellationToken);
        var opened = 0;
        foreach (var chunk in candidates.DistinctBy(c => c.IdNumber.Key).Chunk(PerTransaction))
        {
            var rows = chunk.Select(c => Rows(countyCode, springCycleId, autumnCycleId, c, now, due.DueAt)).ToList();
            if (await TryAddAsync(rows.SelectMany(r => r), cancellationToken))
            {
                opened += rows.Count;
                continue;
            }

            foreach (var one in rows)
            {
                opened += await TryAddAsync(one, cancellationToken) ? 1 : 0;
            }
        }

        return opened;
    }

    private async Task<bool> TryAddAsync(IEnumerable<TableEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private static TableEntity[] Rows(string countyCode, string springCycleId, string autumnCycleId, ReferralCandidate c, DateTimeOffset now, DateTimeOffset dueAt)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return
        [
            new(countyCode, $"key|{autumnCycleId}|{c.IdNumber.PersonKey}") { ["ReferralId"] = id },
            new(countyCode, RefPrefix + id)
            {
                ["SpringCycleId"] = springCycleId,
                ["AutumnCycleId"] = autumnCycleId,
                ["Name"] = c.Name,
                ["IdNumber"] = c.IdNumber.Value,
                ["Township"] = c.Township,
                ["Village"] = c.Village,
                ["SchoolCode"] = c.SchoolCode,
                ["SchoolName"] = c.SchoolName,
                ["Stage"] = SchoolStages.Chinese(c.Stage),
                ["Grade"] = c.Grade,
                ["Status"] = ReferralStatuses.Open,
                ["CreatedAt"] = now,
                ["DueAt"] = dueAt,
                ["History"] = "[]",
            },
        ];
    }

    /// <summary>A page of the county's referrals, optionally of one status or of one spring school (a school officer's own).</summary>
    public async Task<EduRelief.Storage.Page<Referral>> ListAsync(string countyCode, string? status, string? schoolCode, string? token, int pageSize, CancellationToken cancellationToken)
    {
        await foreach (var page in _table.QueryAsync<TableEntity>(Filter(countyCode, status, schoolCode), pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new EduRelief.Storage.Page<Referral>([.. page.Values.Select(ToReferral)], page.ContinuationToken);
        }

        return new EduRelief.Storage.Page<Referral>([], null);
    }

    /// <summary>Every referral of the county (the workbook), or every open one of every county (the reminder run) when <paramref name="countyCode"/> is null.</summary>
    public async IAsyncEnumerable<Referral> AllAsync(string? countyCode, string? status, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _table.QueryAsync<TableEntity>(Filter(countyCode, status, schoolCode: null), cancellationToken: cancellationToken))
        {
            yield return ToReferral(e);
        }
    }

    /// <summary>The referral rows (not the key rows), of one county or all, optionally of one status and spring school.</summary>
    private static string Filter(string? countyCode, string? status, string? schoolCode)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {RefPrefix} and RowKey lt {"ref}"}");
        if (countyCode is not null)
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {countyCode}") + " and " + filter;
        }

        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        return schoolCode is null ? filter : filter + " and " + TableClient.CreateQueryFilter($"SchoolCode eq {schoolCode}");
    }

    public async Task<Referral?> GetAsync(string countyCode, string id, CancellationToken cancellationToken)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(countyCode, RefPrefix + id, cancellationToken: cancellationToken);
        return row.HasValue ? ToReferral(row.Value!) : null;
    }

    /// <summary>
    /// Records an outcome, which closes the referral; a later different outcome replaces it and keeps the earlier one in
    /// the history (a child who declined may still enrol). The same outcome, date and note again changes nothing.
    /// </summary>
    public async Task<(ReferralRecordResult Result, Referral? Referral)> RecordAsync(Referral referral, ReferralOutcome outcome, CancellationToken cancellationToken)
    {
        if (referral.Outcome is { } current && current.Outcome == outcome.Outcome && current.Date == outcome.Date && current.Note == outcome.Note)
        {
            return (ReferralRecordResult.Unchanged, referral);
        }

        var history = referral.Outcome is null ? referral.History : [.. referral.History, referral.Outcome];
        var entity = new TableEntity(referral.CountyCode, RefPrefix + referral.Id)
        {
            ["Status"] = ReferralStatuses.Closed,
            ["Outcome"] = outcome.Outcome,
            ["OutcomeDate"] = outcome.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["OutcomeNote"] = outcome.Note,
            ["RecordedBy"] = outcome.RecordedBy,
            ["RecordedAt"] = outcome.RecordedAt,
            ["History"] = JsonSerializer.Serialize(history),
        };
        try
        {
            await _table.UpdateEntityAsync(entity, referral.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return (ReferralRecordResult.Conflict, null);
        }

        return (ReferralRecordResult.Recorded, await GetAsync(referral.CountyCode, referral.Id, cancellationToken));
    }

    /// <summary>Marks that a reminder went out (<c>RemindedAt</c> or <c>EscalatedAt</c>); the same time again is harmless.</summary>
    public Task MarkRemindedAsync(string countyCode, string id, string column, DateTimeOffset at, CancellationToken cancellationToken) =>
        _table.UpdateEntityAsync(new TableEntity(countyCode, RefPrefix + id) { [column] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    private static Referral ToReferral(TableEntity e) => new(
        e.RowKey[RefPrefix.Length..],
        e.PartitionKey,
        e.GetString("SpringCycleId") ?? "",
        e.GetString("AutumnCycleId") ?? "",
        e.GetString("Name") ?? "",
        IdNumber.FromStored(e.GetString("IdNumber")).Masked,
        e.GetString("Township"),
        e.GetString("Village"),
        e.GetString("SchoolCode") ?? "",
        e.GetString("SchoolName") ?? "",
        e.GetString("Stage") ?? "",
        e.GetInt32("Grade") ?? 0,
        e.GetString("Status") ?? ReferralStatuses.Open,
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("DueAt") ?? default,
        e.GetString("Outcome") is { } outcome
            ? new ReferralOutcome(outcome, DateOnly.ParseExact(e.GetString("OutcomeDate")!, "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetString("OutcomeNote"), e.GetString("RecordedBy") ?? "", e.GetDateTimeOffset("RecordedAt") ?? default)
            : null,
        JsonSerializer.Deserialize<List<ReferralOutcome>>(e.GetString("History") ?? "[]") ?? [])
    {
        RemindedAt = e.GetDateTimeOffset("RemindedAt"),
        EscalatedAt = e.GetDateTimeOffset("EscalatedAt"),
        ETag = e.ETag,
    };
}
