using System.Text.Json.Nodes;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Letters;
using EduRelief.Workflow;

namespace EduRelief.Notices;

/// <summary>
/// One shard of the notice fan-out: renders the notices (HTML and XLSX) of a group of schools (see
/// <see cref="NoticeSteps.SchoolShards"/>) from their ledger rows of the approved run, stores the documents as
/// content-addressed blobs and records the schools' rows in one batch. The cycle and the heading are read once per
/// shard, the schools' ledger rows in one range scan. Idempotent and deterministic: a retry renders the same bytes,
/// which land on the same blob names, and rewrites the same rows. A school left with no rows (its only students were
/// rejected at review) publishes nothing. The schools' 告知书 letters are rendered here too (<see cref="LetterWriter"/>).
/// </summary>
public sealed class NoticeRenderActivity(
    WorkflowEngine engine, EligibilityStore ledger, NoticeStore notices, CountyContactsStore contacts, WorkingCalendar calendar, LetterWriter letters, ILogger<NoticeRenderActivity> logger) : IActivity
{
    /// <summary>Schools of a shard whose documents are uploaded at once (rendering is CPU; uploads wait on storage).</summary>
    private const int SchoolsInFlight = 4;

    public string Kind => NoticeSteps.RenderKind;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runId = (string)context.Input!["runId"]!;
        var schools = NoticeSteps.SchoolsOf(context.ShardKey ?? throw new InvalidOperationException("Notices are rendered per shard of schools."));
        var cycle = await engine.GetAsync(context.InstanceId, cancellationToken) ?? throw new InvalidOperationException($"Cycle {context.InstanceId} does not exist.");
        var heading = await HeadingAsync(cycle, contacts, calendar, cancellationToken);
        var rows = await ledger.LedgerOfSchoolsAsync(context.InstanceId, runId, schools, cancellationToken);

        var entries = new NoticeEntry?[schools.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, schools.Count),
            new ParallelOptions { MaxDegreeOfParallelism = SchoolsInFlight, CancellationToken = cancellationToken },
            async (i, ct) => entries[i] = await RenderAsync(context.InstanceId, runId, heading, schools[i], rows[schools[i]], ct));
        var published = entries.OfType<NoticeEntry>().ToList();
        await notices.UpsertAllAsync(published, cancellationToken);

        // The same schools' 告知书, from the same rows (issue 18 item 4): the notice's documents and the letters land together.
        await letters.WriteAsync(cycle, runId, heading, rows, cancellationToken);
        logger.LogInformation("{CycleId}: notices of {Schools} schools rendered, {Rows} rows", context.InstanceId, published.Count, published.Sum(e => e.Rows));
        return new JsonObject { ["schools"] = published.Count, ["rows"] = published.Sum(e => e.Rows) };
    }

    /// <summary>One school's documents stored, and its row to record; null for a school with no rows.</summary>
    private async Task<NoticeEntry?> RenderAsync(string cycleId, string runId, NoticeHeading heading, string schoolCode, List<LedgerRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return null;
        }

        var notice = NoticeContent.Create(heading, schoolCode, rows);
        var html = await notices.SaveDocumentAsync(NoticeRenderer.Html(notice), NoticeRenderer.HtmlType, cancellationToken);
        var xlsx = await notices.SaveDocumentAsync(NoticeRenderer.Workbook(notice), NoticeRenderer.XlsxType, cancellationToken);
        return new NoticeEntry(cycleId, schoolCode, notice.SchoolName, runId, rows.Count, notice.Recipients, notice.Total, html, xlsx);
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
