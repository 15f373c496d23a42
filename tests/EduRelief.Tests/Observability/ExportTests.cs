using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Observability;

/// <summary>OpenTelemetry export switched on by the standard settings, against a local collector that records what it is sent.</summary>
public sealed class ExportTests
{
    [Fact]
    public async Task Export_OtlpEndpointSet_SendsTheEduReliefMetricsAndTheLogs()
    {
        await using var collector = new FakeCollector();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Host,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        });

        // The gauges answer from the second collection on (the first starts their refresh).
        await Eventually.UntilAsync(() => Task.FromResult(collector.Received("/v1/metrics")), b => b.Contains("queue.steps.age", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the steps queue's age at the collector");
        await Eventually.UntilAsync(() => Task.FromResult(collector.Received("/v1/logs")), b => b.Contains("Trigger runner delivering", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the app's logs at the collector");
        Assert.Contains("edurelief", collector.Received("/v1/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ApplicationInsightsConnectionString_SendsTelemetryToItsIngestionEndpoint()
    {
        await using var collector = new FakeCollector();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={collector.Host}/",
        });

        var sent = await Eventually.UntilAsync(() => Task.FromResult(collector.Received("/v2.1/track")), b => b.Contains("Trigger runner delivering", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the app's logs at the ingestion endpoint");
        Assert.Contains("00000000-0000-0000-0000-000000000001", sent, StringComparison.Ordinal);
    }
}
