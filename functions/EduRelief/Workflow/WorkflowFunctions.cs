using System.Text.Json;
using EduRelief.Hosting;
using EduRelief.Observability;

namespace EduRelief.Workflow;

/// <summary>The engine's queue and timer functions, as the custom handler serves them: POST /{FunctionName}.</summary>
public static class WorkflowFunctions
{
    /// <summary>The engine: its tables, the step queue, the processor, the fan-in committer and the sweeper.</summary>
    public static IServiceCollection AddWorkflowEngine(this IServiceCollection services) => services
        .AddSingleton<WorkflowTables>()
        .AddSingleton<StepQueue>()
        .AddSingleton<WorkflowEngine>()
        .AddSingleton(sp => new Lazy<WorkflowEngine>(sp.GetRequiredService<WorkflowEngine>))
        .AddSingleton<FanInCommitter>()
        .AddSingleton<StepProcessor>()
        .AddSingleton<StepRuns>()
        .AddSingleton<WorkflowSweeper>()
        .AddSingleton<WorkflowRegistry>();

    public static void MapWorkflowFunctions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<InvocationGuard>().Allows(context.HttpContext.Request)
                ? await next(context)
                : TypedResults.NotFound());

        group.MapPost("/WorkflowSteps", async (InvocationRequest request, StepProcessor processor, CancellationToken ct) =>
        {
            var text = request.Text("message");
            StepMessage message;
            try
            {
                message = StepMessage.Parse(text ?? "");
            }
            catch (JsonException)
            {
                // Nothing can run it; fail so the queue poisons it and WorkflowPoison records it.
                return Results.BadRequest(InvocationResponse.Done("unreadable step message"));
            }

            Describe(message, request.DequeueCount);
            await processor.HandleAsync(message, ct);
            return Results.Ok(InvocationResponse.Done());
        });

        group.MapPost("/WorkflowPoison", async (InvocationRequest request, StepProcessor processor, CancellationToken ct) =>
        {
            var text = request.Text("message") ?? "";
            StepMessage message;
            try
            {
                message = StepMessage.Parse(text);
            }
            catch (JsonException)
            {
                message = new StepMessage { Type = "unreadable", InstanceId = "_unreadable", StepId = Guid.NewGuid().ToString("N") };
            }

            Describe(message, request.DequeueCount);
            await processor.DeadLetterAsync(message, "The step queue gave up on this message after its handler failed on every delivery (maxDequeueCount); see the app's logs for that step.", ct);
            return Results.Ok(InvocationResponse.Done());
        });

        group.MapPost("/WorkflowSweep", async (WorkflowSweeper sweeper, EduRelief.Mail.MailOutbox mail, CancellationToken ct) =>
        {
            var result = await sweeper.SweepAsync(ct);
            var mailed = await mail.SendDueAsync(ct);
            // Every 5 seconds: a line only when the sweep did something, so an idle app stays quiet.
            return Results.Ok(result.TimersFired + result.OutboxResent + mailed == 0
                ? InvocationResponse.Done()
                : InvocationResponse.Done($"timers fired {result.TimersFired}, outbox rows re-sent {result.OutboxResent}, mail sent {mailed}"));
        });
    }

    /// <summary>Adds the step to the invocation's logging scope: the instance (a cycle's is the cycle id), step, kind and delivery.</summary>
    private static void Describe(StepMessage message, int dequeueCount)
    {
        if (LogContext.Current is { } log)
        {
            log.InstanceId = message.InstanceId;
            log.CycleId = message.InstanceId;
            log.StepId = message.Type == StepMessage.Shard ? message.DeadLetterKey : message.StepId ?? message.EventId;
            log.StepKind = message.Kind ?? message.EventName;
            log.DequeueCount = dequeueCount;
            if (LogContext.Clean(message.CorrelationId) is { } correlationId)
            {
                log.CorrelationId = correlationId;
            }
        }
    }
}
