using EduRelief.Hosting;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Cycles;

/// <summary>Why a cycle takes nothing new: it is closed or cancelled (<paramref name="Stage"/>).</summary>
public sealed record GateRefusal(string CycleId, string Stage)
{
    /// <summary>For a person reading the hotline's answer.</summary>
    public string ChineseDetail => Stage == Stages.Closed ? $"资助周期 {CycleId} 已结束（closed），不再受理新的事项。" : $"资助周期 {CycleId} 已撤销（cancelled），不再受理新的事项。";

    /// <summary>The 409 problem naming the stage, for a request that would add <paramref name="what"/>.</summary>
    public ProblemHttpResult Problem(string what) => CycleGate.StageProblem(CycleId, Stage, new Text($"“{Stages.Chinese(Stage)}”的周期不再接受新的{what}", $"a {Stage} cycle takes no new {what}"));
}

/// <summary>
/// The door through which anything new joins a cycle (an inspection's items, an objection's hold, a case about it). A
/// closed or cancelled cycle refuses it. Against a close in progress the newcomer first writes itself, then
/// <see cref="ConfirmAsync"/> reads the cycle: before the closer's fence it is seen by the closer's last check; meeting
/// the fence it settles that close itself (<see cref="CycleCloser.SettleAsync"/>: the check now sees it, so the fence
/// comes down and the close cannot commit); after the close it is refused and the caller takes back what it wrote.
/// </summary>
public sealed class CycleGate(WorkflowEngine engine, CycleCloser closer)
{
    /// <summary>Before writing: a refusal when the cycle is closed or cancelled (null when it is open or unknown).</summary>
    public async Task<GateRefusal?> RefuseIfEndedAsync(string cycleId, CancellationToken cancellationToken) =>
        await engine.GetAsync(cycleId, cancellationToken) is { Stage: Stages.Closed or Stages.Cancelled } ended ? new GateRefusal(cycleId, ended.Stage) : null;

    /// <summary>
    /// After writing: null when what was written stands; a refusal when the cycle closed or was cancelled meanwhile, and
    /// the caller must take back what it wrote.
    /// </summary>
    public async Task<GateRefusal?> ConfirmAsync(string cycleId, string actor, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(cycleId, cancellationToken);
        if (instance is not null && CycleState.Of(instance).Closing?.Id is { } fence && instance.Stage == Stages.Rectification)
        {
            await closer.SettleAsync(cycleId, fence, actor, pause: false, cancellationToken);
            instance = await engine.GetAsync(cycleId, cancellationToken);
        }

        return instance is { Stage: Stages.Closed or Stages.Cancelled } ? new GateRefusal(cycleId, instance.Stage) : null;
    }

    /// <summary>A 409 problem whose <c>errors.stage</c> names the stage that refuses the request.</summary>
    public static ProblemHttpResult StageProblem(string cycleId, string stage, Text why) =>
        Problems.Conflict(
            new Text($"资助周期 {cycleId} 处于“{Stages.Chinese(stage)}”阶段：{why.Zh}。", $"Cycle {cycleId} is in stage {stage}: {why.En}."),
            new Dictionary<string, Text[]> { ["stage"] = [new Text($"{Stages.Chinese(stage)}：{why.Zh}", $"{stage}: {why.En}")] });
}
