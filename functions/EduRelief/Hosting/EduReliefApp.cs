using EduRelief.Accounts;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Children;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Dev;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Hotline;
using EduRelief.Letters;
using EduRelief.Mail;
using EduRelief.Notices;
using EduRelief.Pairing;
using EduRelief.Policy;
using EduRelief.Rectification;
using EduRelief.Reminders;
using EduRelief.Rosters;
using EduRelief.WebConsole;
using EduRelief.Workflow;

namespace EduRelief.Hosting;

/// <summary>
/// What a host adds to the app it builds: <see cref="Services"/> after the app's own registrations, and
/// <see cref="Endpoints"/> after the app's own routes, before storage is initialized. Production adds nothing; the test
/// host (tests/EduRelief.TestHost) adds the engine's test workflows and the routes only tests call.
/// </summary>
public sealed record AppExtensions(Action<WebApplicationBuilder>? Services = null, Action<WebApplication>? Endpoints = null);

/// <summary>The one way the app is built: production's Program and the test host both run what this returns.</summary>
public static class EduReliefApp
{
    /// <summary>Builds the app, its storage created and ready to serve; the caller runs it.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, AppExtensions? extensions = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = AddServices(builder);
        extensions?.Services?.Invoke(builder);

        var app = builder.Build();
        MapEndpoints(app, settings);
        extensions?.Endpoints?.Invoke(app);

        await StorageInitializer.InitializeAsync(app.Services, app.Lifetime.ApplicationStopping);
        return app;
    }

    private static AppSettings AddServices(WebApplicationBuilder builder)
    {
        // Settings, logs and metrics, problems, JSON, storage and the clock; then the engine and how its functions are triggered.
        var settings = builder.AddHost();
        builder.Services.AddDevClock(settings).AddWorkflowEngine().AddFunctionsHost(settings);

        // Features, each registering its own stores, activities and cycle figures (the order of figures and activities is kept).
        builder.Services
            .AddCounties().AddCycles().AddEligibility().AddRosters().AddCalendar().AddNotices().AddHotline(builder.Configuration)
            .AddRectification().AddMail(MailSettings.Read(builder.Configuration, builder.Environment)).AddReminders()
            .AddDisbursement().AddAccounts().AddChildren(builder.Configuration).AddReferrals().AddDropoutCases().AddDropoutReports().AddPairing()
            .AddLetters();

        // Who may do what: API keys, and Entra ID bearer tokens when configured.
        builder.Services.AddSignIn(settings.AdminKey, EntraSettings.Read(builder.Configuration, builder.Environment));
        return settings;
    }

    private static void MapEndpoints(WebApplication app, AppSettings settings)
    {
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
        app.MapPolicyPage();
        app.MapLetters();
        app.MapDisbursement();
        app.MapAccounts();
        app.MapChildren();
        app.MapReferrals();
        app.MapDropoutCases();
        app.MapDropoutReports();
        app.MapPairing();
        app.MapDev(settings);
    }
}
