using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EduRelief.Observability;

/// <summary>
/// Logs as one JSON object per line with their scopes (the request's correlation id, the cycle, the step), the
/// <c>EduRelief</c> meter, and OpenTelemetry export when an OTLP endpoint or Application Insights is configured.
/// </summary>
public static class ObservabilitySetup
{
    public const string ServiceName = "edurelief";

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder, bool devMetrics)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            // Chinese stays readable; the formatter still escapes quotes and control characters.
            o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        builder.Services.AddSingleton<AppMetrics>();
        builder.Services.AddSingleton<BacklogGauges>();
        if (devMetrics)
        {
            builder.Services.AddSingleton<MetricsSnapshot>();
        }

        var otlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connection ? connection : null;
        if (otlp || appInsights is not null)
        {
            var otel = builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(ServiceName))
                .WithMetrics(m => m.AddMeter(AppMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Net.Http"))
                .WithTracing(t => t.AddSource("Microsoft.AspNetCore"))
                .WithLogging(_ => { }, o => o.IncludeScopes = true);
            if (otlp)
            {
                otel.UseOtlpExporter();
            }

            if (appInsights is not null)
            {
                otel.WithMetrics(m => m.AddAzureMonitorMetricExporter(o => o.ConnectionString = appInsights))
                    .WithTracing(t => t.AddAzureMonitorTraceExporter(o => o.ConnectionString = appInsights))
                    .WithLogging(l => l.AddAzureMonitorLogExporter(o => o.ConnectionString = appInsights));
            }
        }

        return builder;
    }

    /// <summary>
    /// Opens the request's logging scope (outermost, so the exception handler's lines carry it too), answers the
    /// correlation id in <c>X-Correlation-Id</c>, and logs one line per API and notice request: method, path, status
    /// and duration (never the query string or the body). Also starts the gauges' instruments.
    /// </summary>
    public static WebApplication UseRequestLogScope(this WebApplication app)
    {
        app.Services.GetRequiredService<BacklogGauges>();
        app.Services.GetService<MetricsSnapshot>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EduRelief.Requests");
        app.Use(async (context, next) =>
        {
            var log = LogContext.ForRequest(context.Request, Activity.Current);
            log.MakeCurrent();
            context.Response.Headers[LogContext.CorrelationHeader] = log.CorrelationId;
            using var scope = logger.BeginScope(log);
            var started = Stopwatch.GetTimestamp();
            await next(context);
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api") || path.StartsWithSegments("/notices"))
            {
                logger.Log(
                    path.StartsWithSegments("/api/health") ? LogLevel.Debug : LogLevel.Information,
                    "{Method} {Path} answered {StatusCode} in {ElapsedMs} ms",
                    context.Request.Method,
                    path.Value,
                    context.Response.StatusCode,
                    (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }
}
