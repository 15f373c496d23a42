using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduRelief.Hosting;

/// <summary>What the Functions host (or the local trigger runner) posts to a custom handler for a non-HTTP trigger.</summary>
public sealed record InvocationRequest(
    [property: JsonPropertyName("Data")] Dictionary<string, JsonElement>? Data,
    [property: JsonPropertyName("Metadata")] Dictionary<string, JsonElement>? Metadata)
{
    /// <summary>A queue trigger's message text: the host sends it as a JSON string (an object when the text was JSON).</summary>
    public string? Text(string binding) =>
        Data is not null && Data.TryGetValue(binding, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public int DequeueCount =>
        Metadata is not null && Metadata.TryGetValue("DequeueCount", out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetInt32() : int.TryParse(v.GetString(), out var n) ? n : 1
            : 1;
}

/// <summary>The custom handler's answer: output binding values, log lines for the host, and a return value.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue)
{
    public static InvocationResponse Done(params string[] logs) => new([], logs, null);
}

/// <summary>
/// In Azure the handler port is reachable only by the Functions host, whose HTTP functions forward just /api,
/// /notices and /policy. Locally the app's port serves both, so invocation routes require the in-process runner's token.
/// </summary>
public sealed class InvocationGuard(string? token)
{
    public const string Header = "X-EduRelief-Invocation";

    /// <summary>Null when the Functions host is the caller (no token needed).</summary>
    public string? Token { get; } = token;

    public bool Allows(HttpRequest request) =>
        Token is null || (request.Headers.TryGetValue(Header, out var value) && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(value.ToString()), System.Text.Encoding.UTF8.GetBytes(Token)));
}
