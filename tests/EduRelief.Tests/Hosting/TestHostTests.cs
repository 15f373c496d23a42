using Xunit;

namespace EduRelief.Tests.Hosting;

/// <summary>The test host (tests/EduRelief.TestHost) adds test-only routes to the app: it must not run anywhere but Development.</summary>
public sealed class TestHostTests
{
    [Fact]
    public async Task Start_OutsideDevelopmentWithProductionSettings_RefusesNamingTheTestHost()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => AppProcess.StartAsync(environment: AppProcess.ProductionEnvironment()));

        Assert.Contains("The app exited", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EduRelief.TestHost runs only in Development", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ProductionAppInDevelopment_ServesTheDevClockButNoTestRoute()
    {
        await using var app = await AppProcess.StartAsync(appDll: Repo.AppDll);

        Assert.Equal(200, (await app.Admin.GetJsonAsync("/api/dev/clock")).Status);
        Assert.Equal(404, (await app.Admin.PostAsync("/api/dev/instances", new { id = "fan-1", definition = "test-fanout" })).Status);
        Assert.Equal(404, (await app.Admin.PostAsync("/api/dev/close-pause/410726-2026-autumn")).Status);
        Assert.Equal(404, (await app.Admin.GetJsonAsync("/api/dev/metrics")).Status);
        Assert.Equal(404, (await app.Admin.GetJsonAsync("/api/dev/endpoints")).Status);
    }
}
