using EduRelief.Auth;
using EduRelief.Tests.Auth;
using EduRelief.Tests.Runner;
using EduRelief.WebConsole;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// EDURELIEF_ENTRA_CONSOLE_AUTHORITY: a Development-only stand-in authority for the console's browser sign-in, refused at
/// start anywhere else, and the one authority the console's config answer and its CSP name.
/// </summary>
public sealed class ConsoleAuthorityTests
{
    private const string Fake = "http://127.0.0.1:5599/" + EntraFixture.Tenant;

    private static (string, string?)[] Settings(string? consoleAuthority) =>
    [
        ("EDURELIEF_ENTRA_TENANT_ID", EntraFixture.Tenant),
        ("EDURELIEF_ENTRA_AUDIENCE", EntraFixture.Audience),
        ("EDURELIEF_ENTRA_AUTHORITY_HOST", "https://login.chinacloudapi.cn"),
        ("EDURELIEF_ENTRA_CONSOLE_CLIENT_ID", EntraFixture.ConsoleClientId),
        ("EDURELIEF_ENTRA_CONSOLE_AUTHORITY", consoleAuthority),
    ];

    [Theory]
    [InlineData("Production", Fake)]
    [InlineData("Production", "https://login.example.test/tenant")]
    [InlineData("Staging", Fake)]
    public void Read_ConsoleAuthorityOutsideDevelopment_RefusesToStart(string environment, string authority)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => EntraSettings.Read(TestConfig.From(Settings(authority)), new TestEnvironment(environment)));

        Assert.Contains("EDURELIEF_ENTRA_CONSOLE_AUTHORITY is refused outside Development", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:5599/tenant")]
    [InlineData("ftp://127.0.0.1/tenant")]
    [InlineData("http://127.0.0.1:5599/tenant?x=1")]
    [InlineData("http://user:pw@127.0.0.1:5599/tenant")]
    public void Read_ConsoleAuthorityNotAnHttpAuthority_RefusesToStart(string authority)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => EntraSettings.Read(TestConfig.From(Settings(authority)), new TestEnvironment("Development")));

        Assert.Contains("EDURELIEF_ENTRA_CONSOLE_AUTHORITY is an http or https authority", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_ConsoleAuthorityInDevelopment_ReplacesAuthorityAndCspButNotTheIssuer()
    {
        var config = TestConfig.From(Settings(Fake + "/"));
        var entra = EntraSettings.Read(config, new TestEnvironment("Development"))!;

        var answer = ConsoleEndpoints.Config(config, entra, devClock: true);
        var csp = ConsoleEndpoints.ContentSecurityPolicy(entra);

        Assert.Equal(new ConsoleEntra(Fake, EntraFixture.ConsoleClientId, EntraFixture.Audience + "/.default"), answer.Entra);
        Assert.EndsWith("connect-src 'self' http://127.0.0.1:5599", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("chinacloudapi", csp, StringComparison.Ordinal);
        // Tokens are still checked against the real authority's issuer; the stand-in must sign as it.
        Assert.Equal(EntraFixture.Issuer, entra.Issuer);
    }

    [Fact]
    public void Config_NoConsoleAuthority_UsesTheTenantsAuthorityAndHost()
    {
        var config = TestConfig.From(Settings(null));
        var entra = EntraSettings.Read(config, new TestEnvironment("Production"))!;

        var answer = ConsoleEndpoints.Config(config, entra, devClock: false);

        Assert.Equal($"https://login.chinacloudapi.cn/{EntraFixture.Tenant}", answer.Entra!.Authority);
        Assert.EndsWith("connect-src 'self' https://login.chinacloudapi.cn", ConsoleEndpoints.ContentSecurityPolicy(entra), StringComparison.Ordinal);
        Assert.Null(entra.ConsoleAuthority);
    }
}
