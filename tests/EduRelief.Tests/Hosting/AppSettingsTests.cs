using EduRelief.Hosting;
using EduRelief.Tests.Runner;
using Xunit;

namespace EduRelief.Tests.Hosting;

public sealed class AppSettingsTests
{
    [Fact]
    public void Read_ProductionWithoutStorageOrAdminKey_RefusesToStartNamingBoth()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AppSettings.Read(TestConfig.From(), new TestEnvironment("Production")));

        Assert.Contains("AzureWebJobsStorage", ex.Message);
        Assert.Contains("EDURELIEF_ADMIN_KEY", ex.Message);
    }

    [Fact]
    public void Read_ProductionWithDevClock_Refuses()
    {
        var config = TestConfig.From(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("EDURELIEF_ADMIN_KEY", "0123456789abcdef0123"), ("EDURELIEF_DEV_CLOCK", "true"));
        var ex = Assert.Throws<InvalidOperationException>(() => AppSettings.Read(config, new TestEnvironment("Production")));

        Assert.Contains("EDURELIEF_DEV_CLOCK", ex.Message);
    }

    [Fact]
    public void Read_ProductionConfigured_StartsWithoutDevFeatures()
    {
        var config = TestConfig.From(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("EDURELIEF_ADMIN_KEY", "0123456789abcdef0123"), ("FUNCTIONS_CUSTOMHANDLER_PORT", "7777"));
        var settings = AppSettings.Read(config, new TestEnvironment("Production"));

        Assert.False(settings.DevClock);
        Assert.Null(settings.InvocationToken); // the Functions host is the only caller of invocation routes
    }

    [Fact]
    public void Read_DevelopmentWithoutHost_RequiresARunnerTokenAndDefaultsQueueNames()
    {
        var config = TestConfig.From(("EDURELIEF_STORAGE_PREFIX", "abc1"));
        var settings = AppSettings.Read(config, new TestEnvironment("Development"));

        Assert.NotNull(settings.InvocationToken);
        Assert.Equal(AppSettings.DevelopmentStorage, settings.Storage.ConnectionString);
        Assert.Contains(settings.Defaults(config), d => d.Key == "EDURELIEF_STEPS_QUEUE" && d.Value == "abc1steps");
    }

    [Fact]
    public void Read_IdentityBasedStorage_ServiceAddressesAndClientIdWithoutAKey()
    {
        var settings = AppSettings.Read(
            TestConfig.From(
                ("AzureWebJobsStorage__blobServiceUri", "https://sty.blob.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__queueServiceUri", "https://sty.queue.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__tableServiceUri", "https://sty.table.core.chinacloudapi.cn"),
                ("AzureWebJobsStorage__credential", "managedidentity"),
                ("AzureWebJobsStorage__clientId", "0b6f2c1e-1111-2222-3333-444455556666"),
                ("EDURELIEF_ADMIN_KEY", "production-admin-key-0123456789")),
            new TestEnvironment("Production"));
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
            TestConfig.From(
                ("AzureWebJobsStorage__blobServiceUri", blobUri),
                ("AzureWebJobsStorage__queueServiceUri", "https://sty.queue.core.windows.net"),
                ("AzureWebJobsStorage__tableServiceUri", "https://sty.table.core.windows.net"),
                ("AzureWebJobsStorage__credential", credential),
                ("EDURELIEF_ADMIN_KEY", "production-admin-key-0123456789")),
            new TestEnvironment("Production")));

        Assert.Contains("AzureWebJobsStorage__", ex.Message);
    }

    [Fact]
    public void Read_ConnectionStringAndIdentitySettings_TheConnectionStringWins()
    {
        var settings = AppSettings.Read(
            TestConfig.From(("AzureWebJobsStorage", AppSettings.DevelopmentStorage), ("AzureWebJobsStorage__blobServiceUri", "https://sty.blob.core.windows.net")),
            new TestEnvironment("Development"));

        Assert.False(settings.Storage.UsesIdentity);
        Assert.Equal(AppSettings.DevelopmentStorage, settings.Storage.ConnectionString);
    }
}
