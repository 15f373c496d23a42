using EduRelief.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace EduRelief.Tests.Mail;

public sealed class MailSettingsTests
{
    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "EduRelief";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Read_ProductionWithoutKey_RefusesToStart()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MailSettings.Read(Config(), new Env("Production")));

        Assert.Contains("EDURELIEF_SENDGRID_KEY", ex.Message);
        Assert.Contains("EDURELIEF_MAIL_FROM", ex.Message);
    }

    [Fact]
    public void Read_DevelopmentWithoutKey_DefaultsAndNoKey()
    {
        var settings = MailSettings.Read(Config(), new Env("Development"));

        Assert.Null(settings.Key);
        Assert.Equal("https://api.sendgrid.com", settings.Host);
        Assert.Equal("noreply@edurelief.local", settings.From);
    }

    [Fact]
    public void Read_BadHostAndFrom_NamesBoth()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MailSettings.Read(
            Config(("EDURELIEF_SENDGRID_KEY", "SG.x"), ("EDURELIEF_SENDGRID_HOST", "ftp://x"), ("EDURELIEF_MAIL_FROM", "not an address")), new Env("Production")));

        Assert.Contains("EDURELIEF_SENDGRID_HOST", ex.Message);
        Assert.Contains("EDURELIEF_MAIL_FROM", ex.Message);
    }

    [Fact]
    public async Task Send_DevelopmentWithoutKey_IsSkippedWithoutCallingSendGrid()
    {
        var sender = new MailSender(MailSettings.Read(Config(), new Env("Development")), new NoClients());

        var result = await sender.SendAsync(new OutgoingMail("m-1", ["someone@example.cn"], "subject", "body"), CancellationToken.None);

        Assert.Equal(SendOutcome.Skipped, result.Outcome);
    }

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("no HTTP call is expected");
    }

    [Fact]
    public void Backoff_Attempts_DoublesUpToSixHours()
    {
        var settings = MailSettings.Read(Config(("EDURELIEF_SENDGRID_KEY", "SG.x"), ("EDURELIEF_MAIL_FROM", "zizhu@yanjin.example.cn")), new Env("Production"));

        Assert.Equal(TimeSpan.FromSeconds(30), settings.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(240), settings.Backoff(4));
        Assert.Equal(TimeSpan.FromHours(6), settings.Backoff(30));
    }
}
