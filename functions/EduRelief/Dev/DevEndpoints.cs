using System.Text.Json.Nodes;
using System.Xml;
using Azure.Data.Tables;
using EduRelief.Auth;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Dev;

/// <summary><paramref name="SetTo"/>: an ISO 8601 time; without an offset, or a date only (00:00), it is China time.</summary>
public sealed record ClockRequest(string? SetTo, string? AdvanceBy);

public sealed record StartInstanceRequest(string? Id, string? Definition, JsonObject? Data);

public sealed record RaiseRequest(string? EventId, string? Name, JsonObject? Payload);

/// <summary>Routes that exist only in Development: the clock, and (for engine tests) raw workflow instances.</summary>
public static class DevEndpoints
{
    /// <summary>The clock: the system's, or in Development one that tests and people can set and advance.</summary>
    public static IServiceCollection AddDevClock(this IServiceCollection services, AppSettings settings)
    {
        if (settings.DevClock)
        {
            services.AddSingleton<DevClock>(_ => new DevClock(TimeProvider.System));
            return services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<DevClock>());
        }

        return services.AddSingleton(TimeProvider.System);
    }

    /// <summary>The engine tests' workflows and activities, and the pause before a close commits; only with test workflows on.</summary>
    public static IServiceCollection AddDevWorkflows(this IServiceCollection services, AppSettings settings)
    {
        if (!settings.TestWorkflows)
        {
            return services;
        }

        services.AddSingleton<WorkflowDefinition, FanOutTestWorkflow>();
        services.AddSingleton<WorkflowDefinition, TimerTestWorkflow>();
        for (var v = 1; v <= settings.TestVersionedMax; v++)
        {
            var version = v;
            services.AddSingleton<WorkflowDefinition>(_ => new VersionedTestWorkflow(version));
        }

        return services.AddSingleton<IActivity, TestShardActivity>().AddSingleton<IActivity, TestSumActivity>().AddSingleton<ClosePause>();
    }

    /// <summary>The Development routes the settings turn on: the clock, and the engine tests' raw workflows and close pause.</summary>
    public static void MapDev(this WebApplication app, AppSettings settings)
    {
        if (settings.DevClock)
        {
            app.MapDevClock();
        }

        if (settings.TestWorkflows)
        {
            app.MapDevWorkflows();
            ClosePause.Map(app);
            var pause = app.Services.GetRequiredService<ClosePause>();
            app.Services.GetRequiredService<Cycles.CycleCloser>().PauseBeforeCommit = pause.AtCommitAsync;
        }
    }

    public static void MapDevClock(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dev/clock").RequireAuthorization(Policies.Admin);
        group.MapGet("", (DevClock clock) => TypedResults.Ok(new { now = clock.GetUtcNow() }));
        group.MapPost("", async (HttpRequest http, DevClock clock, [Microsoft.AspNetCore.Mvc.FromServices] IEnumerable<ITriggerSignals> signals, IOptions<JsonOptions> json) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<ClockRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            DateTimeOffset now;
            if (body!.SetTo is { } text && body.AdvanceBy is null)
            {
                if (ParseChinaTime(text) is not { } target)
                {
                    return Problems.Invalid("setTo", new Text("setTo 为 ISO 8601 日期（按北京时间 00:00）或时间，例如 2026-10-09 或 2026-10-09T09:30:00+08:00。", "setTo is an ISO 8601 date (00:00 China time) or time, e.g. 2026-10-09 or 2026-10-09T09:30:00+08:00."));
                }

                now = clock.SetTo(target);
            }
            else if (body.AdvanceBy is { } duration && body.SetTo is null)
            {
                TimeSpan by;
                try
                {
                    by = XmlConvert.ToTimeSpan(duration);
                }
                catch (FormatException)
                {
                    return Problems.Invalid("advanceBy", new Text("advanceBy 为 ISO 8601 时长，例如 P5D（5 天）或 PT2H（2 小时）。", "advanceBy is an ISO 8601 duration such as P5D or PT2H."));
                }

                if (by < TimeSpan.Zero)
                {
                    return Problems.Invalid("advanceBy", new Text("时钟只能向前拨。", "The clock only moves forward."));
                }

                now = clock.Advance(by);
            }
            else
            {
                return Problems.Invalid("body", new Text("setTo（ISO 8601 时间）与 advanceBy（ISO 8601 时长）须且只能给出其一。", "Give exactly one of setTo (ISO 8601 time) or advanceBy (ISO 8601 duration)."));
            }

            foreach (var listener in signals)
            {
                listener.ClockChanged();
            }

            return TypedResults.Ok(new { now });
        });
    }

    /// <summary>An ISO 8601 time; one without an offset, or a date alone (its 00:00), is read as China time. Null when unreadable.</summary>
    public static DateTimeOffset? ParseChinaTime(string text)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, System.Globalization.DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), ChinaTime.Zone.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)));
        }

        if (!DateTime.TryParse(text, invariant, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed))
        {
            return null;
        }

        return parsed.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(parsed, ChinaTime.Zone.GetUtcOffset(parsed))
            : DateTimeOffset.Parse(text, invariant, System.Globalization.DateTimeStyles.RoundtripKind);
    }

    public static void MapDevWorkflows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dev").RequireAuthorization(Policies.Admin);

        // Every route the app answers, from the endpoint data source, so a test can walk them all (county scoping, the log scan).
        group.MapGet("/endpoints", (EndpointDataSource endpoints) => TypedResults.Ok(new
        {
            items = endpoints.Endpoints.OfType<RouteEndpoint>()
                .Select(e => new
                {
                    pattern = e.RoutePattern.RawText,
                    methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [],
                    anonymous = e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null
                        || e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is null,
                })
                .OrderBy(e => e.pattern, StringComparer.Ordinal),
        }));

        group.MapPost("/instances", async (HttpRequest http, WorkflowEngine engine, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<StartInstanceRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            var result = await engine.StartAsync(body!.Id ?? "", body.Definition ?? "", body.Data ?? [], "test", null, ct);
            return result.Created ? TypedResults.Created($"/api/dev/instances/{body.Id}", result.Instance) : TypedResults.Ok(result.Instance);
        });

        group.MapGet("/instances/{id}", async (string id, WorkflowEngine engine, StepProcessor steps, WorkflowTables tables, CancellationToken ct) =>
        {
            var instance = await engine.GetAsync(id, ct);
            if (instance is null)
            {
                return (IResult)Problems.NotFound(new Text($"流程实例 {id}", $"Instance {id}"));
            }

            var fanOuts = new List<object>();
            await foreach (var row in tables.Instances.QueryAsync<TableEntity>(e => e.PartitionKey == id && e.RowKey.CompareTo("f|") >= 0 && e.RowKey.CompareTo("f}") < 0, cancellationToken: ct))
            {
                fanOuts.Add(new { id = row.RowKey[2..], total = row.GetInt32("Total"), completed = row.GetInt32("Completed") });
            }

            var history = await engine.GetHistoryAsync(id, null, 1000, ct);
            return TypedResults.Ok(new { instance, fanOuts, deadLetters = await steps.GetDeadLettersAsync(id, ct), history = history.Items });
        });

        group.MapPost("/instances/{id}/events", async (string id, HttpRequest http, WorkflowEngine engine, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<RaiseRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            if (string.IsNullOrEmpty(body!.EventId) || string.IsNullOrEmpty(body.Name))
            {
                return Problems.Invalid("eventId", new Text("eventId 和 name 均为必填。", "eventId and name are required."));
            }

            var result = await engine.RaiseAsync(id, new WorkflowEvent(body.EventId, body.Name, body.Payload, "test"), ct);
            return TypedResults.Ok(new { outcome = result.Outcome.ToString().ToLowerInvariant(), instance = result.Instance, reason = result.Reason });
        });

        group.MapPost("/instances/{id}/dead-letters/{deadLetterId}/retry", async (string id, string deadLetterId, StepProcessor steps, CancellationToken ct) =>
            await steps.RetryDeadLetterAsync(id, deadLetterId, ct) ? (IResult)TypedResults.Accepted($"/api/dev/instances/{id}") : Problems.NotFound(new Text($"死信 {deadLetterId}", $"Dead letter {deadLetterId}")));

        group.MapGet("/test-runs/{id}", async (string id, StorageAccount storage, CancellationToken ct) =>
        {
            var perShard = new SortedDictionary<string, int>(StringComparer.Ordinal);
            await foreach (var row in storage.Table("testruns").QueryAsync<TableEntity>(e => e.PartitionKey == id, select: ["RowKey"], cancellationToken: ct))
            {
                var shard = row.RowKey[..6];
                perShard[shard] = perShard.GetValueOrDefault(shard) + 1;
            }

            return TypedResults.Ok(new { runs = perShard.Values.Sum(), shards = perShard.Count });
        });

        group.MapGet("/metrics", (StorageAccount storage, EduRelief.Observability.MetricsSnapshot meters) =>
            TypedResults.Ok(new
            {
                storageRequests = new { total = storage.Counter.Total, table = storage.Counter.Table, queue = storage.Counter.Queue, blob = storage.Counter.Blob },
                meters = meters.Read(),
            }));
    }
}
