using System.Text.Json;
using Azure.Data.Tables;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Storage;

namespace EduRelief.Children;

/// <summary>What a child's record of one cycle says (DOMAIN "A child across semesters").</summary>
public static class ChildStatuses
{
    public const string Eligible = "eligible";
    public const string PendingReview = "pendingReview";
    public const string Absent = "absent";

    /// <summary>Not a record's status but a flag of it (an eligible child may have transferred): searchable all the same.</summary>
    public const string Transferred = "transferred";

    public static readonly IReadOnlyList<string> Searchable = [Eligible, PendingReview, Transferred, Absent];
}

/// <summary>One entitlement of a cycle, in yuan.</summary>
public sealed record ChildEntitlement(string Program, Yuan Amount);

/// <summary>
/// A child's record of one cycle, as its verification run <see cref="Run"/> found them: listed at a school (eligible,
/// or pending a name decision; <see cref="TransferredFrom"/> when at another school than in the previous cycle), or
/// <see cref="ChildStatuses.Absent"/>: eligible in the previous cycle, of school age (<see cref="Age"/>) and in no
/// roster now (no school of this cycle: the fields are null).
/// </summary>
public sealed record ChildEntry(
    string Run,
    string Status,
    string Name,
    string? SchoolCode = null,
    string? SchoolName = null,
    SchoolStage? Stage = null,
    int? Grade = null,
    bool? Boarding = null,
    IReadOnlyList<ChildEntitlement>? Entitlements = null,
    string? TransferredFrom = null,
    int? Age = null)
{
    public bool Eligible => Status == ChildStatuses.Eligible;
}

/// <summary>A child of the registry: the latest record's fields, and the record of each cycle oldest first.</summary>
public sealed record RegisteredChild(
    string RowKey,
    IdNumber IdNumber,
    string Name,
    string SchoolCode,
    string SchoolName,
    string Township,
    string Village,
    string LatestCycle,
    string Status,
    bool Transferred,
    IReadOnlyList<(Semester Semester, ChildEntry Entry)> Timeline)
{
    public ChildEntry? Latest => Timeline.Count > 0 ? Timeline[^1].Entry : null;

    /// <summary>The latest record at a school (an absent child's latest record has none).</summary>
    public ChildEntry? LatestListed => Timeline.LastOrDefault(t => t.Entry.SchoolCode is not null).Entry;
}

/// <summary>The county's previous cycle as the registry holds it: each child listed at a school then.</summary>
public sealed record PreviousCycle(Semester Semester, IReadOnlyList<(PreviousChild Child, RegisteredChild Registered)> Children);

/// <summary>
/// The county's child registry (DOMAIN "A child across semesters"), table <c>children</c>. One row per child, in
/// partition <c>{county}|{first two hex digits}</c> keyed by <see cref="ChildIds.RowKey"/> (no ID number in a key);
/// the row holds the child's latest record (school, stage, grade, 乡镇/村, status) and one property
/// <c>T_{year}_{term}</c> per cycle with that cycle's <see cref="ChildEntry"/> as JSON. Row <c>cycles</c> of partition
/// <c>{county}</c> names, per cycle, the run whose records count: a record of an earlier run of the cycle (a replaced
/// roster) is ignored, and the row is written last, so a cycle counts only once its records are all written.
/// Verification writes it with merges only, 100 per entity-group transaction, no read first: a redelivered or
/// half-done step writes the same properties of the same rows again.
/// </summary>
public sealed class ChildRegistry(StorageAccount storage, ChildIds ids) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("children", CycleRowScope.CountyPartitions)];

    private const string CyclesRow = "cycles";
    private const string CyclePrefix = "T_";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The columns <see cref="ToChild"/> reads besides the cycles' records.</summary>
    private static readonly string[] LatestColumns = ["IdNumber", "Name", "SchoolCode", "SchoolName", "Township", "Village", "LatestCycle", "Status", "Transferred"];

    private readonly TableClient _table = storage.Table("children");

    /// <summary>The cycles the registry holds for the county, each with the run whose records count.</summary>
    public async Task<IReadOnlyDictionary<Semester, string>> CyclesAsync(string county, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(county, CyclesRow, cancellationToken: cancellationToken);
        var cycles = new Dictionary<Semester, string>();
        foreach (var (name, value) in row.HasValue ? row.Value! : [])
        {
            if (SemesterOf(name) is { } semester && value is string run)
            {
                cycles[semester] = run;
            }
        }

        return cycles;
    }

    /// <summary>The county's latest cycle before <paramref name="current"/> with its children, or null when there is none.</summary>
    public async Task<PreviousCycle?> PreviousCycleAsync(string county, Semester current, CancellationToken cancellationToken)
    {
        var cycles = await CyclesAsync(county, cancellationToken);
        if (SemesterOrder.Before(current, cycles.Keys) is not { } previous)
        {
            return null;
        }

        var children = new List<(PreviousChild, RegisteredChild)>();
        await foreach (var (child, entry) in ListedInAsync(county, previous, cycles[previous], cancellationToken))
        {
            children.Add((new PreviousChild(child.IdNumber, entry.SchoolCode!, entry.Stage!.Value, entry.Grade!.Value, entry.Eligible), child));
        }

        return new PreviousCycle(previous, children);
    }

    /// <summary>
    /// The county's children listed at a school (with stage and grade) in <paramref name="semester"/>'s run
    /// <paramref name="runId"/>, each with that record. Reads the latest-record columns and that one cycle's record:
    /// the other cycles' records stay in the table.
    /// </summary>
    public async IAsyncEnumerable<(RegisteredChild Child, ChildEntry Entry)> ListedInAsync(
        string county, Semester semester, string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var only = new Dictionary<Semester, string> { [semester] = runId };
        string[] columns = ["RowKey", .. LatestColumns, PropertyOf(semester)];
        await foreach (var e in _table.QueryAsync<TableEntity>(CountyRows(county), maxPerPage: 1000, select: columns, cancellationToken: cancellationToken))
        {
            var child = ToChild(e, only);
            if (child.Latest is { SchoolCode: not null, Stage: not null, Grade: not null } entry)
            {
                yield return (child, entry);
            }
        }
    }

    /// <summary>Writes a verified cycle's records, then marks the cycle's run as the one that counts.</summary>
    public async Task WriteCycleAsync(string county, Semester semester, string runId, VerificationResult result, ComparedCycle? compared, CancellationToken cancellationToken)
    {
        var cycles = await CyclesAsync(county, cancellationToken);
        var newest = cycles.Keys.All(s => SemesterOrder.Of(s) <= SemesterOrder.Of(semester));
        var rows = new CycleRows(ids, county, semester, runId, newest).For(result, compared);
        await StorageTables.SubmitAsync(_table, rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, e)), cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(county, CyclesRow) { [PropertyOf(semester)] = runId }, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>One page of the county's children matching <paramref name="filter"/> (an OData filter on the latest record's columns).</summary>
    public async Task<Page<RegisteredChild>> SearchAsync(string county, string? filter, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var cycles = await CyclesAsync(county, cancellationToken);
        var query = filter is null ? CountyRows(county) : $"{CountyRows(county)} and ({filter})";
        await foreach (var page in _table.QueryAsync<TableEntity>(query, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new Page<RegisteredChild>([.. page.Values.Select(e => ToChild(e, cycles))], page.ContinuationToken);
        }

        return new Page<RegisteredChild>([], null);
    }

    /// <summary>The child of <paramref name="rowKey"/> (<see cref="ChildIds.RowKeyOf"/>), or null.</summary>
    public async Task<RegisteredChild?> GetAsync(string county, string rowKey, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(county, rowKey), rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? ToChild(row.Value!, await CyclesAsync(county, cancellationToken)) : null;
    }

    /// <summary>The child with <paramref name="idNumber"/>, or null.</summary>
    public Task<RegisteredChild?> FindAsync(string county, IdNumber idNumber, CancellationToken cancellationToken) =>
        GetAsync(county, ids.RowKey(idNumber), cancellationToken);

    internal static string Partition(string county, string rowKey) => $"{county}|{rowKey[..2]}";

    internal static string PropertyOf(Semester semester) => CyclePrefix + semester.ToString().Replace('-', '_');

    private static Semester? SemesterOf(string property) =>
        property.StartsWith(CyclePrefix, StringComparison.Ordinal) && Semester.TryParse(property[CyclePrefix.Length..].Replace('_', '-'), out var semester) ? semester : null;

    private static string CountyRows(string county) => StorageTables.StartsWith("PartitionKey", county + "|");

    internal static string Serialize(ChildEntry entry) => JsonSerializer.Serialize(entry, Json);

    /// <summary>A row as the registry's child: only the records of the runs <paramref name="cycles"/> names count.</summary>
    internal static RegisteredChild ToChild(TableEntity e, IReadOnlyDictionary<Semester, string> cycles)
    {
        var timeline = new List<(Semester, ChildEntry)>();
        foreach (var (name, value) in e)
        {
            if (SemesterOf(name) is { } semester && value is string json && JsonSerializer.Deserialize<ChildEntry>(json, Json) is { } entry
                && cycles.TryGetValue(semester, out var run) && run == entry.Run)
            {
                timeline.Add((semester, entry));
            }
        }

        timeline.Sort((a, b) => SemesterOrder.Of(a.Item1).CompareTo(SemesterOrder.Of(b.Item1)));
        return new RegisteredChild(
            e.RowKey, IdNumber.FromStored(e.GetString("IdNumber")), e.GetString("Name") ?? "", e.GetString("SchoolCode") ?? "", e.GetString("SchoolName") ?? "",
            e.GetString("Township") ?? "", e.GetString("Village") ?? "", e.GetString("LatestCycle") ?? "", e.GetString("Status") ?? "",
            e.GetBoolean("Transferred") ?? false, timeline);
    }
}

/// <summary>Semesters in time order: 2026-spring before 2026-autumn before 2027-spring.</summary>
public static class SemesterOrder
{
    public static int Of(Semester semester) => (semester.Year * 2) + (semester.Term == Term.Autumn ? 1 : 0);

    /// <summary>The latest of <paramref name="semesters"/> before <paramref name="current"/>, or null.</summary>
    public static Semester? Before(Semester current, IEnumerable<Semester> semesters) =>
        Newest(semesters.Where(s => Of(s) < Of(current)));

    /// <summary>The latest of <paramref name="semesters"/>, or null when there is none.</summary>
    public static Semester? Newest(IEnumerable<Semester> semesters) => semesters.MaxBy(Of);
}
