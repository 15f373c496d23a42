using System.Diagnostics;
using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class HolderIdentityTests
{
    [Fact]
    public void IsDeadProcessOnThisMachine_CurrentProcess_IsAlive()
    {
        Assert.False(HolderIdentity.OfCurrentProcess().IsDeadProcessOnThisMachine());
    }

    [Fact]
    public void IsDeadProcessOnThisMachine_ExitedProcess_IsDead()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        process.WaitForExit();
        var holder = new HolderIdentity(Environment.MachineName, process.Id, DateTime.UtcNow.Ticks);

        Assert.True(holder.IsDeadProcessOnThisMachine());
    }

    [Fact]
    public void IsDeadProcessOnThisMachine_ProcessIdReusedByLaterProcess_IsDead()
    {
        var self = HolderIdentity.OfCurrentProcess();

        Assert.True((self with { StartedTicks = self.StartedTicks - TimeSpan.FromHours(1).Ticks }).IsDeadProcessOnThisMachine());
    }

    [Fact]
    public void IsDeadProcessOnThisMachine_StartTimeJitter_IsStillAlive()
    {
        var self = HolderIdentity.OfCurrentProcess();

        Assert.False((self with { StartedTicks = self.StartedTicks + TimeSpan.FromMilliseconds(300).Ticks }).IsDeadProcessOnThisMachine());
    }

    [Fact]
    public void IsDeadProcessOnThisMachine_OtherMachine_IsNeverJudged()
    {
        var holder = new HolderIdentity(Environment.MachineName + "-elsewhere", int.MaxValue, 1);

        Assert.False(holder.IsDeadProcessOnThisMachine());
    }

    [Fact]
    public void FromMetadata_WrittenByToMetadata_RoundTrips()
    {
        var self = HolderIdentity.OfCurrentProcess();

        Assert.Equal(self, HolderIdentity.FromMetadata(self.ToMetadata()));
    }

    [Fact]
    public void FromMetadata_LockWithoutHolder_IsNull()
    {
        Assert.Null(HolderIdentity.FromMetadata(new Dictionary<string, string>()));
    }
}
