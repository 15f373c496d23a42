using System.Globalization;
using System.Text.Json.Nodes;

namespace EduRelief.Runner;

/// <summary>The parts of a received queue message a custom handler sees.</summary>
public sealed record QueueMessageDetails(
    string Id,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset? InsertionTime,
    DateTimeOffset? ExpirationTime,
    DateTimeOffset? NextVisibleTime);

/// <summary>
/// The request bodies the Functions host posts to a custom handler. Property names must match the host's exactly:
/// the app's handler code is written against them and runs unchanged in Azure.
/// </summary>
public static class InvocationPayloads
{
    public static JsonObject ForQueue(string functionName, string bindingName, QueueMessageDetails message, DateTimeOffset utcNow, Guid randGuid) => new()
    {
        ["Data"] = new JsonObject { [bindingName] = message.Text },
        ["Metadata"] = new JsonObject
        {
            ["DequeueCount"] = message.DequeueCount,
            ["ExpirationTime"] = Iso(message.ExpirationTime),
            ["Id"] = message.Id,
            ["InsertionTime"] = Iso(message.InsertionTime),
            ["NextVisibleTime"] = Iso(message.NextVisibleTime),
            ["PopReceipt"] = message.PopReceipt,
            ["sys"] = Sys(functionName, utcNow, randGuid),
        },
    };

    public static JsonObject ForTimer(string functionName, string bindingName, TimerStatus status, bool isPastDue, DateTimeOffset utcNow, Guid randGuid) => new()
    {
        ["Data"] = new JsonObject
        {
            [bindingName] = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = new JsonObject
                {
                    ["Last"] = Iso(status.Last),
                    ["Next"] = Iso(status.Next),
                    ["LastUpdated"] = Iso(status.LastUpdated),
                },
                ["IsPastDue"] = isPastDue,
            },
        },
        ["Metadata"] = new JsonObject { ["sys"] = Sys(functionName, utcNow, randGuid) },
    };

    /// <summary>ISO 8601 in UTC with the offset written out, which every JSON date parser reads.</summary>
    public static string Iso(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string? Iso(DateTimeOffset? value) => value is { } v ? Iso(v) : null;

    private static JsonObject Sys(string functionName, DateTimeOffset utcNow, Guid randGuid) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = Iso(utcNow),
        ["RandGuid"] = randGuid.ToString(),
    };
}
