using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Workflow;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

public sealed record LedgerRow(string Id, string SchoolCode, string SchoolName, string Name, IdNumber IdNumber, string Stage, int Grade, bool Boarding, string Program, Yuan Amount, string Source)
{
    /// <summary>The names of the student's household in the poverty registry: who may hold the account (empty for rows written before this was kept).</summary>
    public IReadOnlyList<string> HouseholdNames { get; init; } = [];
}

public sealed record DiscrepancyRow(
    string Id, string Kind, string File, Text Reason, int? StudentRow, int? PovertyRow, string? StudentName, string? PovertyName,
    string? SchoolCode, string? SchoolName, string? MaskedId, string? Column, string? Township, string? Village, int? Age,
    string? Decision, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionReason, string? StudentJson, ETag ETag)
{
    /// <summary>For a holder mismatch: the account it is about, masked, and the registry version a decision applies to.</summary>
    public string? MaskedAccount { get; init; }

    public string? AccountVersion { get; init; }

    /// <summary>The full number of a poverty-registry row (a 控辍保学 child), kept for follow-up; never shown.</summary>
    public IdNumber? IdNumber { get; init; }

    /// <summary>For a child studying outside the county: where (就读省市), and its 学段 and 年级 there.</summary>
    public string? Place { get; init; }

    /// <summary>A notEnrolled child who completed compulsory education by the previous cycle's record: no 控辍保学 case.</summary>
    public bool CompletedCompulsory { get; init; }

    public string? Stage { get; init; }

    public int? Grade { get; init; }
}

/// <summary>
/// A verification run's results: ledger rows (one per eligible student per program), partitioned by cycle, run and
/// school so a school's rows are one partition; discrepancies partitioned by cycle and run, keyed by kind. A new run
/// (a replaced roster) writes new partitions, so old results never mix with new ones.
/// </summary>
public sealed class EligibilityStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("ledger", CycleRowScope.CyclePartitions), new("discrepancies", CycleRowScope.CyclePartitions)];

    private const int Parallelism = 16;

    private readonly TableClient _ledger = storage.Table("ledger");
    private readonly TableClient _discrepancies = storage.Table("discrepancies");

    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await _ledger.CreateIfNotExistsAsync(cancellationToken);
        await _discrepancies.CreateIfNotExistsAsync(cancellationToken);
    }

    public static string LedgerPartition(string cycleId, string runId, string schoolCode) => $"{cycleId}|{runId}|{Keys.Safe(schoolCode)}";

    private static string DiscrepancyPartition(string cycleId, string runId) => $"{cycleId}|{runId}";

    /// <summary>
    /// Writes a run's results in batches of 100, many partitions at once. Merges: a retried run rewrites the same
    /// fields and leaves the decisions people recorded on discrepancy rows in place.
    /// </summary>
    public async Task WriteRunAsync(string cycleId, string runId, VerificationResult result, CancellationToken cancellationToken)
    {
        var ledger = result.Eligible
            .SelectMany(s => s.Entitlements.Select(e => LedgerEntity(cycleId, runId, s, e, "verification")))
            .GroupBy(e => e.PartitionKey)
            .SelectMany(g => g.Chunk(100))
            .Select(chunk => (_ledger, chunk));
        var sequence = new Dictionary<string, int>();
        var discrepancies = result.Discrepancies
            .Select(d =>
            {
                var n = sequence[d.Kind] = sequence.GetValueOrDefault(d.Kind) + 1;
                return DiscrepancyEntity(DiscrepancyPartition(cycleId, runId), $"{d.Kind}|{n:D7}", d);
            })
            .Chunk(100)
            .Select(chunk => (_discrepancies, chunk));

        await Parallel.ForEachAsync(ledger.Concat(discrepancies), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
            await batch.Item1.SubmitTransactionAsync(batch.chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, e)), ct));
    }

    public static TableEntity LedgerEntity(string cycleId, string runId, StudentRecord s, Entitlement e, string source) =>
        // Keyed by the student's row in the roster (unique per run): a key derived from the ID number would reveal it.
        new(LedgerPartition(cycleId, runId, s.SchoolCode), $"{e.Program}|{s.StudentRow:D8}")
        {
            ["SchoolCode"] = s.SchoolCode,
            ["SchoolName"] = s.SchoolName,
            ["Name"] = s.Name,
            ["IdNumber"] = s.IdNumber.Value,
            ["Stage"] = SchoolStages.Chinese(s.Stage),
            ["Grade"] = s.Grade,
            ["Boarding"] = s.Boarding,
            ["Program"] = e.Program,
            ["AmountFen"] = e.Amount.Fen,
            ["Source"] = source,
            ["HouseholdNames"] = JsonSerializer.Serialize(s.HouseholdNames),
        };

    public Task UpsertLedgerAsync(IEnumerable<TableEntity> rows, CancellationToken cancellationToken) =>
        StorageTables.SubmitAsync(_ledger, rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);

    private static TableEntity DiscrepancyEntity(string partition, string rowKey, Discrepancy d) =>
        new(partition, rowKey)
        {
            ["Kind"] = d.Kind,
            ["File"] = d.File,
            ["Reason"] = d.Reason.Zh,
            ["ReasonEn"] = d.Reason.En,
            ["StudentRow"] = d.StudentRow,
            ["PovertyRow"] = d.PovertyRow,
            ["StudentName"] = d.StudentName,
            ["PovertyName"] = d.PovertyName,
            ["SchoolCode"] = d.SchoolCode,
            ["SchoolName"] = d.SchoolName,
            ["IdNumber"] = d.IdNumber?.Value,
            ["MaskedId"] = d.MaskedId,
            ["Column"] = d.Column,
            ["Township"] = d.Township,
            ["Village"] = d.Village,
            ["Age"] = d.Age,
            ["Student"] = d.Student is null ? null : JsonSerializer.Serialize(d.Student),
            ["CompletedCompulsory"] = d.CompletedCompulsory ? true : null,
            ["Place"] = d.Outside?.Place,
            ["Stage"] = d.Outside is { } away ? SchoolStages.Chinese(away.Stage) : null,
            ["Grade"] = d.Outside?.Grade,
        };

    /// <summary>Discrepancy ids are the row key with '-' for '|': "nameMismatch-0000012".</summary>
    public static string DiscrepancyId(string rowKey) => rowKey.Replace('|', '-');

    private static string RowKeyOf(string discrepancyId) => discrepancyId.Replace('-', '|');

    public async Task<EduRelief.Storage.Page<DiscrepancyRow>> ListDiscrepanciesAsync(string cycleId, string runId, string? kind, string? schoolCode, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DiscrepancyPartition(cycleId, runId)}");
        if (kind is not null)
        {
            filter += " and " + StorageTables.StartsWith("RowKey", kind + "|");
        }

        if (schoolCode is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SchoolCode eq {schoolCode}");
        }

        await foreach (var page in _discrepancies.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new EduRelief.Storage.Page<DiscrepancyRow>(page.Values.Select(ToDiscrepancy).ToList(), page.ContinuationToken);
        }

        return new EduRelief.Storage.Page<DiscrepancyRow>([], null);
    }

    /// <summary>Every discrepancy of one school in a run (a school's students; rows of the poverty registry have none).</summary>
    public async IAsyncEnumerable<DiscrepancyRow> SchoolDiscrepanciesAsync(string cycleId, string runId, string schoolCode, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DiscrepancyPartition(cycleId, runId)} and SchoolCode eq {schoolCode}");
        await foreach (var e in _discrepancies.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToDiscrepancy(e);
        }
    }

    /// <summary>Every discrepancy of one kind, for workbooks.</summary>
    public async IAsyncEnumerable<DiscrepancyRow> AllDiscrepanciesAsync(string cycleId, string runId, string kind, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DiscrepancyPartition(cycleId, runId)}") + " and " + StorageTables.StartsWith("RowKey", kind + "|");
        await foreach (var e in _discrepancies.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToDiscrepancy(e);
        }
    }

    /// <summary>
    /// Writes discrepancies found after the run (the accounts check's holder mismatches) into the run's list, and takes
    /// out those no longer true. <paramref name="upserts"/> carry their row key; their partition is set here.
    /// </summary>
    public async Task WriteDiscrepanciesAsync(string cycleId, string runId, IEnumerable<TableEntity> upserts, IEnumerable<DiscrepancyRow> deletes, CancellationToken cancellationToken)
    {
        var partition = DiscrepancyPartition(cycleId, runId);
        var actions = upserts.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(e) { PartitionKey = partition }))
            .Concat(deletes.Select(d => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, RowKeyOf(d.Id)), ETag.All)));
        await StorageTables.SubmitAsync(_discrepancies, actions, cancellationToken);
    }

    public async Task<DiscrepancyRow?> GetDiscrepancyAsync(string cycleId, string runId, string discrepancyId, CancellationToken cancellationToken)
    {
        var rowKey = RowKeyOf(discrepancyId);
        if (Keys.Safe(rowKey) != rowKey)
        {
            return null;
        }

        var row = await _discrepancies.GetEntityIfExistsAsync<TableEntity>(DiscrepancyPartition(cycleId, runId), rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? ToDiscrepancy(row.Value!) : null;
    }

    /// <summary>Records a decision, guarded by the row's ETag; false when someone else decided first.</summary>
    public async Task<bool> RecordDecisionAsync(string cycleId, string runId, DiscrepancyRow row, string decision, string actor, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(DiscrepancyPartition(cycleId, runId), RowKeyOf(row.Id))
        {
            ["Decision"] = decision,
            ["DecidedBy"] = actor,
            ["DecidedAt"] = at,
            ["DecisionReason"] = reason,
        };
        try
        {
            await _discrepancies.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task<EduRelief.Storage.Page<LedgerRow>> ListLedgerAsync(string cycleId, string runId, string? program, string? schoolCode, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var filter = schoolCode is not null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {LedgerPartition(cycleId, runId, schoolCode)}")
            : StorageTables.StartsWith("PartitionKey", $"{cycleId}|{runId}|");
        if (program is not null)
        {
            filter += " and " + StorageTables.StartsWith("RowKey", program + "|");
        }

        await foreach (var page in _ledger.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new EduRelief.Storage.Page<LedgerRow>(page.Values.Select(ToLedger).ToList(), page.ContinuationToken);
        }

        return new EduRelief.Storage.Page<LedgerRow>([], null);
    }

    /// <summary>
    /// The ledger rows of several schools of a run, by school code, in one range scan: a run's school partitions are
    /// adjacent in key order, so the scan spans the schools from the first to the last key and keeps only those asked
    /// for. Within a school, rows come in key order, as <see cref="ListLedgerAsync"/> gives them.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, List<LedgerRow>>> LedgerOfSchoolsAsync(string cycleId, string runId, IReadOnlyCollection<string> schoolCodes, CancellationToken cancellationToken)
    {
        var byPartition = schoolCodes.Distinct(StringComparer.Ordinal)
            .ToDictionary(code => LedgerPartition(cycleId, runId, code), code => (Code: code, Rows: new List<LedgerRow>()), StringComparer.Ordinal);
        if (byPartition.Count == 0)
        {
            return new Dictionary<string, List<LedgerRow>>();
        }

        var first = byPartition.Keys.Min(StringComparer.Ordinal)!;
        var last = byPartition.Keys.Max(StringComparer.Ordinal)!;
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last}");
        await foreach (var e in _ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (byPartition.TryGetValue(e.PartitionKey, out var school))
            {
                school.Rows.Add(ToLedger(e));
            }
        }

        return byPartition.Values.ToDictionary(s => s.Code, s => s.Rows, StringComparer.Ordinal);
    }

    public async IAsyncEnumerable<LedgerRow> AllLedgerAsync(string cycleId, string runId, string program, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = StorageTables.StartsWith("PartitionKey", $"{cycleId}|{runId}|") + " and " + StorageTables.StartsWith("RowKey", program + "|");
        await foreach (var e in _ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToLedger(e);
        }
    }

    /// <summary>Every ledger row of a run that verification did not write (confirmed later: review, rectification), of every program.</summary>
    public async IAsyncEnumerable<LedgerRow> LateLedgerAsync(string cycleId, string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = StorageTables.StartsWith("PartitionKey", $"{cycleId}|{runId}|") + " and " + TableClient.CreateQueryFilter($"Source ne {"verification"}");
        await foreach (var e in _ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToLedger(e);
        }
    }

    /// <summary>Every ledger row of one school in a run (one partition).</summary>
    public async IAsyncEnumerable<LedgerRow> SchoolLedgerAsync(string cycleId, string runId, string schoolCode, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LedgerPartition(cycleId, runId, schoolCode)}");
        await foreach (var e in _ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToLedger(e);
        }
    }

    private static LedgerRow ToLedger(TableEntity e) => new(
        $"{e.PartitionKey.Split('|')[^1]}.{e.RowKey.Replace('|', '.')}",
        e.GetString("SchoolCode") ?? "", e.GetString("SchoolName") ?? "", e.GetString("Name") ?? "", IdNumber.FromStored(e.GetString("IdNumber")),
        e.GetString("Stage") ?? "", e.GetInt32("Grade") ?? 0, e.GetBoolean("Boarding") ?? false, e.GetString("Program") ?? "",
        Yuan.FromFen(e.GetInt64("AmountFen") ?? 0), e.GetString("Source") ?? "")
    {
        HouseholdNames = e.GetString("HouseholdNames") is { Length: > 0 } names ? JsonSerializer.Deserialize<string[]>(names) ?? [] : [],
    };

    private static DiscrepancyRow ToDiscrepancy(TableEntity e) => new(
        DiscrepancyId(e.RowKey), e.GetString("Kind") ?? "", e.GetString("File") ?? "", new Text(e.GetString("Reason") ?? "", e.GetString("ReasonEn") ?? e.GetString("Reason") ?? ""),
        e.GetInt32("StudentRow"), e.GetInt32("PovertyRow"), e.GetString("StudentName"), e.GetString("PovertyName"),
        e.GetString("SchoolCode"), e.GetString("SchoolName"), e.GetString("MaskedId"), e.GetString("Column"),
        e.GetString("Township"), e.GetString("Village"), e.GetInt32("Age"),
        e.GetString("Decision"), e.GetString("DecidedBy"), e.GetDateTimeOffset("DecidedAt"), e.GetString("DecisionReason"), e.GetString("Student"), e.ETag)
    {
        MaskedAccount = e.GetString("MaskedAccount"),
        AccountVersion = e.GetString("AccountVersion"),
        IdNumber = e.GetString("IdNumber") is { } stored ? Rosters.IdNumber.FromStored(stored) : null,
        Place = e.GetString("Place"),
        CompletedCompulsory = e.GetBoolean("CompletedCompulsory") ?? false,
        Stage = e.GetString("Stage"),
        Grade = e.GetInt32("Grade"),
    };
}
