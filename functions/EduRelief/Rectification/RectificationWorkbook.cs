using System.Globalization;
using EduRelief.Exports;
using EduRelief.Hosting;

namespace EduRelief.Rectification;

/// <summary>
/// The 整改台账: one row per item of the cycle in id order, with its source, problem, owner, deadline, status, what was
/// done, the number of evidence files and when it was accepted. Rows are streamed from storage into the sheet.
/// </summary>
public static class RectificationWorkbook
{
    public const string SheetName = "整改台账";

    public static readonly string[] Header =
        ["序号", "整改编号", "问题来源", "问题描述", "学生姓名", "责任单位", "整改时限", "状态", "是否逾期", "整改情况/备注", "佐证材料数", "完成时间"];

    /// <summary>The workbook of <paramref name="items"/>; owners and schools are named by <paramref name="schools"/>.</summary>
    public static Task WriteAsync(Stream output, IAsyncEnumerable<RectificationItem> items, Eligibility.SchoolNameCache schools, DateTimeOffset now, CancellationToken cancellationToken) =>
        XlsxWorkbook.WriteAsync(output, [new XlsxSheet(SheetName, Header, Rows(items, schools, now, cancellationToken))], cancellationToken);

    private static async IAsyncEnumerable<object[]> Rows(IAsyncEnumerable<RectificationItem> items, Eligibility.SchoolNameCache schools, DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = 0;
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            yield return Cells(++n, item, await ItemNames.OfAsync(item, schools, cancellationToken), now);
        }
    }

    private static object[] Cells(int n, RectificationItem i, ItemNames names, DateTimeOffset now) =>
    [
        n,
        i.Id,
        RectificationSources.Label(i.Source),
        string.IsNullOrEmpty(i.Description) ? i.Title : $"{i.Title}：{i.Description}",
        i.StudentName ?? "",
        names.Owner,
        Day(i.DueAt),
        RectificationStatuses.Label(i.Status),
        i.IsOverdue(now) ? "是" : "否",
        Remarks(i, names),
        i.EvidenceCount,
        i.AcceptedAt is { } at ? Day(at) : "",
    ];

    private static string Remarks(RectificationItem i, ItemNames names)
    {
        var parts = new List<string>();
        if (i.Outcome is not null)
        {
            parts.Add(DropoutOutcomes.Label(i.Outcome) + (names.OutcomeSchool is { } s ? $"（{s}）" : "") + (i.OutcomeReason is { } r ? $"（{r}）" : ""));
        }

        if (i.Note is not null)
        {
            parts.Add(i.Note);
        }

        if (i.Status == RectificationStatuses.Returned && i.ReturnReason is not null)
        {
            parts.Add($"退回原因：{i.ReturnReason}");
        }

        return string.Join("；", parts);
    }

    private static string Day(DateTimeOffset at) => ChinaTime.ToChina(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
