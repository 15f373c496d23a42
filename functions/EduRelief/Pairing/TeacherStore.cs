using Azure;
using Page = EduRelief.Storage.Page<EduRelief.Pairing.Teacher>;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Pairing;

/// <summary>A school's teacher. <see cref="Phone"/> is the full number: answers show it masked, logs never.</summary>
public sealed record Teacher(string CountyCode, string SchoolCode, string Id, string Name, string Phone, bool Active, DateTimeOffset UpdatedAt, string UpdatedBy, DateTimeOffset? DeactivatedAt);

/// <summary>What an upload did: teachers new to the school, changed (name, phone, or deactivated before), unchanged.</summary>
public sealed record TeachersApplied(int Added, int Changed, int Unchanged);

/// <summary>
/// Each school's teachers for 结对帮扶, kept across cycles: table <c>teachers</c>, partition <c>{county}|{school}</c>,
/// one row per teacher keyed by <see cref="TeacherIds"/>. An upload adds or updates the teachers it lists (and
/// reactivates a deactivated one it lists again) and leaves the others as they are: a teacher leaves only by
/// deactivation, so the pairings and records naming them keep their meaning.
/// </summary>
public sealed class TeacherStore(StorageAccount storage) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("teachers", CycleRowScope.CountyPartitions)];

    public const long MaxFileBytes = 4L * 1024 * 1024;

    private readonly TableClient _table = storage.Table("teachers");

    public static string Partition(string county, string school) => $"{county}|{school}";

    public async Task<TeachersApplied> ApplyAsync(string county, string school, IReadOnlyList<TeacherLine> lines, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var before = (await AllAsync(county, school, cancellationToken)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        int added = 0, changed = 0, unchanged = 0;
        var actions = new List<TableTransactionAction>();
        foreach (var line in lines)
        {
            if (before.TryGetValue(line.TeacherId, out var now) && now.Name == line.Name && now.Phone == line.Phone && now.Active)
            {
                unchanged++;
                continue;
            }

            _ = now is null ? added++ : changed++;
            actions.Add(new(TableTransactionActionType.UpsertMerge, new TableEntity(Partition(county, school), line.TeacherId)
            {
                ["Name"] = line.Name,
                ["Phone"] = line.Phone,
                ["Active"] = true,
                ["UpdatedAt"] = at,
                ["UpdatedBy"] = actor,
                ["DeactivatedAt"] = null,
            }));
        }

        await StorageTables.SubmitAsync(_table, actions, cancellationToken);
        return new TeachersApplied(added, changed, unchanged);
    }

    public async Task<Page> ListAsync(string county, string school, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(county, school)}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new Page([.. page.Values.Select(ToTeacher)], page.ContinuationToken);
        }

        return new Page([], null);
    }

    public async Task<IReadOnlyList<Teacher>> AllAsync(string county, string school, CancellationToken cancellationToken)
    {
        var all = new List<Teacher>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(county, school)}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            all.Add(ToTeacher(e));
        }

        return all;
    }

    public async Task<Teacher?> GetAsync(string county, string school, string teacherId, CancellationToken cancellationToken)
    {
        if (!TeacherIds.IsValid(teacherId))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(county, school), teacherId, cancellationToken: cancellationToken);
        return row.HasValue ? ToTeacher(row.Value!) : null;
    }

    /// <summary>Deactivates the teacher (again is harmless: the first deactivation's time stays).</summary>
    public async Task<Teacher> DeactivateAsync(Teacher teacher, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!teacher.Active)
        {
            return teacher;
        }

        await _table.UpdateEntityAsync(
            new TableEntity(Partition(teacher.CountyCode, teacher.SchoolCode), teacher.Id) { ["Active"] = false, ["DeactivatedAt"] = at, ["UpdatedAt"] = at, ["UpdatedBy"] = actor },
            ETag.All, TableUpdateMode.Merge, cancellationToken);
        return teacher with { Active = false, DeactivatedAt = at, UpdatedAt = at, UpdatedBy = actor };
    }

    private static Teacher ToTeacher(TableEntity e)
    {
        var bar = e.PartitionKey.IndexOf('|', StringComparison.Ordinal);
        return new Teacher(
            e.PartitionKey[..bar], e.PartitionKey[(bar + 1)..], e.RowKey, e.GetString("Name") ?? "", e.GetString("Phone") ?? "",
            e.GetBoolean("Active") ?? true, e.GetDateTimeOffset("UpdatedAt") ?? default, e.GetString("UpdatedBy") ?? "", e.GetDateTimeOffset("DeactivatedAt"));
    }
}
