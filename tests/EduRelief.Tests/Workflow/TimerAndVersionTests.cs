using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Workflow;

public sealed class TimerAndVersionTests
{
    [Fact]
    public async Task Timer_ThirtyDaysAhead_FiresOnceAfterClockPassesItAcrossARestart()
    {
        var prefix = Repo.NewPrefix();
        DateTimeOffset createdAt;
        await using (var first = await AppProcess.StartAsync(prefix))
        {
            var started = await first.StartAsync("timer-1", "test-timer", new { days = 30 });
            createdAt = DateTimeOffset.Parse((string)started["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture);
            var (status, clock) = await first.Admin.PostAsync("/api/dev/clock", new { advanceBy = "P29D" });
            Assert.Equal(200, status);
            Assert.True(DateTimeOffset.Parse((string)clock!["now"]!, System.Globalization.CultureInfo.InvariantCulture) >= createdAt.AddDays(29));
            Assert.Equal("waiting", (string?)(await first.InstanceAsync("timer-1"))["instance"]!["stage"]);
            first.Kill();
        }

        await using var second = await AppProcess.StartAsync(prefix);
        await second.Admin.PostAsync("/api/dev/clock", new { setTo = createdAt.AddDays(31) });
        var woke = await second.UntilStageAsync("timer-1", "woke", TimeSpan.FromSeconds(60));
        Assert.Equal(1, EngineTestSupport.CountEvents(woke, "wake"));

        // Later sweeps find nothing more to fire.
        await second.Admin.PostAsync("/api/dev/clock", new { advanceBy = "P1D" });
        var metricsBefore = await second.Admin.GetJsonAsync("/api/dev/metrics");
        await Eventually.UntilAsync(() => second.Admin.GetJsonAsync("/api/dev/metrics"), m => (long)m.Body!["storageRequests"]!["table"]! > (long)metricsBefore.Body!["storageRequests"]!["table"]! + 2, TimeSpan.FromSeconds(30), "another sweep");
        Assert.Equal(1, EngineTestSupport.CountEvents(await second.InstanceAsync("timer-1"), "wake"));
    }

    [Fact]
    public async Task Instance_StartedOnVersion1_KeepsVersion1AfterVersion2IsRegistered()
    {
        var prefix = Repo.NewPrefix();
        await using (var v1Only = await AppProcess.StartAsync(prefix, new Dictionary<string, string> { ["EDURELIEF_TEST_VERSIONED_MAX"] = "1" }))
        {
            var started = await v1Only.StartAsync("old", "test-versioned");
            Assert.Equal(1, (int)started["version"]!);
        }

        await using var withV2 = await AppProcess.StartAsync(prefix, new Dictionary<string, string> { ["EDURELIEF_TEST_VERSIONED_MAX"] = "2" });
        var fresh = await withV2.StartAsync("new", "test-versioned");
        Assert.Equal(2, (int)fresh["version"]!);

        await withV2.RaiseAsync("old", "n1", "next");
        await withV2.RaiseAsync("new", "n1", "next");

        JsonNode old = (await withV2.InstanceAsync("old"))["instance"]!;
        JsonNode @new = (await withV2.InstanceAsync("new"))["instance"]!;
        Assert.Equal("v1-end", (string?)old["stage"]);
        Assert.Equal(1, (int)old["version"]!);
        Assert.Equal("v2-end", (string?)@new["stage"]);
    }
}
