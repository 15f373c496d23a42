using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EduRelief.Observability;

namespace EduRelief.TestHost;

/// <summary>
/// The test host only: listens to the app's own meter and keeps counter totals and the last
/// gauge values per tag set, for <c>GET /api/dev/metrics</c>. Production reads the same instruments via OpenTelemetry.
/// </summary>
public sealed class MetricsSnapshot : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _values = new();

    public MetricsSnapshot(AppMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument's values: <c>{name: [{tags, value}]}</c>, after observing the gauges once.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> Read()
    {
        _listener.RecordObservableInstruments();
        return _values
            .GroupBy(p => p.Key.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<MetricPoint>)g.OrderBy(p => p.Key.Tags, StringComparer.Ordinal).Select(p => new MetricPoint(Tags(p.Key.Tags), p.Value)).ToList(),
                StringComparer.Ordinal);
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name, string.Join(',', tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")));
        if (instrument.IsObservable)
        {
            _values[key] = value;
        }
        else
        {
            _values.AddOrUpdate(key, value, (_, total) => total + value);
        }
    }

    private static Dictionary<string, string> Tags(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(t => t.Split('=', 2)).ToDictionary(t => t[0], t => t[1], StringComparer.Ordinal);
}

public sealed record MetricPoint(IReadOnlyDictionary<string, string> Tags, double Value);
