using System.Text.Json.Nodes;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// What a request tells its cycle once it has changed something the cycle waits for; the cycle's own rows decide what
/// follows (<see cref="AidCycleDefinition"/>, "Settling"). Each event's id names the change, so a repeated request (a
/// client's retry after a crash) raises it at most once. In a stage that takes no such event nothing happens, as
/// nothing would have: no money moves and nothing closes there.
/// </summary>
public sealed class CycleSignals(WorkflowEngine engine)
{
    /// <summary>A bank result was applied in the request, or sent again after it was applied.</summary>
    public Task<EventResult> ResultAppliedAsync(string cycleId, string batchId, string? resultHash, string actor, CancellationToken cancellationToken) =>
        engine.RaiseAsync(cycleId, new WorkflowEvent($"applied|{batchId}|{resultHash}", CycleEvents.ResultApplied, new JsonObject { ["batchId"] = batchId }, actor), cancellationToken);

    /// <summary>An objection about a child of the cycle was decided (<paramref name="decidedAt"/> tells one decision from a later change).</summary>
    public Task<EventResult> ObjectionDecidedAsync(string cycleId, string caseNumber, string decision, DateTimeOffset decidedAt, string actor, CancellationToken cancellationToken) =>
        engine.RaiseAsync(
            cycleId,
            new WorkflowEvent(
                $"objection|{caseNumber}|{decision}|{decidedAt.ToUnixTimeMilliseconds()}", CycleEvents.ObjectionDecided,
                new JsonObject { ["caseNumber"] = caseNumber, ["decision"] = decision }, actor),
            cancellationToken);

    /// <summary>
    /// Something that kept the cycle open is done (<paramref name="change"/> names it once for ever, e.g.
    /// <c>accepted|{itemId}</c>); <paramref name="reason"/> is what the cycle's history says.
    /// </summary>
    public Task<EventResult> CloseRequestedAsync(string cycleId, string change, string reason, string actor, CancellationToken cancellationToken) =>
        engine.RaiseAsync(cycleId, new WorkflowEvent($"close|{change}", CycleEvents.CloseRequested, null, actor, reason), cancellationToken);
}
