using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class FunctionAppLayoutTests
{
    private const string MinimalHost = """{ "version": "2.0" }""";

    private const string QueueFunction = """
        { "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "%STEPS%", "connection": "AzureWebJobsStorage" } ] }
        """;

    private static readonly Microsoft.Extensions.Configuration.IConfiguration Steps = TestConfig.From(("STEPS", "steps"));

    [Fact]
    public void Load_HostWithoutQueueSettings_UsesHostDefaults()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);

        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From());

        var q = app.Host.Queues;
        Assert.Equal(16, q.BatchSize);
        Assert.Equal(8, q.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), q.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, q.VisibilityTimeout);
        Assert.Equal(5, q.MaxDequeueCount);
        Assert.Equal(QueueMessageEncodingMode.Base64, q.MessageEncoding);
        Assert.Equal(HostSettings.DefaultFunctionTimeout, app.Host.FunctionTimeout);
    }

    [Fact]
    public void Load_HostWithQueueSettings_UsesOverrides()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", """
            { "version": "2.0", "functionTimeout": "00:02:00",
              "extensions": { "queues": { "maxPollingInterval": "00:00:02", "visibilityTimeout": "00:00:05", "batchSize": 4,
                                          "newBatchThreshold": 3, "maxDequeueCount": 2, "messageEncoding": "none" } } }
            """);

        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From());

        Assert.Equal(new QueueSettings(4, 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 2, QueueMessageEncodingMode.None), app.Host.Queues);
        Assert.Equal(7, app.Host.Queues.MaxConcurrency);
        Assert.Equal(TimeSpan.FromMinutes(2), app.Host.FunctionTimeout);
    }

    [Fact]
    public void Load_BatchSizeWithoutThreshold_ThresholdIsHalfTheBatch()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", """{ "version": "2.0", "extensions": { "queues": { "batchSize": 10 } } }""");

        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From());

        Assert.Equal(5, app.Host.Queues.NewBatchThreshold);
    }

    [Theory]
    [InlineData("""{ "batchSize": 33 }""", "batchSize")]
    [InlineData("""{ "batchSize": 0 }""", "batchSize")]
    [InlineData("""{ "maxDequeueCount": 0 }""", "maxDequeueCount")]
    [InlineData("""{ "maxPollingInterval": "00:00:00.050" }""", "maxPollingInterval")]
    [InlineData("""{ "visibilityTimeout": "soon" }""", "visibilityTimeout")]
    [InlineData("""{ "messageEncoding": "utf8" }""", "messageEncoding")]
    public void Load_InvalidQueueSetting_ThrowsNamingTheSetting(string queues, string setting)
    {
        using var folder = new TempFolder();
        folder.Write("host.json", $$"""{ "version": "2.0", "extensions": { "queues": {{queues}} } }""");

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From()));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoHostJson_Throws()
    {
        using var folder = new TempFolder();

        Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From()));
    }

    [Fact]
    public void Load_RepositoryLayout_FindsFunctionsUnderFunctionsFolder()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSteps/function.json", QueueFunction);
        folder.Write("functions/EduRelief/Program.cs", "// the app's source folder has no function.json");
        folder.Write("tests/readme.txt", "not a function");

        var app = FunctionAppLayout.Load(folder.Path, Steps);

        var function = Assert.Single(app.Functions);
        Assert.Equal("WorkflowSteps", function.Name);
        Assert.Equal(new QueueTriggerBinding("message", "steps", "AzureWebJobsStorage"), function.Trigger);
    }

    [Fact]
    public void Load_DeployedLayout_FindsFunctionsBesideHostJson()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("WorkflowSteps/function.json", QueueFunction);
        folder.Write("handler/EduRelief", "binary");

        var app = FunctionAppLayout.Load(folder.Path, Steps);

        Assert.Equal("WorkflowSteps", Assert.Single(app.Functions).Name);
    }

    [Fact]
    public void Load_SameFunctionInBothLayouts_Throws()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("WorkflowSteps/function.json", QueueFunction);
        folder.Write("functions/WorkflowSteps/function.json", QueueFunction);

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, Steps));

        Assert.Contains("WorkflowSteps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PoisonQueueFunction_ResolvesPartialTokenAndLowerCases()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowPoison/function.json", """
            { "bindings": [ { "type": "queueTrigger", "name": "message", "queueName": "%STEPS%-poison" } ] }
            """);

        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From(("STEPS", "T1Steps")));

        var trigger = Assert.IsType<QueueTriggerBinding>(Assert.Single(app.Functions).Trigger);
        Assert.Equal("t1steps-poison", trigger.QueueName);
        Assert.Equal("t1steps-poison-poison", trigger.PoisonQueueName);
        Assert.Equal(FunctionAppLayout.DefaultConnection, trigger.Connection);
    }

    [Fact]
    public void Load_MissingSetting_ThrowsNamingFunctionAndSetting()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSteps/function.json", QueueFunction);

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From()));

        Assert.Contains("WorkflowSteps", error.Message, StringComparison.Ordinal);
        Assert.Contains("STEPS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidQueueName_ThrowsNamingFunction()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSteps/function.json", QueueFunction);

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From(("STEPS", "bad_name"))));

        Assert.Contains("WorkflowSteps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TimerFunction_ParsesScheduleAndFlags()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSweep/function.json", """
            { "bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "%SWEEP%", "runOnStartup": true, "useMonitor": false } ] }
            """);

        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From(("SWEEP", "*/30 * * * * *")));

        var (function, trigger) = Assert.Single(app.TimerFunctions);
        Assert.Equal("WorkflowSweep", function.Name);
        Assert.Equal("timer", trigger.Name);
        Assert.Equal("*/30 * * * * *", trigger.Schedule.Expression);
        Assert.Equal(TimeZoneInfo.Utc, trigger.Schedule.TimeZone);
        Assert.True(trigger.RunOnStartup);
        Assert.False(trigger.UseMonitor);
    }

    [Fact]
    public void Load_TimerWithoutFlags_DefaultsToMonitoredAndNotOnStartup()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("Sweep/function.json", """{ "bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "0 0 * * * *" } ] }""");

        var trigger = Assert.Single(FunctionAppLayout.Load(folder.Path, TestConfig.From()).TimerFunctions).Trigger;

        Assert.False(trigger.RunOnStartup);
        Assert.True(trigger.UseMonitor);
    }

    [Fact]
    public void Load_WebsiteTimeZone_AppliesToSchedules()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("Sweep/function.json", """{ "bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "0 0 2 * * *" } ] }""");

        var trigger = Assert.Single(FunctionAppLayout.Load(folder.Path, TestConfig.From(("WEBSITE_TIME_ZONE", "Asia/Shanghai"))).TimerFunctions).Trigger;

        Assert.Equal(TimeSpan.FromHours(8), trigger.Schedule.TimeZone.BaseUtcOffset);
    }

    [Fact]
    public void Load_UnknownTimeZone_Throws()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From(("WEBSITE_TIME_ZONE", "Mars/Olympus"))));

        Assert.Contains("WEBSITE_TIME_ZONE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidScheduleFromSetting_ThrowsNamingFunctionAndSetting()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSweep/function.json", """{ "bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "%SWEEP%" } ] }""");

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From(("SWEEP", "every day"))));

        Assert.Contains("WorkflowSweep", error.Message, StringComparison.Ordinal);
        Assert.Contains("%SWEEP%", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidSchedule_ThrowsNamingFunction()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSweep/function.json", """{ "bindings": [ { "type": "timerTrigger", "name": "timer", "schedule": "every minute" } ] }""");

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From()));

        Assert.Contains("WorkflowSweep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HttpFunction_RecordsRouteAndMethods()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/Api/function.json", """
            { "bindings": [ { "type": "httpTrigger", "name": "req", "methods": ["get", "post"], "route": "api/{*path}" },
                            { "type": "http", "direction": "out", "name": "res" } ] }
            """);

        var trigger = Assert.IsType<HttpTriggerBinding>(Assert.Single(FunctionAppLayout.Load(folder.Path, TestConfig.From()).Functions).Trigger);

        Assert.Equal("api/{*path}", trigger.Route);
        Assert.Equal(["get", "post"], trigger.Methods);
    }

    [Fact]
    public void Load_QueueOutputBinding_IsCollectedWithResolvedName()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/Fan/function.json", """
            { "bindings": [ { "type": "queueTrigger", "name": "message", "queueName": "%STEPS%" },
                            { "type": "queue", "direction": "out", "name": "next", "queueName": "%STEPS%-next" } ] }
            """);

        var function = Assert.Single(FunctionAppLayout.Load(folder.Path, Steps).Functions);

        Assert.Equal(new QueueOutputBinding("next", "steps-next", "AzureWebJobsStorage"), Assert.Single(function.QueueOutputs));
    }

    [Fact]
    public void Load_DisabledSetting_SkipsFunctionWithoutResolvingIt()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/WorkflowSteps/function.json", QueueFunction);

        // STEPS is not set: a disabled function's settings must not be required.
        var app = FunctionAppLayout.Load(folder.Path, TestConfig.From(("AzureWebJobs.WorkflowSteps.Disabled", "true")));

        Assert.Empty(app.Functions);
        Assert.Equal(["WorkflowSteps"], app.DisabledFunctions);
    }

    [Fact]
    public void Load_NoTrigger_Throws()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", MinimalHost);
        folder.Write("functions/Broken/function.json", """{ "bindings": [ { "type": "queue", "direction": "out", "name": "x", "queueName": "abc" } ] }""");

        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionAppLayout.Load(folder.Path, TestConfig.From()));

        Assert.Contains("Broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShippedRepositoryFiles_DescribeTheSevenFunctions()
    {
        var config = TestConfig.From(("EDURELIEF_STEPS_QUEUE", "steps"), ("EDURELIEF_SWEEP_SCHEDULE", "0 */1 * * * *"), ("EDURELIEF_REMINDER_SCHEDULE", "0 0 1 * * *"));

        var app = FunctionAppLayout.Load(TestConfig.RepoRoot(), config);

        Assert.Equal(["Api", "Console", "PublicNotices", "PublicPolicy", "Reminders", "WorkflowPoison", "WorkflowSteps", "WorkflowSweep"], app.Functions.Select(f => f.Name));
        Assert.Equal(new QueueSettings(16, 8, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 5, QueueMessageEncodingMode.Base64), app.Host.Queues);
        var queues = app.QueueFunctions.ToDictionary(q => q.Function.Name, q => q.Trigger);
        Assert.Equal("steps", queues["WorkflowSteps"].QueueName);
        Assert.Equal("steps-poison", queues["WorkflowPoison"].QueueName);
        var timers = app.TimerFunctions.ToDictionary(t => t.Function.Name);
        Assert.Equal(["Reminders", "WorkflowSweep"], timers.Keys.Order());
        var sweep = timers["WorkflowSweep"];
        Assert.Equal(("WorkflowSweep", "timer", false, true), (sweep.Function.Name, sweep.Trigger.Name, sweep.Trigger.RunOnStartup, sweep.Trigger.UseMonitor));
        // 09:00 China time is 01:00 UTC; the handler itself skips days that are not working days.
        var reminders = timers["Reminders"].Trigger.Schedule;
        Assert.Equal("0 0 1 * * *", reminders.Expression);
        Assert.Equal(
            new DateTimeOffset(2026, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)),
            reminders.NextAfter(new DateTimeOffset(2026, 10, 8, 20, 0, 0, TimeSpan.FromHours(8))));
        Assert.False(timers["Reminders"].Trigger.RunOnStartup);
        var api = Assert.IsType<HttpTriggerBinding>(app.Functions.Single(f => f.Name == "Api").Trigger);
        Assert.Equal("api/{*path}", api.Route);
    }
}
