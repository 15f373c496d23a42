using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EduRelief.Workflow;

/// <summary>The one message shape on the step queue. <see cref="Type"/> says which fields matter.</summary>
public sealed record StepMessage
{
    public const string Activity = "activity";
    public const string Shard = "shard";
    public const string Dispatch = "dispatch";
    public const string Event = "event";

    public required string Type { get; init; }

    public required string InstanceId { get; init; }

    /// <summary>Deterministic id of the step (activity, shard or fan-out): the same step always has the same id.</summary>
    public string? StepId { get; init; }

    /// <summary>The effect's name: <c>{Name}.completed</c> is raised when the step finishes.</summary>
    public string? Name { get; init; }

    public string? Kind { get; init; }

    public JsonObject? Input { get; init; }

    public int Attempt { get; init; } = 1;

    public int? ShardIndex { get; init; }

    public string? ShardKey { get; init; }

    public string? EventId { get; init; }

    public string? EventName { get; init; }

    public JsonObject? Payload { get; init; }

    public string? Actor { get; init; }

    /// <summary>The correlation id of the request or invocation that sent the step (logged with it; see StepQueue).</summary>
    public string? CorrelationId { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static StepMessage Parse(string text) =>
        JsonSerializer.Deserialize<StepMessage>(text, Json) ?? throw new JsonException("The step message is empty.");

    /// <summary>A key for this step in dead-letter rows: activities and fan-outs by step id, shards by shard too.</summary>
    public string DeadLetterKey => Type == Shard ? $"{StepId}#{ShardIndex}" : StepId ?? EventId ?? Type;
}
