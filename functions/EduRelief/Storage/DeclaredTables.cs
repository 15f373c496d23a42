using System.Reflection;

namespace EduRelief.Storage;

/// <summary>Which rows of a table belong to one cycle of one county (what the cycle export copies).</summary>
public enum CycleRowScope
{
    /// <summary>PartitionKey is the cycle id or starts with <c>{cycleId}|</c>.</summary>
    CyclePartitions,

    /// <summary>The cycle's row in the <c>cycles</c> index (PartitionKey <c>cycle</c>, RowKey the id).</summary>
    CycleIndexRow,

    /// <summary>Durable timer rows (PartitionKey <c>due</c>) whose RowKey names the cycle: <c>{ticks}|{cycleId}|{timerId}</c>.</summary>
    DueTimers,

    /// <summary>The county's whole partition (mail outbox and reminder markers, hotline cases and their counters).</summary>
    CountyPartition,

    /// <summary>The county's contacts row (PartitionKey <c>contacts</c>, RowKey the county code).</summary>
    CountyContacts,

    /// <summary>
    /// A county-wide registry kept across cycles (the accounts): PartitionKey is the county code or starts with
    /// <c>{countyCode}|</c>. The cycle's payments were cut from it, so a cycle restored elsewhere needs it too.
    /// </summary>
    CountyPartitions,
}

/// <summary>
/// A table a store writes. <see cref="CycleRows"/> says which of its rows are a cycle's (null: none, the table is not
/// part of a cycle's export).
/// </summary>
public sealed record DeclaredTable(string Name, CycleRowScope? CycleRows = null);

/// <summary>A class that writes tables declares them; the storage initializer and the cycle export take them from there.</summary>
public interface IDeclaresTables
{
    static abstract IReadOnlyList<DeclaredTable> Tables { get; }
}

/// <summary>Every table declared by a class of the app (<see cref="IDeclaresTables"/>), by name.</summary>
public static class DeclaredTables
{
    public static IReadOnlyList<DeclaredTable> All { get; } = Gather();

    /// <summary>Creates every declared table.</summary>
    public static async Task CreateAsync(StorageAccount storage, CancellationToken cancellationToken)
    {
        foreach (var table in All)
        {
            await storage.Table(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    private static List<DeclaredTable> Gather() =>
        typeof(IDeclaresTables).Assembly.GetTypes()
            .Where(t => t is { IsInterface: false } && t.IsAssignableTo(typeof(IDeclaresTables)))
            .SelectMany(DeclaredBy)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<DeclaredTable> DeclaredBy(Type type) =>
        (IReadOnlyList<DeclaredTable>)type.GetProperty(nameof(IDeclaresTables.Tables), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
}
