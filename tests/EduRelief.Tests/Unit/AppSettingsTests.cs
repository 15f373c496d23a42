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
        Assert.Equal(AppSettings.DevelopmentStorage, settings.Storage.ConnectionString);
        Assert.Contains(settings.Defaults(config), d => d.Key == "EDURELIEF_STEPS_QUEUE" && d.Value == "abc1steps");
    }

    [Fact]
    public void Read_IdentityBasedStorage_ServiceAddressesAndClientIdWithoutAKey()
    {
        var settings = AppSettings.Read(
            Config(
                ("AzureWebJobsStorage__blobServiceUri", "https://sty.blob.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__queueServiceUri", "https://sty.queue.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__tableServiceUri", "https://sty.table.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__credential", "managedidentity"),
                ("AzureWebJobsStorage__clientId", "0b6f2c1e-1111-2222-3333-444455556666"),
                ("EDURELIEF_ADMIN_KEY", "production-admin-key-0123456789")),
            new Env("Production"));
        var account = new EduRelief.Storage.StorageAccount(settings.Storage, "", new EduRelief.Storage.RequestCounter());

        Assert.True(settings.Storage.UsesIdentity);
        Assert.Null(settings.Storage.ConnectionString);
        Assert.Equal("0b6f2c1e-1111-2222-3333-444455556666", settings.Storage.ClientId);
        Assert.Equal(new Uri("https://sty.table.core.chinacloudapi.cn"), account.Tables.Uri);
        Assert.Equal("sty", account.Blobs.AccountName);
        Assert.Equal(new Uri("https://sty.queue.core.chinacloudapi.cn"), account.Queues.Uri);
    }

    [Theory]
    [InlineData("http://sty.blob.core.windows.net", "managedidentity")]
    [InlineData("https://sty.blob.core.windows.net", "clientsecret")]
    public void Read_IdentityBasedStorageMisconfigured_RefusesToStartNamingTheSetting(string blobUri, string credential)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AppSettings.Read(
            Config(
                ("AzureWebJobsStorage__blobServiceUri", blobUri),
                ("AzureWebJobsStorage__queueServiceUri", "https://sty.queue.core.windows.net"),
                ("AzureWebJobsStorage__tableServiceUri", "https://sty.table.core.windows.net"),
                ("AzureWebJobsStorage__credential", credential),
                ("EDURELIEF_ADMIN_KEY", "production-admin-key-0123456789")),
            new Env("Production")));

        Assert.Contains("AzureWebJobsStorage__", ex.Message);
    }

    [Fact]
    public void Read_ConnectionStringAndIdentitySettings_TheConnectionStringWins()
    {
        var settings = AppSettings.Read(
            Config(("AzureWebJobsStorage", AppSettings.DevelopmentStorage), ("AzureWebJobsStorage__blobServiceUri", "https://sty.blob.core.windows.net")),
            new Env("Development"));

        Assert.False(settings.Storage.UsesIdentity);
        Assert.Equal(AppSettings.DevelopmentStorage, settings.Storage.ConnectionString);
    }
}
