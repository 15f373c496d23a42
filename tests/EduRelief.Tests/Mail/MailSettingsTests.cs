using EduRelief.Mail;
using EduRelief.Tests.Runner;
using Xunit;

namespace EduRelief.Tests.Mail;

public sealed class MailSettingsTests
{
    [Fact]
    public void Read_ProductionWithoutKey_RefusesToStart()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MailSettings.Read(TestConfig.From(), new TestEnvironment("Production")));

        Assert.Contains("EDURELIEF_SENDGRID_KEY", ex.Message);
        Assert.Contains("EDURELIEF_MAIL_FROM", ex.Message);
    }

    [Fact]
    public void Read_DevelopmentWithoutKey_DefaultsAndNoKey()
    {
        var settings = MailSettings.Read(TestConfig.From(), new TestEnvironment("Development"));

        Assert.Null(settings.Key);
        Assert.Equal("https://api.sendgrid.com", settings.Host);
        Assert.Equal("noreply@edurelief.local", settings.From);
    }

    [Fact]
    public void Read_BadHostAndFrom_NamesBoth()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MailSettings.Read(
            TestConfig.From(("EDURELIEF_SENDGRID_KEY", "SG.x"), ("EDURELIEF_SENDGRID_HOST", "ftp://x"), ("EDURELIEF_MAIL_FROM", "not an address")), new TestEnvironment("Production")));

        Assert.Contains("EDURELIEF_SENDGRID_HOST", ex.Message);
        Assert.Contains("EDURELIEF_MAIL_FROM", ex.Message);
    }

    [Fact]
    public async Task Send_DevelopmentWithoutKey_IsSkippedWithoutCallingSendGrid()
    {
        var sender = new MailSender(MailSettings.Read(TestConfig.From(), new TestEnvironment("Development")), new NoClients());

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
        var settings = MailSettings.Read(TestConfig.From(("EDURELIEF_SENDGRID_KEY", "SG.x"), ("EDURELIEF_MAIL_FROM", "zizhu@yanjin.example.cn")), new TestEnvironment("Production"));

        Assert.Equal(TimeSpan.FromSeconds(30), settings.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(240), settings.Backoff(4));
        Assert.Equal(TimeSpan.FromHours(6), settings.Backoff(30));
    }
}
