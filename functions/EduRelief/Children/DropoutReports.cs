using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Mail;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Children;

/// <summary>A kept monthly report: its content, when it was made, and the workbook's SHA-256 in container <c>reports</c>.</summary>
public sealed record DropoutReport(string CountyCode, DropoutReportContent Content, DateTimeOffset CreatedAt, string WorkbookSha256)
{
    /// <summary>The report's id: its month, <c>yyyy-MM</c>.</summary>
    public string Id => Content.Month;
}

/// <summary>
/// The 控辍保学 monthly reports (DOMAIN "控辍保学 cases", 月报): on the first working day of each month at 09:00 (the
/// 09:00 working-day run) each county with a verified cycle gets the previous month's report, as a workflow instance
/// <c>dropout-report-{county}-{yyyyMM}</c>. Starting an instance is idempotent by its id, and the engine runs its one
/// step to the end across crashes, once at a time, so the report is made exactly once per county and month, however
/// many instances run the timer and whatever restarts. A day the run did not happen (the app was down) is caught up on
/// the next working day. The step keeps the report (table <c>dropoutreports</c>, partition county, row month; the
/// workbook a content-addressed blob) and emails it to the bureau and each township through the mail outbox, one email
/// per recipient and month (the outbox's key).
/// </summary>
public sealed class DropoutReports(
    StorageAccount storage,
    ChildRegistry registry,
    EligibilityStore eligibility,
    ChildIds ids,
    IEnumerable<IDropoutCaseSource> cases,
    CountyCatalog counties,
    Lazy<CycleService> cycles,
    CountyContactsStore contacts,
    MailOutbox mail,
    WorkingCalendar calendar,
    Lazy<WorkflowEngine> engine,
    TimeProvider clock,
    ILogger<DropoutReports> logger) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("dropoutreports")];

    public const string Definition = "dropout-report";

    private readonly TableClient _table = storage.Table("dropoutreports");
    private readonly ContentAddressedBlobs _workbooks = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("reports")));

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _workbooks.CreateAsync(cancellationToken);

    public static string InstanceId(string county, DateOnly month) => $"dropout-report-{county}-{month:yyyyMM}";

    /// <summary>
    /// The 09:00 run's part: on a working day, the previous month's report of every county whose verified cycles reach
    /// into that month is started (a no-op where it exists). Answers how many were started now.
    /// </summary>
    public async Task<int> StartDueAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(clock);
        var calendars = await calendar.CalendarsAsync(today.Year, today.Year, cancellationToken);
        if (!WorkingDays.IsWorkingDay(calendars, today, out _))
        {
            return 0;
        }

        var month = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var started = 0;
        // Only counties with a cycle: the catalog holds every county of the country, and this runs inside the 09:00 run.
        foreach (var county in await cycles.Value.CountiesWithCyclesAsync(cancellationToken))
        {
            var verified = await registry.CyclesAsync(county, cancellationToken);
            if (DropoutReportFigures.ReferenceSemester(month, verified.Keys) is null)
            {
                continue;
            }

            var data = new JsonObject { ["countyCode"] = county, ["month"] = month.ToString("yyyy-MM", CultureInfo.InvariantCulture) };
            if ((await engine.Value.StartAsync(InstanceId(county, month), Definition, data, "timer", "控辍保学月报", cancellationToken)).Created)
            {
                started++;
                logger.LogInformation("Dropout report of {CountyCode} for {Month} started", county, data["month"]!.GetValue<string>());
            }
        }

        return started;
    }

    /// <summary>
    /// The step: the report of <paramref name="month"/> kept once (a report already kept is not made again), then its
    /// emails recorded (one per recipient and month). Safe to repeat.
    /// </summary>
    public async Task<DropoutReport?> MakeAsync(string county, DateOnly month, CancellationToken cancellationToken)
    {
        var report = await GetAsync(county, month.ToString("yyyy-MM", CultureInfo.InvariantCulture), cancellationToken);
        if (report is null)
        {
            var cycles = await registry.CyclesAsync(county, cancellationToken);
            if (DropoutReportFigures.ReferenceSemester(month, cycles.Keys) is not { } reference)
            {
                return null;
            }

            var content = await ComputeAsync(county, month, reference, cycles[reference], cancellationToken);
            var countyName = counties.TryGet(county, out var c) ? c.Name : county;
            using var buffer = new MemoryStream();
            await DropoutReportWorkbook.WriteAsync(buffer, content, countyName, cancellationToken);
            var sha256 = await _workbooks.SaveAsync(buffer.ToArray(), FileUploads.XlsxType, cancellationToken);
            report = await KeepAsync(new DropoutReport(county, content, clock.GetUtcNow(), sha256), cancellationToken);
        }

        await MailAsync(report, cancellationToken);
        return report;
    }

    /// <summary>The figures at the month's end from the reference cycle's children (listed at a county school, on its 外地就学 list) and the county's cases.</summary>
    private async Task<DropoutReportContent> ComputeAsync(string county, DateOnly month, Semester reference, string runId, CancellationToken cancellationToken)
    {
        var children = new List<ReportChild>();
        await foreach (var (child, entry) in registry.ListedInAsync(county, reference, runId, cancellationToken))
        {
            var counts = DropoutReportFigures.CountsAsSchoolAge(child.IdNumber.BirthDate, reference, entry.Stage, entry.Grade);
            children.Add(new ReportChild(child.RowKey, child.Township, child.Village, counts ? ReportPlace.Enrolled : ReportPlace.NotCounted));
        }

        await foreach (var d in eligibility.AllDiscrepanciesAsync(CycleIds.For(county, reference), runId, DiscrepancyKinds.OutsideCounty, cancellationToken))
        {
            if (d.IdNumber is { } id && DropoutReportFigures.CountsAsSchoolAge(id.BirthDate, reference, stage: null, grade: null))
            {
                children.Add(new ReportChild(ids.RowKey(id), d.Township, d.Village, ReportPlace.Outside));
            }
        }

        var facts = new List<DropoutCaseFact>();
        foreach (var source in cases)
        {
            await foreach (var fact in source.ListAsync(county, cancellationToken))
            {
                facts.Add(fact);
            }
        }

        return DropoutReportFigures.Compute(
            month, reference, children, facts, fact => fact.Born is not { } born || DropoutReportFigures.CountsAsSchoolAge(born, reference, stage: null, grade: null));
    }

    /// <summary>Adds the report's row; one another copy of the step kept first is the report.</summary>
    private async Task<DropoutReport> KeepAsync(DropoutReport report, CancellationToken cancellationToken)
    {
        var row = new TableEntity(report.CountyCode, report.Id)
        {
            ["ReferenceSemester"] = report.Content.ReferenceSemester,
            ["CreatedAt"] = report.CreatedAt,
            ["Workbook"] = report.WorkbookSha256,
        };
        ChunkedText.Write(row, ChunkedText.Numbered("Content"), JsonSerializer.Serialize(report.Content, Json));
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
            return report;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(report.CountyCode, report.Id, cancellationToken))!;
        }
    }

    /// <summary>One email per recipient and month: the bureau's with every township, each township's with its own villages; the workbook attached.</summary>
    private async Task MailAsync(DropoutReport report, CancellationToken cancellationToken)
    {
        var people = await contacts.GetAsync(report.CountyCode, cancellationToken);
        if (people is null)
        {
            logger.LogWarning("Dropout report of {CountyCode} for {Month}: the county has no contacts; nothing was emailed", report.CountyCode, report.Id);
            return;
        }

        var countyName = counties.TryGet(report.CountyCode, out var c) ? c.Name : report.CountyCode;
        var attachment = new MailAttachment($"{report.CountyCode}-控辍保学月报-{report.Id}.xlsx", FileUploads.XlsxType, "reports", report.WorkbookSha256);
        var letters = new List<(string To, string Subject, string Body)>();
        if (!string.IsNullOrWhiteSpace(people.BureauEmail))
        {
            letters.Add((people.BureauEmail, DropoutReportWorkbook.Subject(countyName, report.Content, null), DropoutReportWorkbook.Body(countyName, report.Content, null)));
        }

        foreach (var (township, chain) in people.Townships)
        {
            if (!string.IsNullOrWhiteSpace(chain.Email))
            {
                letters.Add((chain.Email.Trim(), DropoutReportWorkbook.Subject(countyName, report.Content, township), DropoutReportWorkbook.Body(countyName, report.Content, township)));
            }
        }

        foreach (var (to, subject, body) in letters)
        {
            await mail.EnqueueAsync(
                new MailRequest($"dropout-report|{report.CountyCode}|{report.Id}|{to}", report.CountyCode, [to], subject, body) { Attachments = [attachment] },
                cancellationToken);
        }
    }

    public async Task<DropoutReport?> GetAsync(string county, string month, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(county, month, cancellationToken: cancellationToken);
        return row.HasValue ? ToReport(row.Value!) : null;
    }

    /// <summary>One page of the county's reports, oldest month first.</summary>
    public async Task<Storage.Page<DropoutReport>> ListAsync(string county, string? token, int pageSize, CancellationToken cancellationToken)
    {
        await foreach (var page in _table.QueryAsync<TableEntity>(e => e.PartitionKey == county, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
        {
            return new Storage.Page<DropoutReport>([.. page.Values.Select(ToReport)], page.ContinuationToken);
        }

        return new Storage.Page<DropoutReport>([], null);
    }

    public Task<Stream> OpenWorkbookAsync(DropoutReport report, CancellationToken cancellationToken) => _workbooks.OpenAsync(report.WorkbookSha256, cancellationToken);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static DropoutReport ToReport(TableEntity e) => new(
        e.PartitionKey,
        JsonSerializer.Deserialize<DropoutReportContent>(ChunkedText.Read(e, ChunkedText.Numbered("Content")), Json)!,
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetString("Workbook") ?? "");
}

/// <summary>The report's workflow: one step, then done (see <see cref="DropoutReports"/>).</summary>
public sealed class DropoutReportDefinition : WorkflowDefinition
{
    public override string Name => DropoutReports.Definition;

    public override int Version => 1;

    public override string InitialStage => "making";

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { "done" };

    public override IEnumerable<Effect> OnStart(TransitionContext context) =>
        [new RunActivity("report", DropoutReportActivity.KindName, new JsonObject { ["countyCode"] = (string?)context.Data["countyCode"], ["month"] = (string?)context.Data["month"] })];

    public override IReadOnlyList<Transition> Transitions { get; } = [new("making", "report.completed", "done")];
}

public sealed class DropoutReportActivity(DropoutReports reports) : IActivity
{
    public const string KindName = "dropout.report";

    public string Kind => KindName;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var county = (string)context.Input!["countyCode"]!;
        var month = DateOnly.ParseExact((string)context.Input["month"]! + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var report = await reports.MakeAsync(county, month, cancellationToken);
        return new JsonObject { ["report"] = report?.Id };
    }
}
