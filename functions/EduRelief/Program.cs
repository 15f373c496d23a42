using EduRelief.Accounts;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Dev;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Hotline;
using EduRelief.Mail;
using EduRelief.Notices;
using EduRelief.Operations;
using EduRelief.Rectification;
using EduRelief.Reminders;
using EduRelief.Rosters;
using EduRelief.WebConsole;
using EduRelief.Workflow;

// Operator commands (export-cycle, import-cycle) run and exit before any web host starts.
if (OperationsCommands.IsCommand(args))
{
    Environment.ExitCode = await OperationsCommands.RunAsync(args, CancellationToken.None);
    return;
}

var builder = WebApplication.CreateBuilder(args);

// Settings, logs and metrics, problems, JSON, storage and the clock; then the engine and how its functions are triggered.
var settings = builder.AddHost();
builder.Services.AddDevClock(settings).AddWorkflowEngine().AddFunctionsHost(settings);

// Features, each registering its own stores, activities and cycle figures (the order of figures and activities is kept).
builder.Services
    .AddCounties().AddCycles().AddEligibility().AddRosters().AddCalendar().AddNotices().AddHotline(builder.Configuration)
    .AddRectification().AddMail(MailSettings.Read(builder.Configuration, builder.Environment)).AddReminders()
    .AddDisbursement().AddAccounts().AddDevWorkflows(settings);

// Who may do what: API keys, and Entra ID bearer tokens when configured.
builder.Services.AddSignIn(settings.AdminKey, EntraSettings.Read(builder.Configuration, builder.Environment));

var app = builder.Build();
app.UseHost();
app.MapConsole(settings);
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
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
app.MapDev(settings);

await StorageInitializer.InitializeAsync(app.Services, app.Lifetime.ApplicationStopping);
await app.RunAsync();

public partial class Program;
