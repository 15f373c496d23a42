using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace EduRelief.Tests.Hosting;

/// <summary>Accepts OTLP/HTTP posts and keeps their bodies as text (protobuf keeps names and strings as UTF-8).</summary>
public sealed class FakeCollector : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
    private readonly Task _loop;

    public FakeCollector()
    {
        var port = Azurite.FreePort();
        Host = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Host + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Host { get; }

    public string Received(string path) => string.Join('\n', _received.Where(r => r.Path == path).Select(r => r.Body));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            try
            {
                var context = await _listener.GetContextAsync();
                using var memory = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(memory);
                _received.Enqueue((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(memory.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                if (!_listener.IsListening)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
