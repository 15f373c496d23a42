using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

public sealed class HotlineStartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutHotlineSecret_RefusesNamingTheSetting()
    {
        var environment = AppProcess.ProductionEnvironment();
        environment["EDURELIEF_HOTLINE_SECRET"] = "";

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => AppProcess.StartAsync(environment: environment, appDll: Repo.AppDll));

        Assert.Contains("The app exited", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EDURELIEF_HOTLINE_SECRET", ex.Message, StringComparison.Ordinal);
    }
}
