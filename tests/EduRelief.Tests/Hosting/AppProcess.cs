using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EduRelief.Tests.Hosting;

/// <summary>
/// The real app as a child process (Kestrel, its in-process trigger runner, the dev clock) against the run's Azurite,
/// run by the test host (tests/EduRelief.TestHost: the production app plus the engine's test workflows, the close pause
/// and the /api/dev routes only tests call). Tests talk to it over HTTP only, and can kill it with SIGKILL and start it
/// again on the same storage.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    /// <summary>The county of the sample data: the county every key <see cref="KeyForRoleAsync"/> makes may act on, unless told otherwise.</summary>
    public const string SampleCounty = "410726";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, Uri baseUrl, string prefix)
    {
        _process = process;
        BaseUrl = baseUrl;
        Prefix = prefix;
        Admin = CreateClient(AdminKey);
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>The app's peak resident set size so far (VmHWM), in bytes; Linux only.</summary>
    public long PeakRssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public string Prefix { get; }

    public HttpClient Admin { get; }

    /// <summary>Everything the app wrote to stdout and stderr, for diagnostics and log scans.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>What a start outside Development needs besides <see cref="StartAsync"/>'s own settings: Production, mail, no dev clock.</summary>
    public static Dictionary<string, string> ProductionEnvironment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["EDURELIEF_DEV_CLOCK"] = "false",
        ["EDURELIEF_SENDGRID_KEY"] = "SG.test-key-for-startup",
        ["EDURELIEF_MAIL_FROM"] = "zizhu@yanjin.example.cn",
    };

    /// <summary>Starts the test host, or the app at <paramref name="appDll"/> (<see cref="Repo.AppDll"/>: production's alone).</summary>
    public static async Task<AppProcess> StartAsync(string? prefix = null, IDictionary<string, string>? environment = null, string? appDll = null)
    {
        var azurite = await Azurite.SharedAsync();
        prefix ??= Repo.NewPrefix();
        var port = Azurite.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        info.ArgumentList.Add(appDll ?? Repo.TestHostDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["EDURELIEF_STORAGE_PREFIX"] = prefix,
            ["EDURELIEF_ADMIN_KEY"] = AdminKey,
            ["EDURELIEF_HOTLINE_SECRET"] = "test-hotline-secret",
            ["EDURELIEF_CHILD_ID_SECRET"] = "test-child-id-secret",
            ["EDURELIEF_DEV_CLOCK"] = "true",
            ["EDURELIEF_LOCAL_RUNNER"] = "true",
            ["EDURELIEF_FUNCTIONS_ROOT"] = Repo.Root,
            ["EDURELIEF_RUNNER_MESSAGE_LEASE"] = "00:00:03",
            ["EDURELIEF_STEP_HEARTBEAT"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__System.Net.Http"] = "Warning",

            // A timer's "fired …; next occurrence …" line is Debug (routine in production); tests wait on it.
            ["Logging__LogLevel__EduRelief.Runner.TriggerRunner"] = "Debug",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}"), prefix);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { app._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { app._output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => app.Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var probe = new HttpClient { BaseAddress = app.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (process.HasExited)
            {
                // Without a timeout it also waits until the redirected output has been read to its end.
                process.WaitForExit();
                throw new InvalidOperationException($"The app exited with {process.ExitCode}:\n{app.Output}");
            }

            try
            {
                if ((await probe.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                app.Kill();
                throw new TimeoutException($"The app did not become healthy in 60 s:\n{app.Output}");
            }

            await Task.Delay(100);
        }
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        // Problems are Chinese by default; the suite's assertions read their English words (ProblemLanguageTests checks the Chinese).
        client.DefaultRequestHeaders.Add("Accept-Language", "en");
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks run, in-flight work is simply lost, as in a crash.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Admin.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>Creates a key of the given role over the API and returns a client that uses it.</summary>
    public async Task<HttpClient> ClientForRoleAsync(string role, string? schoolCode = null, string[]? counties = null) =>
        CreateClient(await KeyForRoleAsync(role, schoolCode, counties: counties));

    /// <summary>
    /// Creates a key of the given role (and school) with POST /api/keys as the bootstrap administrator and returns it;
    /// it may act on <paramref name="counties"/>, by default the sample county.
    /// </summary>
    public async Task<string> KeyForRoleAsync(string role, string? schoolCode = null, string? name = null, string[]? counties = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/keys", new { name = name ?? $"{role} test", role, schoolCode, counties = counties ?? [SampleCounty] });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (string)body!["key"]!;
    }
}

public static class Http
{
    public static async Task<(int Status, JsonNode? Body)> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = body is string raw
                ? new StringContent(raw, Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? node = null;
        if (text.Length > 0)
        {
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                node = JsonValue.Create(text);
            }
        }

        return ((int)response.StatusCode, node);
    }

    /// <summary>PUTs a file as the raw body with the given content type.</summary>
    public static async Task<(int Status, JsonNode? Body)> PutFileAsync(this HttpClient client, string url, byte[] content, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    public static Task<(int Status, JsonNode? Body)> PostAsync(this HttpClient client, string url, object? body = null) =>
        client.SendJsonAsync(HttpMethod.Post, url, body);

    public static Task<(int Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string url) =>
        client.SendJsonAsync(HttpMethod.Get, url);
}

public static class Eventually
{
    /// <summary>Polls until the condition holds or the deadline passes; no fixed sleeps stand in for synchronisation.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}; last seen: {last}");
            }

            await Task.Delay(50);
        }
    }
}
