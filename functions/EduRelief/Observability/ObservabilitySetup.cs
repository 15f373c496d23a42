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

    /// <summary>
    /// Log levels that apply unless configuration says otherwise: the app at Information, the framework at Warning.
    /// ASP.NET Core's hosting logger writes each request's full URL (query string included) at Information and puts the
    /// raw path in a scope on every line; HttpClient's handlers write every URL they call. Names and ID numbers travel in
    /// both, so the hosting logger is off (which also drops its <c>RequestPath</c> scope) and the request line of
    /// <see cref="UseRequestLogScope"/> names the route template instead.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultLogLevels = new Dictionary<string, string>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        ["Logging:LogLevel:System.Net.Http"] = "Warning",
        ["Logging:LogLevel:Azure"] = "Warning",
    };

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(
            DefaultLogLevels.Where(d => string.IsNullOrEmpty(builder.Configuration[d.Key])).Select(d => new KeyValuePair<string, string?>(d.Key, d.Value)));
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

        var otlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connection ? connection : null;
        if (otlp || appInsights is not null)
        {
            var otel = builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(ServiceName))
                .WithMetrics(m => m.AddMeter(AppMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Net.Http"))
                .WithTracing(t => t.AddSource("Microsoft.AspNetCore").AddProcessor(new RedactingSpanProcessor()))
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
    /// correlation id in <c>X-Correlation-Id</c>, and logs one line per API and notice request: method, route template
    /// (<c>/api/cycles/{id}/rectification/{itemId}/evidence</c>), status and duration; never the raw path, the query
    /// string or the body. Also starts the gauges' instruments.
    /// </summary>
    public static WebApplication UseRequestLogScope(this WebApplication app)
    {
        app.Services.GetRequiredService<BacklogGauges>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EduRelief.Requests");
        app.Use(async (context, next) =>
        {
            var log = LogContext.ForRequest(context.Request, Activity.Current);
            // Routing runs before this middleware (WebApplication adds it first), so the endpoint is known here.
            log.Route = RouteOf(context);
            log.MakeCurrent();
            var span = Activity.Current;
            if (span is not null)
            {
                // The request span (exported when OpenTelemetry is on) is named by the template, as the log line is.
                span.DisplayName = $"{context.Request.Method} {log.Route}";
                span.SetTag("http.request.method", context.Request.Method);
                span.SetTag("http.route", log.Route);
            }

            context.Response.Headers[LogContext.CorrelationHeader] = log.CorrelationId;
            using var scope = logger.BeginScope(log);
            var started = Stopwatch.GetTimestamp();
            await next(context);
            span?.SetTag("http.response.status_code", context.Response.StatusCode);
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api") || path.StartsWithSegments("/notices") || path.StartsWithSegments("/policy"))
            {
                logger.Log(
                    path.StartsWithSegments("/api/health") ? LogLevel.Debug : LogLevel.Information,
                    "{Method} {Route} answered {StatusCode} in {ElapsedMs} ms",
                    context.Request.Method,
                    log.Route = RouteOf(context),
                    context.Response.StatusCode,
                    (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }

    /// <summary>The matched endpoint's route template, or <c>(unmatched)</c>: never a value from the request's path.</summary>
    public static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? "/" + template.Trim('/') : Unmatched;

    public const string Unmatched = "(unmatched)";
}

/// <summary>
/// Request spans keep the route template only: <c>url.path</c>, <c>http.target</c> and the span's name become the
/// template, and the query string and full URL are dropped, so no name, phone or ID number a path or query carried
/// reaches a collector or Application Insights.
/// </summary>
public sealed class RedactingSpanProcessor : BaseProcessor<Activity>
{
    private static readonly string[] Dropped = ["url.query", "url.full", "http.url"];

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var path = data.GetTagItem("http.route") as string ?? ObservabilitySetup.Unmatched;
        foreach (var tag in Dropped)
        {
            data.SetTag(tag, null);
        }

        if (data.GetTagItem("url.path") is not null)
        {
            data.SetTag("url.path", path);
        }

        if (data.GetTagItem("http.target") is not null)
        {
            data.SetTag("http.target", path);
        }

        if (data.Kind == ActivityKind.Server && data.GetTagItem("http.request.method") is string method)
        {
            data.DisplayName = $"{method} {path}";
        }
    }
}
