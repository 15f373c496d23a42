using System.Text.Json.Nodes;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Workflow;

namespace EduRelief.Notices;

/// <summary>
/// One shard of the notice fan-out: renders one school's notice (HTML and XLSX) from its ledger rows of the approved
/// run, stores both as content-addressed blobs and records the school's row. Idempotent and deterministic: a retry
/// renders the same bytes, which land on the same blob names, and rewrites the same row. A school left with no rows
/// (its only students were rejected at review) publishes nothing.
/// </summary>
public sealed class NoticeRenderActivity(
    WorkflowEngine engine, EligibilityStore ledger, NoticeStore notices, CountyContactsStore contacts, WorkingCalendar calendar, ILogger<NoticeRenderActivity> logger) : IActivity
{
    private const int PageSize = 1000;

    public string Kind => NoticeSteps.RenderKind;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runId = (string)context.Input!["runId"]!;
        var schoolCode = context.ShardKey ?? throw new InvalidOperationException("A notice is rendered per school shard.");
        var cycle = await engine.GetAsync(context.InstanceId, cancellationToken) ?? throw new InvalidOperationException($"Cycle {context.InstanceId} does not exist.");
        var heading = await HeadingAsync(cycle, contacts, calendar, cancellationToken);

        var rows = new List<LedgerRow>();
        string? token = null;
        do
        {
            var page = await ledger.ListLedgerAsync(context.InstanceId, runId, null, schoolCode, token, PageSize, cancellationToken);
            rows.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        if (rows.Count == 0)
        {
            return new JsonObject { ["schoolCode"] = schoolCode, ["rows"] = 0 };
        }

        var notice = NoticeContent.Create(heading, schoolCode, rows);
        var html = await notices.SaveDocumentAsync(NoticeRenderer.Html(notice), NoticeRenderer.HtmlType, cancellationToken);
        var xlsx = await notices.SaveDocumentAsync(NoticeRenderer.Workbook(notice), NoticeRenderer.XlsxType, cancellationToken);
        await notices.UpsertAsync(new NoticeEntry(context.InstanceId, schoolCode, notice.SchoolName, runId, rows.Count, notice.Recipients, notice.Total, html, xlsx), cancellationToken);
        logger.LogInformation("{CycleId}: notice of school {SchoolCode} rendered, {Rows} rows", context.InstanceId, schoolCode, rows.Count);
        return new JsonObject { ["schoolCode"] = schoolCode, ["rows"] = rows.Count };
    }

    /// <summary>The county, semester, period and hotline every school's notice shows.</summary>
    public static async Task<NoticeHeading> HeadingAsync(InstanceSnapshot cycle, CountyContactsStore contacts, WorkingCalendar calendar, CancellationToken cancellationToken)
    {
        var state = CycleState.Of(cycle);
        var notice = state.Notice ?? throw new InvalidOperationException($"Cycle {cycle.Id} has no notice period.");
        var publishedAt = notice.PublishedAt!.Value;
        var endsAt = notice.EndsAt!.Value;
        var countyCode = state.CountyCode!;

        // Approval refuses a county without contacts; one deleted since is an outage of data, retried then dead-lettered.
        var county = await contacts.GetAsync(countyCode, cancellationToken)
            ?? throw new InvalidOperationException($"County {countyCode} has no contacts; a notice must say how to object.");
        var firstYear = WorkingDays.ChinaDate(publishedAt).Year;
        var calendars = await calendar.CalendarsAsync(firstYear, WorkingDays.ChinaDate(endsAt).Year, cancellationToken);
        return new NoticeHeading(
            state.CountyName ?? countyCode,
            NoticeText.SemesterTitle(state.Semester ?? ""),
            NoticeText.Period(calendars, publishedAt, endsAt, notice.WorkingDays!.Value),
            county.BureauName,
            county.HotlinePhone,
            county.ObjectionAddress);
    }
}

/// <summary>Counts the notices the fan-out stored, for the cycle's <c>notice.documents</c>.</summary>
public sealed class NoticeSummaryActivity(NoticeStore notices) : IActivity
{
    public string Kind => NoticeSteps.SummarizeKind;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runId = (string)context.Input!["runId"]!;
        var entries = await notices.ListAsync(context.InstanceId, runId, cancellationToken);
        return new JsonObject
        {
            ["schools"] = entries.Count,
            ["rows"] = entries.Sum(e => e.Rows),
            ["recipients"] = entries.Sum(e => e.Recipients),
        };
    }
}
