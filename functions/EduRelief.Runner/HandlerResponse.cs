using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EduRelief.Runner;

/// <summary>A custom handler's answer: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}</c>.</summary>
public sealed record HandlerResponse(IReadOnlyDictionary<string, JsonNode?> Outputs, IReadOnlyList<string> Logs, JsonNode? ReturnValue)
{
    public static readonly HandlerResponse Empty = new(new Dictionary<string, JsonNode?>(), [], null);

    /// <summary>Outputs written as JSON text keep non-ASCII characters readable; queue messages are Base64 anyway.</summary>
    private static readonly JsonSerializerOptions OutputJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonNodeOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    /// <summary>An empty body is an answer with nothing in it. Property names are matched case-insensitively, as the host does.</summary>
    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static HandlerResponse Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return Empty;
        }

        if (JsonNode.Parse(body, CaseInsensitive) is not JsonObject root)
        {
            throw new JsonException("A handler response must be a JSON object.");
        }

        var outputs = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        if (root[nameof(Outputs)] is JsonObject outputObject)
        {
            foreach (var (name, value) in outputObject)
            {
                outputs[name] = value?.DeepClone();
            }
        }

        var logs = root[nameof(Logs)] is JsonArray logArray
            ? logArray.Where(l => l is not null).Select(l => l is JsonValue v && v.TryGetValue<string>(out var s) ? s : l!.ToJsonString()).ToList()
            : [];
        return new HandlerResponse(outputs, logs, root[nameof(ReturnValue)]?.DeepClone());
    }

    /// <summary>
    /// The messages one queue output produces, as the host's queue output binding does: a string as-is, an array one
    /// message per element, anything else as its JSON text. Null produces nothing.
    /// </summary>
    public static IReadOnlyList<string> QueueMessages(JsonNode? value) => value switch
    {
        null => [],
        JsonArray array => array.Where(e => e is not null).Select(e => MessageText(e!)).ToList(),
        _ => [MessageText(value)],
    };

    private static string MessageText(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString(OutputJson);
}
