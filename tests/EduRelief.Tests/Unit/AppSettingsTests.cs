using EduRelief.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace EduRelief.Tests.Unit;

public sealed class AppSettingsTests
{
    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "EduRelief";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Read_ProductionWithoutStorageOrAdminKey_RefusesToStartNamingBoth()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AppSettings.Read(Config(), new Env("Production")));

        Assert.Contains("AzureWebJobsStorage", ex.Message);
        Assert.Contains("EDURELIEF_ADMIN_KEY", ex.Message);
    }

    [Fact]
    public void Read_ProductionWithDevClock_Refuses()
    {
        var config = Config(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("EDURELIEF_ADMIN_KEY", "0123456789abcdef0123"), ("EDURELIEF_DEV_CLOCK", "true"));
        var ex = Assert.Throws<InvalidOperationException>(() => AppSettings.Read(config, new Env("Production")));

        Assert.Contains("EDURELIEF_DEV_CLOCK", ex.Message);
    }

    [Fact]
    public void Read_ProductionConfigured_StartsWithoutDevFeatures()
    {
        var config = Config(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("EDURELIEF_ADMIN_KEY", "0123456789abcdef0123"), ("FUNCTIONS_CUSTOMHANDLER_PORT", "7777"));
        var settings = AppSettings.Read(config, new Env("Production"));

        Assert.False(settings.DevClock);
        Assert.Null(settings.InvocationToken); // the Functions host is the only caller of invocation routes
    }

    [Fact]
    public void Read_DevelopmentWithoutHost_RequiresARunnerTokenAndDefaultsQueueNames()
    {
        var config = Config(("EDURELIEF_STORAGE_PREFIX", "abc1"));
        var settings = AppSettings.Read(config, new Env("Development"));

        Assert.NotNull(settings.InvocationToken);
        Assert.Equal(AppSettings.DevelopmentStorage, settings.StorageConnection);
        Assert.Contains(settings.Defaults(config), d => d.Key == "EDURELIEF_STEPS_QUEUE" && d.Value == "abc1steps");
    }
}
