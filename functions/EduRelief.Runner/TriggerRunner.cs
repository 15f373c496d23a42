using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace EduRelief.Runner;

/// <summary>
/// Stands in for the Azure Functions host where Core Tools cannot run: reads host.json and the function.json files
/// and delivers queue messages and timer ticks to the app over HTTP exactly as the host does for a custom handler,
/// so the same handler code runs locally and in Azure. HTTP functions are not relayed; locally the app serves HTTP
/// on its own port.
/// </summary>
public sealed class TriggerRunner : BackgroundService
{
    public const string HttpClientName = "EduRelief.Runner";

    /// <summary>After shutdown starts, invocations in flight get this long to finish before they are abandoned.</summary>
    private static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(10);

    private readonly IRunnerStorage _storage;
    private readonly TimeProvider _clock;
    private readonly IConfiguration _configuration;
    private readonly RunnerSignals _signals;
    private readonly RunnerOptions _options;
    private readonly IServer _server;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IHttpClientFactory? _httpClientFactory;
    private readonly ILogger<TriggerRunner> _logger;
    private readonly TimeProvider _realTime = TimeProvider.System;
    private FunctionApp? _app;

    /// <param name="httpClientFactory">Used when registered (tests can then route invocations to an in-memory server); otherwise the runner makes its own client.</param>
    public TriggerRunner(
        IRunnerStorage storage,
        TimeProvider clock,
        IConfiguration configuration,
        RunnerSignals signals,
        IOptions<RunnerOptions> options,
        IServer server,
        IHostApplicationLifetime lifetime,
        ILogger<TriggerRunner> logger,
        IHttpClientFactory? httpClientFactory = null)
    {
        _storage = storage;
        _clock = clock;
        _configuration = configuration;
        _signals = signals;
        _options = options.Value;
        _server = server;
        _lifetime = lifetime;
        _logger = logger;
        _httpClientFactory = httpClientFactory;
    }

    /// <summary>
    /// Reads the layout before the host finishes starting, so a configuration error (naming the function and the
    /// setting) stops start-up itself instead of surfacing later as a background-service failure.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _app = LoadApp();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var app = _app ?? LoadApp();
        if (!await WaitForAppStartedAsync(stoppingToken))
        {
            return;
        }

        var baseUrl = _options.AppBaseUrl ?? AppAddress.Pick(_server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            ?? throw new InvalidOperationException("The trigger runner found no http address the app listens on; set RunnerOptions.AppBaseUrl.");
        if (_options.InvocationToken.Length == 0)
        {
            _logger.LogWarning("RunnerOptions.InvocationToken is empty: the app cannot tell the runner's invocations from anyone else's.");
        }

        var queues = new QueueClients(_storage, _configuration);
        var lockContainer = _storage.Blobs.GetBlobContainerClient(_storage.ContainerName("runner"));
        if (!await PrepareStorageAsync(app, queues, lockContainer, stoppingToken))
        {
            return;
        }

        using var http = CreateHttpClient();
        var invoker = new FunctionInvoker(http, baseUrl, _options.InvocationToken, app.Host.FunctionTimeout, _logger);
        using var abandon = new CancellationTokenSource();
        await using var graceOnStop = stoppingToken.Register(() => abandon.CancelAfter(AbandonGrace));
        var leaseId = Guid.NewGuid().ToString();
        var store = new TimerStatusStore(lockContainer, _logger);
        var listeners = new List<Task>();
        foreach (var (function, trigger) in app.QueueFunctions)
        {
            var settings = app.Host.Queues;
            var queue = queues.Get(trigger.QueueName, trigger.Connection, settings.MessageEncoding);
            var processor = new QueueMessageProcessor(
                function, trigger, settings, queue, queues.Get(trigger.PoisonQueueName, trigger.Connection, settings.MessageEncoding),
                Outputs(function, queues, settings), invoker, _clock, _realTime, _options.MessageLease, _logger);
            var listener = new QueueListener(function, trigger, settings, queue, processor, _signals, _options.MessageLease, _realTime, _logger);
            listeners.Add(Task.Run(() => listener.RunAsync(stoppingToken, abandon.Token), CancellationToken.None));
        }

        foreach (var (function, trigger) in app.TimerFunctions)
        {
            var singleton = new TimerSingletonLock(lockContainer.GetBlobClient($"locks/{function.Name}"), leaseId, _realTime, _logger);
            var listener = new TimerListener(function, trigger, store, singleton, invoker, Outputs(function, queues, app.Host.Queues), _signals, _clock, _realTime, _logger);
            listeners.Add(Task.Run(() => listener.RunAsync(stoppingToken, abandon.Token), CancellationToken.None));
        }

        _logger.LogInformation("Trigger runner delivering to {BaseUrl}.", baseUrl);
        await Task.WhenAll(listeners);
        _logger.LogInformation("Trigger runner stopped.");
    }

    private FunctionApp LoadApp()
    {
        var root = _options.FunctionsRoot
            ?? FunctionsRootLocator.Find(AppContext.BaseDirectory, Directory.GetCurrentDirectory())
            ?? throw new FunctionConfigurationException($"The trigger runner found no {FunctionAppLayout.HostFileName} above '{AppContext.BaseDirectory}' or '{Directory.GetCurrentDirectory()}'; set RunnerOptions.FunctionsRoot.");
        var app = FunctionAppLayout.Load(root, _configuration);
        foreach (var function in app.Functions)
        {
            switch (function.Trigger)
            {
                case QueueTriggerBinding queue:
                    _logger.LogInformation("{Function}: queue trigger on {Queue}.", function.Name, queue.QueueName);
                    break;
                case HttpTriggerBinding:
                    _logger.LogDebug("{Function}: HTTP trigger, served by the app itself.", function.Name);
                    break;
                case UnsupportedTriggerBinding unsupported:
                    _logger.LogWarning("{Function}: {TriggerType} is not supported by the local runner; the function will not run locally.", function.Name, unsupported.Type);
                    break;
            }
        }

        foreach (var name in app.DisabledFunctions)
        {
            _logger.LogInformation("{Function}: disabled.", name);
        }

        return app;
    }

    /// <summary>The app's own address is known only once Kestrel has started listening.</summary>
    private async Task<bool> WaitForAppStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates every queue (poison queues too, so failures never wait on a create) and the runner's container.
    /// Storage that is not up yet (Azurite still starting) is retried rather than taking the app down.
    /// </summary>
    private async Task<bool> PrepareStorageAsync(FunctionApp app, QueueClients queues, BlobContainerClient container, CancellationToken stoppingToken)
    {
        var encoding = app.Host.Queues.MessageEncoding;
        var queueClients = app.QueueFunctions
            .SelectMany(f => new[] { (f.Trigger.QueueName, f.Trigger.Connection), (f.Trigger.PoisonQueueName, f.Trigger.Connection) })
            .Concat(app.Functions.SelectMany(f => f.QueueOutputs.Select(o => (o.QueueName, o.Connection))))
            .Distinct()
            .Select(q => queues.Get(q.Item1, q.Item2, encoding))
            .ToList();
        while (true)
        {
            try
            {
                foreach (var queue in queueClients)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                }

                if (app.TimerFunctions.Any())
                {
                    await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                }

                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                _logger.LogError("Trigger runner cannot prepare storage ({Error}); retrying in 5 s.", ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), _realTime, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }

    private static QueueOutputSender Outputs(FunctionDefinition function, QueueClients queues, QueueSettings settings) =>
        function.QueueOutputs.Count == 0
            ? QueueOutputSender.None
            : new QueueOutputSender(function.QueueOutputs.Select(o => (o, queues.Get(o.QueueName, o.Connection, settings.MessageEncoding))).ToList());

    private HttpClient CreateHttpClient()
    {
        // The function timeout is enforced per invocation; HttpClient's own 100 s default would cut long invocations short.
        if (_httpClientFactory is not null)
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            client.Timeout = Timeout.InfiniteTimeSpan;
            return client;
        }

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
