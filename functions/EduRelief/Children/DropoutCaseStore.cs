using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EduRelief.Eligibility;
using EduRelief.Rectification;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Children;

/// <summary>Why verification opened a case: the cycle's own <c>notEnrolled</c> or the comparison's <c>absentSchoolAge</c>.</summary>
public sealed record DropoutCandidate(IdNumber IdNumber, string Name, string? Township, string? Village, string? SchoolCode, string? SchoolName, string Kind, int? Age);

/// <summary>
/// One entry of a case's history: the status after it, who and when, and what happened (<see cref="Kind"/>:
/// <c>opened</c>, <c>note</c> (the first note, which moves the case to persuading), <c>seen</c> (a later cycle's
/// verification still finds the child out of school), <c>outcome</c>, <c>confirmed</c>).
/// </summary>
public sealed record DropoutCaseEvent(DateTimeOffset At, string Kind, string Status, string Actor, string? Note, string? CycleId = null);

/// <summary>A weekly progress note (周盘点): its week (Monday, China time), when and by whom.</summary>
public sealed record DropoutCaseNote(DateTimeOffset At, DateOnly Week, string Actor, string Note);

/// <summary>
/// A 控辍保学 case: the child (registry id, name and masked number, 乡镇, 村 and last known school), the cycle that
/// opened it and the cycles that saw the child still out of school, the status and its history, the weeks noted,
/// the evidence uploaded, and once closed the outcome with who recorded it; a <c>returned</c> case carries who
/// confirmed it (<c>roster:{cycleId}</c> or the school officer) once someone did.
/// </summary>
public sealed record DropoutCase(
    string Id,
    string CountyCode,
    string ChildKey,
    string Name,
    string MaskedId,
    string? Township,
    string? Village,
    string? SchoolCode,
    string? SchoolName,
    string OpenedBy,
    string OpenedCycleId,
    DateTimeOffset OpenedAt,
    string Status,
    IReadOnlyList<string> Cycles,
    IReadOnlyList<DropoutCaseEvent> History,
    IReadOnlySet<DateOnly> NotedWeeks,
    IReadOnlyList<EvidenceFile> Evidence,
    DropoutOutcome? Outcome,
    DateTimeOffset? ClosedAt,
    string? ClosedBy,
    string? ConfirmedBy,
    DateTimeOffset? ConfirmedAt)
{
    public bool IsOpen => DropoutCaseStatuses.IsOpen(Status);

    /// <summary>Who follows it up in a school: the returned-to school once returned there, otherwise the last known one.</summary>
    public bool ConcernsSchool(string schoolCode) => SchoolCode == schoolCode || Outcome?.SchoolCode == schoolCode;

    internal string IdNumberValue { get; init; } = "";

    internal ETag ETag { get; init; }

    public DropoutCaseFact ToFact() => new(
        Id, ChildKey, Township, Village, SchoolCode,
        [.. History.Where((e, i) => i == 0 || e.Status != History[i - 1].Status).Select(e => new DropoutCaseStatusChange(e.At, e.Status))],
        IdNumberValue.Length > 0 ? IdNumber.FromStored(IdNumberValue).BirthDate : null);
}

/// <summary>What a change to a case did.</summary>
public enum DropoutChange
{
    Applied,
    Unchanged,

    /// <summary>The case is not in a status that allows it (closed, or nothing to confirm).</summary>
    Refused,

    /// <summary>Someone changed the case meanwhile: read it again.</summary>
    Conflict,
}

/// <summary>
/// The county's 控辍保学 cases (DOMAIN "控辍保学 cases"), table <c>dropoutcases</c>, one partition per county: the case
/// rows (<c>case|{id}</c>, a random id that says nothing of the child), one pointer row per child with an open case
/// (<c>open|{child id}</c>, the registry's HMAC id, never the ID number) added in the same transaction as the case and
/// deleted in the same transaction as its close, so a child never has two open cases whatever runs at once, and the
/// weekly notes (<c>note|{case id}|{ticks}</c>), each written in one transaction with the case row (its ETag).
/// </summary>
public sealed class DropoutCaseStore(StorageAccount storage, ChildIds ids, TimeProvider clock) : IDeclaresTables, IDropoutCaseSource
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("dropoutcases", CycleRowScope.CountyPartitions)];

    public const string SystemActor = "system";

    private const string CasePrefix = "case|";
    private const string OpenPrefix = "open|";
    private const string NotePrefix = "note|";
    private const int MaxAttempts = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClient _table = storage.Table("dropoutcases");

    public static string RosterConfirmation(string cycleId) => $"roster:{cycleId}";

    /// <summary>
    /// Opens a case for each candidate without an open one; a candidate with an open case (opened by an earlier cycle, or
    /// by a concurrent or earlier run of this one) gets none: the case carries over and records that
    /// <paramref name="cycleId"/> saw the child still out of school, once. Answers how many cases were opened.
    /// </summary>
    public async Task<int> OpenOrCarryAsync(string countyCode, string cycleId, IEnumerable<DropoutCandidate> candidates, CancellationToken cancellationToken)
    {
        var opened = 0;
        foreach (var c in candidates.DistinctBy(c => c.IdNumber.Key))
        {
            var childKey = ids.RowKey(c.IdNumber);
            var now = clock.GetUtcNow();
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            TableEntity[] rows =
            [
                new(countyCode, OpenPrefix + childKey) { ["CaseId"] = id },
                new(countyCode, CasePrefix + id)
                {
                    ["ChildKey"] = childKey,
                    ["IdNumber"] = c.IdNumber.Value,
                    ["Name"] = c.Name,
                    ["Township"] = c.Township,
                    ["Village"] = c.Village,
                    ["SchoolCode"] = c.SchoolCode,
                    ["SchoolName"] = c.SchoolName,
                    ["OpenedBy"] = c.Kind,
                    ["OpenedCycleId"] = cycleId,
                    ["OpenedAt"] = now,
                    ["Age"] = c.Age,
                    ["Status"] = DropoutCaseStatuses.NotInSchool,
                    ["Cycles"] = JsonSerializer.Serialize(new[] { cycleId }),
                    ["History"] = JsonSerializer.Serialize(new[] { new DropoutCaseEvent(now, "opened", DropoutCaseStatuses.NotInSchool, SystemActor, OpenedNote(c), cycleId) }, Json),
                    ["NotedWeeks"] = "",
                    ["Evidence"] = "[]",
                },
            ];
            try
            {
                await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
                opened++;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                await CarryOverAsync(countyCode, childKey, cycleId, cancellationToken);
            }
        }

        return opened;
    }

    private static string OpenedNote(DropoutCandidate c) => c.Kind == DiscrepancyKinds.AbsentSchoolAge
        ? $"上学期在{c.SchoolName ?? "本县学校"}就读并享受资助，本学期未见于任何学校的学籍"
        : "建档立卡适龄儿童，未见于任何学校的学籍";

    /// <summary>Records on the child's open case that <paramref name="cycleId"/> saw them still out of school (once per cycle).</summary>
    private async Task CarryOverAsync(string countyCode, string childKey, string cycleId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var pointer = await _table.GetEntityIfExistsAsync<TableEntity>(countyCode, OpenPrefix + childKey, cancellationToken: cancellationToken);
            if (!pointer.HasValue || await GetAsync(countyCode, pointer.Value!.GetString("CaseId"), cancellationToken) is not { IsOpen: true } open)
            {
                return; // closed meanwhile: the next verification opens a new case if the child is still out of school
            }

            if (open.Cycles.Contains(cycleId))
            {
                return;
            }

            var now = clock.GetUtcNow();
            var entity = new TableEntity(countyCode, CasePrefix + open.Id)
            {
                ["Cycles"] = JsonSerializer.Serialize(open.Cycles.Append(cycleId)),
                ["History"] = JsonSerializer.Serialize(open.History.Append(new DropoutCaseEvent(now, "seen", open.Status, SystemActor, $"{cycleId} 核验仍未见于任何学校的学籍，案件延续", cycleId)), Json),
            };
            try
            {
                await _table.UpdateEntityAsync(entity, open.ETag, TableUpdateMode.Merge, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // A note or a reminder moved the row: read it again.
            }
        }
    }

    /// <summary>The ID-number keys of the children whose case the next roster may close or confirm: open, or returned unconfirmed.</summary>
    public async Task<IReadOnlySet<long>> AwaitingRosterAsync(string countyCode, CancellationToken cancellationToken)
    {
        var keys = new HashSet<long>();
        await foreach (var c in AllAsync(countyCode, cancellationToken))
        {
            if (c.IsOpen || DropoutCaseRules.AwaitsConfirmation(c.Status, c.ConfirmedBy))
            {
                keys.Add(IdNumber.FromStored(c.IdNumberValue).Key);
            }
        }

        return keys;
    }

    /// <summary>
    /// The cycle's roster lists children of cases: an open case closes <c>returned</c> at that school, confirmed by the
    /// roster; a <c>returned</c> case a person recorded is confirmed by it. Answers the cases it closed, as they are now.
    /// </summary>
    public async Task<IReadOnlyList<DropoutCase>> ApplyRosterAsync(string countyCode, string cycleId, IReadOnlyDictionary<long, ListedStudent> listed, CancellationToken cancellationToken)
    {
        var closed = new List<DropoutCase>();
        var listedCases = new List<(DropoutCase Case, ListedStudent At)>();
        await foreach (var c in AllAsync(countyCode, cancellationToken))
        {
            if ((c.IsOpen || DropoutCaseRules.AwaitsConfirmation(c.Status, c.ConfirmedBy)) && listed.TryGetValue(IdNumber.FromStored(c.IdNumberValue).Key, out var at))
            {
                listedCases.Add((c, at));
            }
        }

        foreach (var (c, at) in listedCases)
        {
            if (await ConfirmByRosterAsync(c, cycleId, at, cancellationToken) && c.IsOpen && await GetAsync(countyCode, c.Id, cancellationToken) is { } now)
            {
                closed.Add(now);
            }
        }

        return closed;
    }

    private async Task<bool> ConfirmByRosterAsync(DropoutCase c, string cycleId, ListedStudent at, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = clock.GetUtcNow();
            var by = RosterConfirmation(cycleId);
            var result = c.IsOpen
                ? await CloseAsync(c, new DropoutOutcome(DropoutCaseStatuses.Returned, Hosting.ChinaTime.DateOf(now), at.SchoolCode, at.SchoolName, null, null, [], $"{cycleId} 学籍名册显示该生在{at.SchoolName}就读"), SystemActor, by, cancellationToken)
                : await ConfirmAsync(c, by, $"{cycleId} 学籍名册显示该生在{at.SchoolName}就读", cancellationToken);
            if (result != DropoutChange.Conflict)
            {
                return result == DropoutChange.Applied;
            }

            if (await GetAsync(c.CountyCode, c.Id, cancellationToken) is not { } fresh || !(fresh.IsOpen || DropoutCaseRules.AwaitsConfirmation(fresh.Status, fresh.ConfirmedBy)))
            {
                return false;
            }

            c = fresh;
        }

        return false;
    }

    /// <summary>
    /// Closes an open case with its outcome: the case row (ETag) and the deletion of the child's open-case pointer in one
    /// transaction. <paramref name="confirmedBy"/> confirms a <c>returned</c> at once (the roster).
    /// </summary>
    public async Task<DropoutChange> CloseAsync(DropoutCase c, DropoutOutcome outcome, string actor, string? confirmedBy, CancellationToken cancellationToken)
    {
        if (!c.IsOpen)
        {
            return DropoutChange.Refused;
        }

        var now = clock.GetUtcNow();
        var history = c.History.Append(new DropoutCaseEvent(now, "outcome", outcome.Outcome, actor, outcome.Note));
        if (confirmedBy is not null)
        {
            history = history.Append(new DropoutCaseEvent(now, "confirmed", outcome.Outcome, actor, ConfirmationNote(confirmedBy)));
        }

        var entity = new TableEntity(c.CountyCode, CasePrefix + c.Id)
        {
            ["Status"] = outcome.Outcome,
            ["Outcome"] = JsonSerializer.Serialize(outcome, Json),
            ["OutcomeSchoolCode"] = outcome.SchoolCode,
            ["ClosedAt"] = now,
            ["ClosedBy"] = actor,
            ["ConfirmedBy"] = confirmedBy,
            ["ConfirmedAt"] = confirmedBy is null ? null : now,
            ["History"] = JsonSerializer.Serialize(history, Json),
        };
        try
        {
            await _table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, c.ETag),
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(c.CountyCode, OpenPrefix + c.ChildKey), ETag.All),
                ],
                cancellationToken);
            return DropoutChange.Applied;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            return DropoutChange.Conflict;
        }
    }

    /// <summary>Confirms a <c>returned</c> case a person recorded; anything else is refused, a confirmed one is unchanged.</summary>
    public async Task<DropoutChange> ConfirmAsync(DropoutCase c, string confirmedBy, string? note, CancellationToken cancellationToken)
    {
        if (c.Status != DropoutCaseStatuses.Returned)
        {
            return DropoutChange.Refused;
        }

        if (c.ConfirmedBy is not null)
        {
            return DropoutChange.Unchanged;
        }

        var now = clock.GetUtcNow();
        var entity = new TableEntity(c.CountyCode, CasePrefix + c.Id)
        {
            ["ConfirmedBy"] = confirmedBy,
            ["ConfirmedAt"] = now,
            ["History"] = JsonSerializer.Serialize(c.History.Append(new DropoutCaseEvent(now, "confirmed", c.Status, confirmedBy.StartsWith("roster:", StringComparison.Ordinal) ? SystemActor : confirmedBy, note ?? ConfirmationNote(confirmedBy))), Json),
        };
        try
        {
            await _table.UpdateEntityAsync(entity, c.ETag, TableUpdateMode.Merge, cancellationToken);
            return DropoutChange.Applied;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return DropoutChange.Conflict;
        }
    }

    private static string ConfirmationNote(string confirmedBy) => confirmedBy.StartsWith("roster:", StringComparison.Ordinal)
        ? $"经 {confirmedBy["roster:".Length..]} 学籍名册确认返校"
        : "经返校学校确认";

    /// <summary>Adds a weekly note; the first note moves <c>not_in_school</c> to <c>persuading</c> (unless <paramref name="persuading"/> is false).</summary>
    public async Task<DropoutChange> AddNoteAsync(DropoutCase c, string note, bool? persuading, string actor, CancellationToken cancellationToken)
    {
        if (DropoutCaseRules.AfterNote(c.Status, persuading) is not { } next)
        {
            return DropoutChange.Refused;
        }

        var now = clock.GetUtcNow();
        var week = DropoutWeeks.WeekOf(now);
        var entity = new TableEntity(c.CountyCode, CasePrefix + c.Id)
        {
            ["NotedWeeks"] = DropoutWeeks.Store(c.NotedWeeks.Append(week)),
            ["LastNoteAt"] = now,
        };
        if (next != c.Status)
        {
            entity["Status"] = next;
            entity["History"] = JsonSerializer.Serialize(c.History.Append(new DropoutCaseEvent(now, "note", next, actor, note)), Json);
        }

        var row = new TableEntity(c.CountyCode, $"{NotePrefix}{c.Id}|{now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}")
        {
            ["At"] = now,
            ["Week"] = DropoutWeeks.Format(week),
            ["Actor"] = actor,
            ["Note"] = note,
        };
        try
        {
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, c.ETag), new TableTransactionAction(TableTransactionActionType.Add, row)],
                cancellationToken);
            return DropoutChange.Applied;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 409)
        {
            return DropoutChange.Conflict;
        }
    }

    /// <summary>Records an evidence file (its blob stored already) on the case; the same file again is Unchanged.</summary>
    public async Task<DropoutChange> AddEvidenceAsync(DropoutCase c, EvidenceFile file, CancellationToken cancellationToken)
    {
        if (c.Evidence.Any(e => e.Sha256 == file.Sha256))
        {
            return DropoutChange.Unchanged;
        }

        try
        {
            await _table.UpdateEntityAsync(
                new TableEntity(c.CountyCode, CasePrefix + c.Id) { ["Evidence"] = JsonSerializer.Serialize(c.Evidence.Append(file), Json) }, c.ETag, TableUpdateMode.Merge, cancellationToken);
            return DropoutChange.Applied;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return DropoutChange.Conflict;
        }
    }

    /// <summary>The case's weekly notes, oldest first.</summary>
    public async Task<IReadOnlyList<DropoutCaseNote>> NotesAsync(string countyCode, string caseId, CancellationToken cancellationToken)
    {
        var notes = new List<DropoutCaseNote>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {countyCode}") + " and " + StorageTables.StartsWith("RowKey", $"{NotePrefix}{caseId}|");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            notes.Add(new DropoutCaseNote(
                e.GetDateTimeOffset("At") ?? default, DateOnly.ParseExact(e.GetString("Week") ?? "0001-01-01", "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetString("Actor") ?? "", e.GetString("Note") ?? ""));
        }

        return notes;
    }

    /// <summary>Records that the reminder run reminded the case's missed week (idempotent).</summary>
    public Task MarkRemindedAsync(string countyCode, string caseId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _table.UpdateEntityAsync(new TableEntity(countyCode, CasePrefix + caseId) { ["RemindedAt"] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    public async Task<DropoutCase?> GetAsync(string countyCode, string? caseId, CancellationToken cancellationToken)
    {
        if (caseId is not { Length: 32 } || !caseId.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(countyCode, CasePrefix + caseId, cancellationToken: cancellationToken);
        return row.HasValue ? ToCase(row.Value!) : null;
    }

    /// <summary>The open case of a child (registry id), or null.</summary>
    public async Task<DropoutCase?> OpenCaseOfAsync(string countyCode, IdNumber idNumber, CancellationToken cancellationToken)
    {
        var pointer = await _table.GetEntityIfExistsAsync<TableEntity>(countyCode, OpenPrefix + ids.RowKey(idNumber), cancellationToken: cancellationToken);
        return pointer.HasValue ? await GetAsync(countyCode, pointer.Value!.GetString("CaseId"), cancellationToken) : null;
    }

    /// <summary>The child's case that <paramref name="cycleId"/> opened or carried over (open or closed since), or null.</summary>
    public async Task<DropoutCase?> CaseInCycleAsync(string countyCode, IdNumber idNumber, string cycleId, CancellationToken cancellationToken)
    {
        var filter = Filter(countyCode, new DropoutCaseFilter()) + " and " + TableClient.CreateQueryFilter($"ChildKey eq {ids.RowKey(idNumber)}");
        DropoutCase? found = null;
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var c = ToCase(e);
            if (c.Cycles.Contains(cycleId) && (found is null || c.OpenedAt > found.OpenedAt))
            {
                found = c;
            }
        }

        return found;
    }

    /// <summary>A page of the county's cases, filtered; <paramref name="schoolCode"/> keeps those of a school (last known or returned-to).</summary>
    public async Task<EduRelief.Storage.Page<DropoutCase>> ListAsync(string countyCode, DropoutCaseFilter filter, string? token, int pageSize, CancellationToken cancellationToken)
    {
        await foreach (var page in _table.QueryAsync<TableEntity>(Filter(countyCode, filter), pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new EduRelief.Storage.Page<DropoutCase>([.. page.Values.Select(ToCase)], page.ContinuationToken);
        }

        return new EduRelief.Storage.Page<DropoutCase>([], null);
    }

    /// <summary>Every case of the county, or of every county when <paramref name="countyCode"/> is null (the reminder run).</summary>
    public async IAsyncEnumerable<DropoutCase> AllAsync(string? countyCode, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _table.QueryAsync<TableEntity>(Filter(countyCode, new DropoutCaseFilter()), cancellationToken: cancellationToken))
        {
            yield return ToCase(e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DropoutCaseFact> ListAsync(string countyCode, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var c in AllAsync(countyCode, cancellationToken))
        {
            yield return c.ToFact();
        }
    }

    private static string Filter(string? countyCode, DropoutCaseFilter f)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {CasePrefix} and RowKey lt {"case}"}");
        if (countyCode is not null)
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {countyCode}") + " and " + filter;
        }

        if (f.Status is { } status)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        if (f.Township is { } township)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Township eq {township}");
        }

        if (f.Village is { } village)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Village eq {village}");
        }

        if (f.SchoolCode is { } school)
        {
            filter += " and " + TableClient.CreateQueryFilter($"(SchoolCode eq {school} or OutcomeSchoolCode eq {school})");
        }

        return filter;
    }

    private static DropoutCase ToCase(TableEntity e)
    {
        var idNumber = e.GetString("IdNumber");
        return new DropoutCase(
            e.RowKey[CasePrefix.Length..],
            e.PartitionKey,
            e.GetString("ChildKey") ?? "",
            e.GetString("Name") ?? "",
            IdNumber.FromStored(idNumber).Masked,
            e.GetString("Township"),
            e.GetString("Village"),
            e.GetString("SchoolCode"),
            e.GetString("SchoolName"),
            e.GetString("OpenedBy") ?? "",
            e.GetString("OpenedCycleId") ?? "",
            e.GetDateTimeOffset("OpenedAt") ?? default,
            e.GetString("Status") ?? DropoutCaseStatuses.NotInSchool,
            JsonSerializer.Deserialize<List<string>>(e.GetString("Cycles") ?? "[]") ?? [],
            JsonSerializer.Deserialize<List<DropoutCaseEvent>>(e.GetString("History") ?? "[]", Json) ?? [],
            DropoutWeeks.Parse(e.GetString("NotedWeeks")),
            JsonSerializer.Deserialize<List<EvidenceFile>>(e.GetString("Evidence") ?? "[]", Json) ?? [],
            e.GetString("Outcome") is { } outcome ? JsonSerializer.Deserialize<DropoutOutcome>(outcome, Json) : null,
            e.GetDateTimeOffset("ClosedAt"),
            e.GetString("ClosedBy"),
            e.GetString("ConfirmedBy"),
            e.GetDateTimeOffset("ConfirmedAt"))
        {
            IdNumberValue = idNumber ?? "",
            ETag = e.ETag,
        };
    }
}

/// <summary>The list's filters: status, 乡镇, 村, school (last known or returned-to).</summary>
public sealed record DropoutCaseFilter(string? Status = null, string? Township = null, string? Village = null, string? SchoolCode = null);
