using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EduRelief.Auth;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.TestHost;

public sealed record StartInstanceRequest(string? Id, string? Definition, JsonObject? Data);

public sealed record RaiseRequest(string? EventId, string? Name, JsonObject? Payload);

/// <summary>
/// Routes only tests and benchmarks call, under <c>/api/dev</c> (admin only): every route the app answers, raw workflow
/// instances (start, raise, read, retry a dead letter), the test fan-out's runs, and the storage and meter counts.
/// </summary>
public static class TestRoutes
{
    public static void MapTestRoutes(this IEndpointRouteBuilder app)
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
            await foreach (var row in storage.Table(TestShardActivity.RunsTable).QueryAsync<TableEntity>(e => e.PartitionKey == id, select: ["RowKey"], cancellationToken: ct))
            {
                var shard = row.RowKey[..6];
                perShard[shard] = perShard.GetValueOrDefault(shard) + 1;
            }

            return TypedResults.Ok(new { runs = perShard.Values.Sum(), shards = perShard.Count });
        });

        group.MapGet("/metrics", (StorageAccount storage, MetricsSnapshot meters) =>
            TypedResults.Ok(new
            {
                storageRequests = new { total = storage.Counter.Total, table = storage.Counter.Table, queue = storage.Counter.Queue, blob = storage.Counter.Blob },
                meters = meters.Read(),
            }));
    }
}
