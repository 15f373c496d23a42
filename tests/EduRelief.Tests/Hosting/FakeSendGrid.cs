using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace EduRelief.Tests.Hosting;

/// <summary>
/// A stand-in for SendGrid's v3 API on a free loopback port: records every accepted POST /v3/mail/send body, and can be
/// told to answer the next N requests with an error status (500, 429, 400 …).
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    public const string Key = "SG.fake-test-key";

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<JsonNode> _accepted = new();
    private readonly ConcurrentQueue<int> _failures = new();
    private readonly Task _loop;
    private int _requests;

    public FakeSendGrid()
    {
        Port = Azurite.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Host => $"http://127.0.0.1:{Port}";

    /// <summary>The settings that point the app here.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["EDURELIEF_SENDGRID_HOST"] = Host,
        ["EDURELIEF_SENDGRID_KEY"] = Key,
    };

    /// <summary>Bodies of the requests answered 202, in order.</summary>
    public IReadOnlyList<JsonNode> Accepted => _accepted.ToList();

    /// <summary>Every request to /v3/mail/send, failed ones included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void FailNext(int count, int status)
    {
        for (var i = 0; i < count; i++)
        {
            _failures.Enqueue(status);
        }
    }

    /// <summary>The recipients of an accepted email.</summary>
    public static IReadOnlyList<string> To(JsonNode mail) =>
        mail["personalizations"]!.AsArray().SelectMany(p => p!["to"]!.AsArray()).Select(t => (string)t!["email"]!).ToList();

    public static string Subject(JsonNode mail) => (string?)mail["subject"] ?? (string)mail["personalizations"]![0]!["subject"]!;

    public static string Text(JsonNode mail) =>
        (string)mail["content"]!.AsArray().First(c => (string?)c!["type"] == "text/plain")!["value"]!;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await HandleAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/v3/mail/send")
        {
            await AnswerAsync(response, 404, """{"errors":[{"message":"not found"}]}""");
            return;
        }

        Interlocked.Increment(ref _requests);
        if (context.Request.Headers["Authorization"] != $"Bearer {Key}")
        {
            await AnswerAsync(response, 401, """{"errors":[{"message":"bad key"}]}""");
            return;
        }

        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (_failures.TryDequeue(out var status))
        {
            await AnswerAsync(response, status, $$"""{"errors":[{"message":"fake failure {{status}}"}]}""");
            return;
        }

        _accepted.Enqueue(JsonNode.Parse(body)!);
        await AnswerAsync(response, 202, "");
    }

    private static async Task AnswerAsync(HttpListenerResponse response, int status, string body)
    {
        response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        if (bytes.Length > 0)
        {
            response.ContentType = "application/json";
            await response.OutputStream.WriteAsync(bytes);
        }

        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
