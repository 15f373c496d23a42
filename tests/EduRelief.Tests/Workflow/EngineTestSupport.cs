using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Workflow;

internal static class EngineTestSupport
{
    public static async Task<JsonNode> StartAsync(this AppProcess app, string id, string definition, object? data = null)
    {
        var (status, body) = await app.Admin.PostAsync("/api/dev/instances", new { id, definition, data = data ?? new { } });
        Assert.True(status is 200 or 201, $"start {definition}: {status} {body}");
        return body!;
    }

    public static async Task<JsonNode> RaiseAsync(this AppProcess app, string id, string eventId, string name)
    {
        var (status, body) = await app.Admin.PostAsync($"/api/dev/instances/{id}/events", new { eventId, name });
        Assert.Equal(200, status);
        return body!;
    }

    public static async Task<JsonNode> InstanceAsync(this AppProcess app, string id)
    {
        var (status, body) = await app.Admin.GetJsonAsync($"/api/dev/instances/{id}");
        Assert.True(status == 200, $"instance {id}: {status} {body}");
        return body!;
    }

    public static Task<JsonNode> UntilStageAsync(this AppProcess app, string id, string stage, TimeSpan timeout) =>
        Eventually.UntilAsync(() => app.InstanceAsync(id), n => (string?)n["instance"]!["stage"] == stage, timeout, $"{id} to reach {stage}");

    public static int CountEvents(JsonNode instance, string eventName) =>
        instance["history"]!.AsArray().Count(h => (string?)h!["event"] == eventName);

    public static async Task<(int Runs, int Shards)> TestRunsAsync(this AppProcess app, string id)
    {
        var (_, body) = await app.Admin.GetJsonAsync($"/api/dev/test-runs/{id}");
        return ((int)body!["runs"]!, (int)body["shards"]!);
    }

    public static long ExpectedSum(int shards) => (long)shards * (shards + 1) / 2;
}
