using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

public sealed class HotlineStartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutHotlineSecret_RefusesNamingTheSetting()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["EDURELIEF_DEV_CLOCK"] = "false",
            ["EDURELIEF_HOTLINE_SECRET"] = "",
            ["EDURELIEF_SENDGRID_KEY"] = "SG.test-key-for-startup",
            ["EDURELIEF_MAIL_FROM"] = "zizhu@yanjin.example.cn",
        };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => AppProcess.StartAsync(environment: environment, appDll: Repo.AppDll));

        Assert.Contains("The app exited", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EDURELIEF_HOTLINE_SECRET", ex.Message, StringComparison.Ordinal);
    }
}
