using Azure;
using Azure.Data.Tables;
using EduRelief.Reminders;
using EduRelief.Storage;

namespace EduRelief.Hotline;

/// <summary>
/// Hotline cases as a reminder source, read straight from table <c>hotlinecases</c> (PartitionKey the county, RowKey
/// the case number, <c>Kind eq 'case'</c>). The columns read (<c>Status</c>, <c>Deadline</c>, <c>Assignee</c>,
/// <c>Category</c>, <c>SubjectSchoolCode</c>, <c>SubjectStudentName</c>) and written (<c>RemindedAt</c>,
/// <c>EscalatedAt</c>) are a contract with the case lifecycle. Only these columns are selected: the caller's name and
/// phone and the content never leave the table here.
/// </summary>
public sealed class HotlineReminderSource(StorageAccount storage, Eligibility.SchoolNames names) : IReminderSource
{
    /// <summary>Statuses in which a case still waits for the bureau's answer.</summary>
    public static readonly IReadOnlySet<string> OpenStatuses = new HashSet<string>(StringComparer.Ordinal) { "new", "assigned", "in_progress", "reopened" };

    private static readonly string[] Columns = ["PartitionKey", "RowKey", "Status", "Deadline", "Assignee", "Category", "SubjectSchoolCode", "SubjectStudentName"];

    private readonly TableClient _cases = storage.Table("hotlinecases");

    public string Name => "hotline";

    public async Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<DueItem>();
        var schools = names.ByCounty();
        var filter = TableClient.CreateQueryFilter($"Kind eq {"case"}") + " and ("
            + string.Join(" or ", OpenStatuses.Order(StringComparer.Ordinal).Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")";
        await foreach (var row in _cases.QueryAsync<TableEntity>(filter, select: Columns, cancellationToken: cancellationToken))
        {
            if (row.GetString("Status") is not { } status || !OpenStatuses.Contains(status) || row.GetDateTimeOffset("Deadline") is not { } deadline)
            {
                continue;
            }

            var school = row.GetString("SubjectSchoolCode");
            items.Add(new DueItem(
                row.RowKey,
                row.PartitionKey,
                deadline,
                row.GetString("Assignee") is { Length: > 0 } assignee ? assignee : null,
                "热线工单",
                row.RowKey,
                HotlineCategories.Chinese(row.GetString("Category") ?? ""),
                school,
                row.GetString("SubjectStudentName"),
                SchoolName: school is null ? null : await schools(row.PartitionKey).FindAsync(school, cancellationToken)));
        }

        return items;
    }

    public async Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var column = kind == ReminderKinds.Overdue ? "EscalatedAt" : "RemindedAt";
        try
        {
            await _cases.UpdateEntityAsync(new TableEntity(item.CountyCode, item.Key) { [column] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            // The case is gone; nothing to show the reminder on.
        }
    }
}
