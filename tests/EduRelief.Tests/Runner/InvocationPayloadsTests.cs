using System.Text.Json.Nodes;
using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class InvocationPayloadsTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private static readonly Guid RandGuid = Guid.Parse("6c3b7c4e-8f1e-4a3a-9c1e-1f2d3c4b5a69");

    [Fact]
    public void ForQueue_Message_HasTheHostsExactShape()
    {
        var message = new QueueMessageDetails(
            "id-1", "receipt-1", """{"type":"activity","instanceId":"i-1"}""", 3,
            Now.AddMinutes(-5), Now.AddDays(7), Now.AddSeconds(30));

        var payload = InvocationPayloads.ForQueue("WorkflowSteps", "message", message, Now, RandGuid);

        Assert.Equal(["Data", "Metadata"], Keys(payload));
        var data = payload["Data"]!.AsObject();
        Assert.Equal(["message"], Keys(data));

        // The text is passed as a JSON string, not parsed into an object.
        Assert.Equal("""{"type":"activity","instanceId":"i-1"}""", data["message"]!.GetValue<string>());
        var metadata = payload["Metadata"]!.AsObject();
        Assert.Equal(["DequeueCount", "ExpirationTime", "Id", "InsertionTime", "NextVisibleTime", "PopReceipt", "sys"], Keys(metadata));
        Assert.Equal(3, metadata["DequeueCount"]!.GetValue<long>());
        Assert.Equal("id-1", metadata["Id"]!.GetValue<string>());
        Assert.Equal("receipt-1", metadata["PopReceipt"]!.GetValue<string>());
        Assert.Equal(Now.AddMinutes(-5), DateTimeOffset.Parse(metadata["InsertionTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Now.AddDays(7), DateTimeOffset.Parse(metadata["ExpirationTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Now.AddSeconds(30), DateTimeOffset.Parse(metadata["NextVisibleTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        AssertSys(metadata["sys"]!.AsObject(), "WorkflowSteps");
    }

    [Fact]
    public void ForQueue_SerializedBody_HasDequeueCountAsNumber()
    {
        var message = new QueueMessageDetails("id", "pr", "hello", 2, null, null, null);

        var json = InvocationPayloads.ForQueue("F", "message", message, Now, RandGuid).ToJsonString();

        Assert.Contains("\"DequeueCount\":2", json, StringComparison.Ordinal);
        Assert.Contains("\"message\":\"hello\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTimer_Tick_HasTheHostsExactShape()
    {
        var status = new TimerStatus(Now.AddMinutes(-5), Now, Now.AddMinutes(-5));

        var payload = InvocationPayloads.ForTimer("WorkflowSweep", "timer", status, isPastDue: true, Now, RandGuid);

        Assert.Equal(["Data", "Metadata"], Keys(payload));
        var timer = payload["Data"]!["timer"]!.AsObject();
        Assert.Equal(["Schedule", "ScheduleStatus", "IsPastDue"], Keys(timer));
        Assert.True(timer["Schedule"]!["AdjustForDST"]!.GetValue<bool>());
        Assert.True(timer["IsPastDue"]!.GetValue<bool>());
        var scheduleStatus = timer["ScheduleStatus"]!.AsObject();
        Assert.Equal(["Last", "Next", "LastUpdated"], Keys(scheduleStatus));
        Assert.Equal(InvocationPayloads.Iso(Now.AddMinutes(-5)), scheduleStatus["Last"]!.GetValue<string>());
        Assert.Equal(InvocationPayloads.Iso(Now), scheduleStatus["Next"]!.GetValue<string>());
        var metadata = payload["Metadata"]!.AsObject();
        Assert.Equal(["sys"], Keys(metadata));
        AssertSys(metadata["sys"]!.AsObject(), "WorkflowSweep");
    }

    [Fact]
    public void Iso_NonUtcOffset_IsWrittenInUtc()
    {
        var china = new DateTimeOffset(2025, 3, 1, 16, 30, 0, TimeSpan.FromHours(8));

        Assert.Equal("2025-03-01T08:30:00.0000000+00:00", InvocationPayloads.Iso(china));
    }

    private static void AssertSys(JsonObject sys, string functionName)
    {
        Assert.Equal(["MethodName", "UtcNow", "RandGuid"], Keys(sys));
        Assert.Equal(functionName, sys["MethodName"]!.GetValue<string>());
        Assert.Equal(InvocationPayloads.Iso(Now), sys["UtcNow"]!.GetValue<string>());
        Assert.Equal(RandGuid.ToString(), sys["RandGuid"]!.GetValue<string>());
    }

    private static List<string> Keys(JsonObject obj) => obj.Select(p => p.Key).ToList();
}
