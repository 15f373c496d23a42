using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.TestHost;

/// <summary>
/// What the test host adds to the app (<see cref="EduReliefApp.BuildAsync"/>): the engine's test workflows and their
/// activities, the close pause, the metrics snapshot, and the routes only tests call. Refused outside Development.
/// </summary>
public static class TestParts
{
    /// <summary>How many versions of <c>test-versioned</c> this run knows (2 unless told): a restart with more is an upgrade.</summary>
    public const string VersionedMaxSetting = "EDURELIEF_TEST_VERSIONED_MAX";

    public static AppExtensions Extensions { get; } = new(AddServices, MapEndpoints);

    /// <summary>The test workflows' own table, which the app does not declare.</summary>
    public static async Task CreateStorageAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        await services.GetRequiredService<StorageAccount>().Table(TestShardActivity.RunsTable).CreateIfNotExistsAsync(cancellationToken);

    private static void AddServices(WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException("EduRelief.TestHost runs only in Development: it starts raw workflow instances and holds closes on request.");
        }

        var services = builder.Services;
        services.AddSingleton<WorkflowDefinition, FanOutTestWorkflow>();
        services.AddSingleton<WorkflowDefinition, TimerTestWorkflow>();
        var versions = int.TryParse(builder.Configuration[VersionedMaxSetting], out var max) ? max : 2;
        for (var v = 1; v <= versions; v++)
        {
            var version = v;
            services.AddSingleton<WorkflowDefinition>(_ => new VersionedTestWorkflow(version));
        }

        services.AddSingleton<IActivity, TestShardActivity>().AddSingleton<IActivity, TestSumActivity>();
        services.AddSingleton<ClosePause>().AddSingleton<IClosePause>(sp => sp.GetRequiredService<ClosePause>());
        services.AddSingleton<MetricsSnapshot>();
    }

    private static void MapEndpoints(WebApplication app)
    {
        // Listening from the start, so the snapshot has what the app measured before anyone asked for it.
        app.Services.GetRequiredService<MetricsSnapshot>();
        app.MapTestRoutes();
        ClosePause.Map(app);
    }
}
