using Azure;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Pairing;

/// <summary>
/// A child's pairing at a school: the teachers (by id), the special groups the school flagged, and what the last
/// proposal or edit knew of the child (name, stage, grade, village) for lists that need no other read.
/// </summary>
public sealed record PairingRow(
    string CountyCode, string SchoolCode, string ChildKey, IReadOnlyList<string> TeacherIds, IReadOnlyList<string> Groups,
    string Name, string? Stage, int? Grade, string? Village, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    internal ETag ETag { get; init; }
}

/// <summary>
/// Pairings, table <c>pairings</c>, partition <c>{county}|{school}</c>, one row per child keyed by the child registry's
/// row key (<see cref="Children.ChildIds"/>: no ID number in a key or a column). A pairing belongs to the school, not
/// to a cycle: it carries over to the next cycle while the child stays at the school, and a child who moved on is
/// simply no longer among the school's children of the later cycle.
/// </summary>
public sealed class PairingStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("pairings", CycleRowScope.CountyPartitions)];

    private readonly TableClient _table = storage.Table("pairings");

    public async Task<IReadOnlyList<PairingRow>> SchoolAsync(string county, string school, CancellationToken cancellationToken)
    {
        var rows = new List<PairingRow>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TeacherStore.Partition(county, school)}"), cancellationToken: cancellationToken))
        {
            rows.Add(ToRow(e));
        }

        return rows;
    }

    /// <summary>Whether any school of the county has a pairing (the daily run skips counties that have none).</summary>
    public async Task<bool> AnyAsync(string county, CancellationToken cancellationToken)
    {
        // Items, not pages: a page may come back empty with a continuation, and the enumeration follows it.
        await foreach (var _ in _table.QueryAsync<TableEntity>(StorageTables.StartsWith("PartitionKey", county + "|"), maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    /// <summary>The child's pairings in the county, at every school that has one, the latest updated first.</summary>
    public async Task<IReadOnlyList<PairingRow>> FindChildAsync(string county, string childKey, CancellationToken cancellationToken)
    {
        var filter = StorageTables.StartsWith("PartitionKey", county + "|") + " and " + TableClient.CreateQueryFilter($"RowKey eq {childKey}");
        var rows = new List<PairingRow>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(ToRow(e));
        }

        return [.. rows.OrderByDescending(r => r.UpdatedAt)];
    }

    /// <summary>Writes each row whole (teachers, groups, the child's details); 100 to a transaction, one partition.</summary>
    public Task SaveAsync(IEnumerable<PairingRow> rows, CancellationToken cancellationToken) =>
        StorageTables.SubmitAsync(_table, rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))), cancellationToken);

    private static TableEntity ToEntity(PairingRow r) => new(TeacherStore.Partition(r.CountyCode, r.SchoolCode), r.ChildKey)
    {
        ["Teachers"] = string.Join(',', r.TeacherIds),
        ["Groups"] = string.Join(',', r.Groups),
        ["Name"] = r.Name,
        ["Stage"] = r.Stage,
        ["Grade"] = r.Grade,
        ["Village"] = r.Village,
        ["UpdatedAt"] = r.UpdatedAt,
        ["UpdatedBy"] = r.UpdatedBy,
    };

    private static PairingRow ToRow(TableEntity e)
    {
        var bar = e.PartitionKey.IndexOf('|', StringComparison.Ordinal);
        return new PairingRow(
            e.PartitionKey[..bar], e.PartitionKey[(bar + 1)..], e.RowKey, Split(e.GetString("Teachers")), Split(e.GetString("Groups")),
            e.GetString("Name") ?? "", e.GetString("Stage"), e.GetInt32("Grade"), e.GetString("Village"), e.GetDateTimeOffset("UpdatedAt") ?? default, e.GetString("UpdatedBy") ?? "")
        {
            ETag = e.ETag,
        };
    }

    private static string[] Split(string? value) => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
}
