using System.Collections.Concurrent;
using System.Diagnostics;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// Every browser test class joins this collection: <c>[Collection("browser")]</c>. Its tests then share one Chromium
/// (and run one class at a time, which suits a 2-core machine); each test takes its own context from
/// <see cref="BrowserFixture.NewSessionAsync"/>.
/// </summary>
[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>The screen a session emulates.</summary>
public enum Screen
{
    /// <summary>1280×800, mouse.</summary>
    Desktop,

    /// <summary>390×844, a phone: mobile meta viewport, touch, device scale 2.</summary>
    Phone,
}

/// <summary>
/// One Playwright driver and one headless Debian Chromium for the whole test run, closed at its end. Playwright's own
/// browser download does not work on this closed network: the browser is ${EDURELIEF_CHROMIUM:-/usr/bin/chromium},
/// which test.sh installs (scripts/lib.sh, ensure_chromium).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// Passed on every launch (Playwright adds most of them itself; these do not depend on it): without the
    /// background-networking ones Chromium keeps calling Google's hosts, which the closed network refuses. Even with
    /// them it still looked up accounts.google.com and update.googleapis.com (23 DNS queries a run, seen with strace),
    /// so every name but the loopback ones resolves to nothing inside the browser: no query leaves it, and a page that
    /// reaches for anything off this machine fails at once with net::ERR_NAME_NOT_RESOLVED in FailedRequests.
    /// </summary>
    public static readonly IReadOnlyList<string> ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    /// <summary>The Chromium binary in use.</summary>
    public string ExecutablePath { get; } = Environment.GetEnvironmentVariable("EDURELIEF_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>
    /// How long an <c>Assertions.Expect(…)</c> waits by default, for every browser test: verification, the notice
    /// documents and the hotline's polling run in the background on a busy 2-core machine, where 5 s is not enough.
    /// </summary>
    public const float ExpectTimeout = 60_000;

    /// <summary>How long starting the Playwright driver and launching Chromium took.</summary>
    public TimeSpan LaunchTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}. Run ./test.sh (it installs Debian's chromium), or apt-get install chromium, or set EDURELIEF_CHROMIUM.");
        }

        // Nothing may try to fetch Playwright's own browsers: the driver only ever drives the Chromium above.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(ExpectTimeout);
        var watch = Stopwatch.StartNew();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
        LaunchTime = watch.Elapsed;
    }

    /// <summary>A fresh, isolated context (no cookies or storage shared with other tests) and its first page.</summary>
    public async Task<BrowserSession> NewSessionAsync(Uri baseUrl, Screen screen = Screen.Desktop)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = screen == Screen.Phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            IsMobile = screen == Screen.Phone,
            HasTouch = screen == Screen.Phone,
            DeviceScaleFactor = screen == Screen.Phone ? 2 : 1,
        };
        var context = await Browser.NewContextAsync(options);
        var session = new BrowserSession(context);
        try
        {
            await session.OpenAsync();
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }

        return session;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// One isolated browser context and its page, recording what went wrong in it: script errors (console.error and
/// uncaught exceptions), requests that failed on the network, and answers of 400 or more.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _failedRequests = new();
    private readonly ConcurrentQueue<string> _errorResponses = new();
    private IPage? _page;

    internal BrowserSession(IBrowserContext context)
    {
        Context = context;
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console.error: {message.Text} ({message.Location})");
            }
        };
        context.WebError += (_, error) => _errors.Enqueue($"uncaught: {error.Error}");
        context.RequestFailed += (_, request) => _failedRequests.Enqueue($"{request.Method} {request.Url}: {request.Failure}");
        context.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _errorResponses.Enqueue($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page => _page ?? throw new InvalidOperationException("The session has no page yet.");

    /// <summary>console.error messages and uncaught exceptions, in any page of the context.</summary>
    public IReadOnlyList<string> Errors => _errors.ToList();

    /// <summary>Requests that got no answer at all (refused, aborted, blocked): "METHOD url: reason".</summary>
    public IReadOnlyList<string> FailedRequests => _failedRequests.ToList();

    /// <summary>Answers with a status of 400 or more: "status METHOD url".</summary>
    public IReadOnlyList<string> ErrorResponses => _errorResponses.ToList();

    /// <summary>Fails the test when a script error happened or a request failed on the network.</summary>
    public void AssertNoErrors()
    {
        Assert.True(_errors.IsEmpty, "Script errors in the page:\n" + string.Join('\n', _errors));
        Assert.True(_failedRequests.IsEmpty, "Failed requests:\n" + string.Join('\n', _failedRequests));
    }

    /// <summary>
    /// Fails the test when a script error happened, a request failed on the network, or an answer of 400 or more was not
    /// one of <paramref name="refusals"/>: the refusals the test provoked on purpose, each written as the end of
    /// "STATUS METHOD /path" (the host and query left out), e.g. "404 GET /api/hotline/cases/RX-1" or just "/batches".
    /// Each refusal listed must have happened. Chromium logs every such answer as the console error "Failed to load
    /// resource: the server responded with a status of 4…", which is the refusal, not a fault; so is a missing favicon.
    /// </summary>
    public void AssertNoErrorsExcept(params string[] refusals)
    {
        Assert.True(_failedRequests.IsEmpty, "Failed requests:\n" + string.Join('\n', _failedRequests));
        var answers = _errorResponses.Select(Answer).Where(a => !a.EndsWith("/favicon.ico", StringComparison.Ordinal)).Distinct().ToList();
        Assert.All(answers, a => Assert.True(refusals.Any(r => a.EndsWith(r, StringComparison.Ordinal)), $"Unexpected answer: {a}"));
        Assert.All(refusals, r => Assert.True(answers.Any(a => a.EndsWith(r, StringComparison.Ordinal)), $"The refusal \"{r}\" did not happen; answers of 400 or more: {string.Join("; ", answers)}"));
        Assert.All(_errors, e => Assert.StartsWith("console.error: Failed to load resource: the server responded with a status of 4", e, StringComparison.Ordinal));
    }

    /// <summary>"404 GET http://127.0.0.1:7071/api/x?y=1" as "404 GET /api/x".</summary>
    private static string Answer(string response)
    {
        var parts = response.Split(' ', 3);
        return parts.Length == 3 && Uri.TryCreate(parts[2], UriKind.Absolute, out var url) ? $"{parts[0]} {parts[1]} {url.AbsolutePath}" : response;
    }

    internal async Task OpenAsync() => _page = await Context.NewPageAsync();

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}

/// <summary>Full-page PNGs of what a test saw.</summary>
public static class Screenshots
{
    /// <summary>Set to 1 to refresh the checked-in pictures under docs/screenshots as well.</summary>
    public const string UpdateVariable = "EDURELIEF_UPDATE_SCREENSHOTS";

    /// <summary>
    /// Writes artifacts/screenshots/{name}.png under the repository root, and docs/screenshots/{name}.png too when
    /// EDURELIEF_UPDATE_SCREENSHOTS=1; returns the paths written.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SaveAsync(IPage page, string name)
    {
        var paths = PathsFor(name, Environment.GetEnvironmentVariable(UpdateVariable) == "1");
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true, Type = ScreenshotType.Png });
        foreach (var path in paths)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, png);
        }

        return paths;
    }

    /// <summary>Where a screenshot goes; a name is letters, digits, '-', '_' and '.', so it stays one file in those folders.</summary>
    public static IReadOnlyList<string> PathsFor(string name, bool updateDocs)
    {
        if (name.Length == 0 || name.Length > 100 || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"A screenshot name is 1-100 letters, digits, '-', '_' or '.', not starting with '.': \"{name}\".", nameof(name));
        }

        var file = name + ".png";
        return updateDocs
            ? [Path.Combine(Repo.Root, "artifacts", "screenshots", file), Path.Combine(Repo.Root, "docs", "screenshots", file)]
            : [Path.Combine(Repo.Root, "artifacts", "screenshots", file)];
    }
}
