using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>How the app serves the console's files and the two answers the console starts from, over HTTP.</summary>
public sealed class ConsoleHostingTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private AppProcess App => fixture.App;

    [Fact]
    public async Task Console_WithoutSlash_RedirectsToTheShell()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseUrl };

        var response = await anonymous.GetAsync("/console");

        Assert.Equal(302, (int)response.StatusCode);
        Assert.Equal("/console/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Shell_Anonymous_IsServedWithStrictPolicyAndCharset()
    {
        using var anonymous = App.CreateClient(null);

        var response = await anonymous.GetAsync("/console/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("<script type=\"module\" src=\"js/app.js\">", html, StringComparison.Ordinal);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("/console/js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/console/css/console.css", "text/css; charset=utf-8")]
    public async Task Assets_Anonymous_AreServedWithTheirTypes(string path, string type)
    {
        using var anonymous = App.CreateClient(null);

        var response = await anonymous.GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [InlineData("/console/nothing-here.js")]
    [InlineData("/console/../appsettings.json")]
    [InlineData("/console/%2e%2e/EduRelief.dll")]
    public async Task UnknownOrEscapingPath_Returns404(string path)
    {
        using var anonymous = App.CreateClient(null);

        var response = await anonymous.GetAsync(path);

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Me_WithoutCredential_Returns401Problem()
    {
        using var anonymous = App.CreateClient(null);

        var (status, body) = await anonymous.GetJsonAsync("/api/me");

        Assert.Equal(401, status);
        Assert.Equal(401, (int)body!["status"]!);
    }

    [Fact]
    public async Task Me_WithOfficerKey_NamesRoleAndSchool()
    {
        using var officer = await App.ClientForRoleAsync("school_officer", "4107260001");

        var (status, me) = await officer.GetJsonAsync("/api/me");

        Assert.Equal(200, status);
        Assert.Equal(("school_officer", "4107260001", "apiKey"), ((string?)me!["role"], (string?)me["schoolCode"], (string?)me["via"]));
    }

    [Fact]
    public async Task ConsoleConfig_WithoutEntra_OffersApiKeysOnly()
    {
        using var anonymous = App.CreateClient(null);

        var (status, config) = await anonymous.GetJsonAsync("/api/console/config");

        Assert.Equal(200, status);
        Assert.Null(config!["entra"]);
        Assert.True((bool)config["devClock"]!);
        // The app's clock in China time, which the console's forms default to.
        var (_, clock) = await App.Admin.GetJsonAsync("/api/dev/clock");
        var now = DateTimeOffset.Parse((string)config["now"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromHours(8), now.Offset);
        Assert.InRange(now, DateTimeOffset.Parse((string)clock!["now"]!, System.Globalization.CultureInfo.InvariantCulture) - TimeSpan.FromMinutes(1), DateTimeOffset.Parse((string)clock["now"]!, System.Globalization.CultureInfo.InvariantCulture) + TimeSpan.FromMinutes(1));
    }
}
