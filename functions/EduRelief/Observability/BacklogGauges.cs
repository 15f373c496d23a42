using System.Diagnostics.Metrics;
using Azure;
using Azure.Storage.Queues;
using EduRelief.Reminders;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Observability;

/// <summary>
/// Observable gauges on the <c>EduRelief</c> meter: <c>queue.steps.age</c> (seconds the oldest visible message of the
/// steps queue has waited, from a peek) and <c>items.overdue</c> (open items past their deadline per reminder source:
/// <c>hotline</c>, <c>rectification</c>). Gauge callbacks must not block, so each answers its last value and, when that
/// is older than its period on the app's clock, starts one refresh in the background. Nothing is read while nobody
/// collects, and a collector every 60 s costs one peek and the reminder sources' queries per minute.
/// </summary>
public sealed class BacklogGauges
{
    public static readonly TimeSpan QueueAgePeriod = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan OverduePeriod = TimeSpan.FromSeconds(60);

    private readonly QueueClient _steps;
    private readonly IReadOnlyList<IReminderSource> _sources;
    private readonly TimeProvider _clock;
    private readonly ILogger<BacklogGauges> _logger;
    private readonly Cached<double?> _queueAge;
    private readonly Cached<IReadOnlyList<Measurement<long>>> _overdue;

    public BacklogGauges(AppMetrics metrics, StorageAccount storage, WorkflowTables tables, IEnumerable<IReminderSource> sources, TimeProvider clock, ILogger<BacklogGauges> logger)
    {
        _steps = storage.Queues.GetQueueClient(tables.StepsQueueName);
        _sources = sources.ToList();
        _clock = clock;
        _logger = logger;
        _queueAge = new Cached<double?>(QueueAgePeriod, clock, PeekAgeAsync, logger);
        _overdue = new Cached<IReadOnlyList<Measurement<long>>>(OverduePeriod, clock, CountOverdueAsync, logger);
        metrics.Meter.CreateObservableGauge("queue.steps.age", ObserveQueueAge, "s", "Seconds the oldest visible message of the steps queue has waited.");
        metrics.Meter.CreateObservableGauge("items.overdue", ObserveOverdue, "{item}", "Open hotline cases and rectification items past their deadline, by source.");
    }

    private IEnumerable<Measurement<double>> ObserveQueueAge() =>
        _queueAge.Read() is { } age ? [new Measurement<double>(age)] : [];

    private IEnumerable<Measurement<long>> ObserveOverdue() => _overdue.Read() ?? [];

    private async Task<double?> PeekAgeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var peeked = await _steps.PeekMessageAsync(cancellationToken);
            // Insertion times are the storage service's real time; the app's clock may be the development clock.
            return peeked.Value?.InsertedOn is { } inserted ? Math.Max(0, (TimeProvider.System.GetUtcNow() - inserted).TotalSeconds) : 0;
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return 0;
        }
    }

    private async Task<IReadOnlyList<Measurement<long>>> CountOverdueAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var list = new List<Measurement<long>>();
        foreach (var source in _sources)
        {
            var items = await source.FindAsync(now, cancellationToken);
            list.Add(new Measurement<long>(items.Count(i => i.Deadline < now), new KeyValuePair<string, object?>("source", source.Name)));
        }

        _logger.LogDebug("Overdue items counted for {Sources} sources", list.Count);
        return list;
    }

    /// <summary>A value refreshed at most once per period, in the background, one refresh at a time.</summary>
    private sealed class Cached<T>(TimeSpan period, TimeProvider clock, Func<CancellationToken, Task<T>> load, ILogger logger)
    {
        private readonly Lock _gate = new();
        private T? _value;
        private DateTimeOffset? _loadedAt;
        private bool _loading;

        public T? Read()
        {
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (!_loading && (_loadedAt is not { } at || now - at >= period || now < at))
                {
                    _loading = true;
                    _ = Task.Run(RefreshAsync);
                }

                return _value;
            }
        }

        private async Task RefreshAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var value = await load(timeout.Token);
                lock (_gate)
                {
                    _value = value;
                    _loadedAt = clock.GetUtcNow();
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException or HttpRequestException)
            {
                logger.LogWarning("A backlog gauge could not be refreshed: {Error}", ex.GetType().Name);
            }
            finally
            {
                lock (_gate)
                {
                    _loading = false;
                }
            }
        }
    }
}
