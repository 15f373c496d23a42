using System.Security.Cryptography;
using EduRelief.Accounts;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Dev;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Hosting;
using EduRelief.Rectification;
using EduRelief.Hotline;
using EduRelief.Mail;
using EduRelief.Reminders;
using EduRelief.Notices;
using EduRelief.Observability;
using EduRelief.Operations;
using EduRelief.Storage;
using EduRelief.Workflow;
using EduRelief.WebConsole;
using Microsoft.AspNetCore.Diagnostics;

// Operator commands (export-cycle, import-cycle) run and exit before any web host starts.
if (OperationsCommands.IsCommand(args))
{
    Environment.ExitCode = await OperationsCommands.RunAsync(args, CancellationToken.None);
    return;
}

var builder = WebApplication.CreateBuilder(args);
var settings = AppSettings.Read(builder.Configuration, builder.Environment);

// In Azure the Functions host tells the handler which port to listen on.
if (builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 } port)
{
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
}

builder.Configuration.AddInMemoryCollection(settings.Defaults(builder.Configuration));
builder.Services.AddSingleton(settings);
builder.AddObservability(devMetrics: settings.TestWorkflows);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = BilingualProblemWriter.Resolve);
// After the default writer: problems still answer, in the request's language, when Accept is not JSON.
builder.Services.AddSingleton<IProblemDetailsWriter, BilingualProblemWriter>();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new ChinaTimeJsonConverter());
    // Chinese text as UTF-8, not \uXXXX escapes: people and their tools read these answers.
    o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
});

// Storage and time.
builder.Services.AddSingleton(new StorageAccount(settings.Storage, settings.StoragePrefix, new RequestCounter()));
if (settings.DevClock)
{
    builder.Services.AddSingleton<DevClock>(_ => new DevClock(TimeProvider.System));
    builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<DevClock>());
}
else
{
    builder.Services.AddSingleton(TimeProvider.System);
}

// The workflow engine.
builder.Services.AddSingleton<WorkflowTables>();
builder.Services.AddSingleton<StepQueue>();
builder.Services.AddSingleton<WorkflowEngine>();
builder.Services.AddSingleton(sp => new Lazy<WorkflowEngine>(sp.GetRequiredService<WorkflowEngine>));
builder.Services.AddSingleton<FanInCommitter>();
builder.Services.AddSingleton<StepProcessor>();
builder.Services.AddSingleton<WorkflowSweeper>();
builder.Services.AddSingleton<WorkflowRegistry>();
foreach (var version in AidCycleDefinition.Live)
{
    builder.Services.AddSingleton<WorkflowDefinition>(version);
}

builder.Services.AddSingleton(new InvocationGuard(settings.InvocationToken));

// Features.
builder.Services.AddSingleton(CountyCatalog.LoadDefault());
builder.Services.AddSingleton<CycleService>();
builder.Services.AddSingleton<ApiKeyStore>();
builder.Services.AddSingleton<PolicyStore>();
builder.Services.AddSingleton<RosterStore>();
builder.Services.AddSingleton<EligibilityStore>();
builder.Services.AddSingleton<SchoolNames>();
builder.Services.AddSingleton<ICycleFigures, VerificationCycleFigures>();
builder.Services.AddSingleton<WorkingCalendar>();
builder.Services.AddSingleton<CountyContactsStore>();
builder.Services.AddSingleton<IActivity, VerifyActivity>();
builder.Services.AddSingleton<NoticeStore>();
builder.Services.AddSingleton<ICycleFigures, NoticeCycleFigures>();
builder.Services.AddSingleton<IActivity, NoticeRenderActivity>();
builder.Services.AddSingleton<IActivity, NoticeSummaryActivity>();
builder.Services.AddHotline(builder.Configuration);
builder.Services.AddSingleton<RectificationStore>();
builder.Services.AddSingleton<LateEntitlements>();
builder.Services.AddSingleton<IActivity, CycleFindingsActivity>();
builder.Services.AddSingleton<CycleCloser>();
builder.Services.AddSingleton<CycleGate>();
builder.Services.AddSingleton<ICycleFigures, RectificationCycleFigures>();
builder.Services.AddMail(MailSettings.Read(builder.Configuration, builder.Environment));
builder.Services.AddReminders().AddSingleton<IReminderSource, HotlineReminderSource>().AddSingleton<IReminderSource, RectificationReminderSource>();
builder.Services.AddDisbursement();
builder.Services.AddAccounts();

if (settings.TestWorkflows)
{
    builder.Services.AddSingleton<WorkflowDefinition, FanOutTestWorkflow>();
    builder.Services.AddSingleton<WorkflowDefinition, TimerTestWorkflow>();
    for (var v = 1; v <= settings.TestVersionedMax; v++)
    {
        var version = v;
        builder.Services.AddSingleton<WorkflowDefinition>(_ => new VersionedTestWorkflow(version));
    }

    builder.Services.AddSingleton<IActivity, TestShardActivity>();
    builder.Services.AddSingleton<IActivity, TestSumActivity>();
    builder.Services.AddSingleton<ClosePause>();
}

if (settings.LocalRunner)
{
    builder.Services.AddLocalRunner(settings);
}

// Who may do what: API keys, and Entra ID bearer tokens when configured.
builder.Services.AddSignIn(settings.AdminKey, EntraSettings.Read(builder.Configuration, builder.Environment));

var app = builder.Build();
app.UseRequestLogScope();

app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // Unexpected failures answer a plain 500 problem; details go to the log, never to the caller.
    StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
app.MapConsole(settings);
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/api/health", async (StorageAccount storage, CancellationToken ct) =>
{
    try
    {
        await storage.Tables.GetPropertiesAsync(ct);
        return Results.Ok(new { status = "healthy" });
    }
    catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
    {
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, null);
    }
});
app.MapCycles();
app.MapPolicies();
app.MapCalendar();
app.MapCounties();
app.MapRosters();
app.MapReview();
app.MapKeys();
app.MapOfficers();
app.MapWorkflowFunctions();
app.MapHotline();
app.MapRectification();
app.MapMail();
app.MapReminderFunctions();
app.MapNotices();
app.MapNoticePreview();
app.MapDisbursement();
app.MapAccounts();
if (settings.DevClock)
{
    app.MapDevClock();
}

if (settings.TestWorkflows)
{
    app.MapDevWorkflows();
    ClosePause.Map(app);
    var pause = app.Services.GetRequiredService<ClosePause>();
    app.Services.GetRequiredService<CycleCloser>().PauseBeforeCommit = pause.AtCommitAsync;
}

await StorageInitializer.InitializeAsync(app.Services, app.Lifetime.ApplicationStopping);
await app.RunAsync();

public partial class Program;
