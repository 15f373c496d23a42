using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EduRelief.Runner;

/// <summary>How an invocation ended. A failure has a reason fit for logs (never the request or response body).</summary>
internal sealed record InvocationOutcome(bool Succeeded, int? StatusCode, HandlerResponse Response, string? Failure, TimeSpan Duration);

internal interface IFunctionInvoker
{
    Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken);
}

/// <summary>Posts invocations to the app as the Functions host posts them to a custom handler.</summary>
internal sealed class FunctionInvoker(HttpClient http, Uri appBaseUrl, string invocationToken, TimeSpan timeout, ILogger logger) : IFunctionInvoker
{
    public const string TokenHeader = "X-EduRelief-Invocation";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>Message text is mostly Chinese; escaping every character as \uXXXX would double the request size for nothing.</summary>
    private static readonly JsonSerializerOptions RequestJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Uri _base = appBaseUrl.AbsoluteUri.EndsWith('/') ? appBaseUrl : new Uri(appBaseUrl.AbsoluteUri + "/");

    public Uri FunctionUrl(string functionName) => new(_base, Uri.EscapeDataString(functionName));

    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: the invocation was abandoned, not failed.</exception>
    public async Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource.CancelAfter(timeout);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, FunctionUrl(functionName))
        {
            Content = new StringContent(payload.ToJsonString(RequestJson), Encoding.UTF8, Json),
        };
        request.Headers.TryAddWithoutValidation(TokenHeader, invocationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
            var body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            var status = (int)response.StatusCode;
            HandlerResponse parsed;
            try
            {
                parsed = HandlerResponse.Parse(body);
            }
            catch (JsonException)
            {
                return response.IsSuccessStatusCode
                    ? Failed(status, "the handler answered with a body that is not a handler response")
                    : Failed(status, $"the handler answered {status}");
            }

            WriteLogs(functionName, parsed.Logs);
            return response.IsSuccessStatusCode
                ? new InvocationOutcome(true, status, parsed, null, Stopwatch.GetElapsedTime(started))
                : Failed(status, $"the handler answered {status}", parsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(null, $"no answer within the function timeout of {timeout}");
        }
        catch (HttpRequestException ex)
        {
            return Failed(null, $"the request failed: {ex.Message}");
        }

        InvocationOutcome Failed(int? status, string reason, HandlerResponse? response = null) =>
            new(false, status, response ?? HandlerResponse.Empty, reason, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The handler's own log lines, as the host copies them into its logs. What they contain is the app's responsibility.</summary>
    private void WriteLogs(string functionName, IReadOnlyList<string> logs)
    {
        foreach (var line in logs)
        {
            logger.LogInformation("{Function}: {HandlerLog}", functionName, line);
        }
    }
}
