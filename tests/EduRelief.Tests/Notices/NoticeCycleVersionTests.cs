using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>
/// Version 2 of the aid cycle adds the notice documents; a cycle that started on version 1 keeps approving as before.
/// Over HTTP every new cycle starts on the latest version, so version 1's behaviour is shown on its transition table.
/// </summary>
public sealed class NoticeCycleVersionTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));

    internal static (List<Effect> Effects, JsonObject Data) Approve(WorkflowDefinition definition)
    {
        var data = new JsonObject
        {
            ["verification"] = new JsonObject { ["status"] = "completed", ["runId"] = "r7", ["pendingReview"] = 0, ["schools"] = new JsonArray("4107260001", "4107260002") },
        };
        var approve = new WorkflowEvent("approve", CycleEvents.Approve, new JsonObject { ["endsAt"] = "2026-10-12T23:59:59+08:00", ["workingDays"] = 5, ["calendarMissing"] = false }, "admin");
        var context = new TransitionContext("410726-2026-autumn", Stages.Review, 9, data, approve, Now);
        var transition = definition.Find(Stages.Review, CycleEvents.Approve)!;
        Assert.Null(transition.Guard?.Invoke(context));
        return (transition.Effects!(context).ToList(), data);
    }

    [Fact]
    public void Approve_OnVersion1_StartsTheTimerWithoutFanOut()
    {
        var (effects, data) = Approve(new AidCycleDefinitionV1());

        var timer = Assert.IsType<StartTimer>(Assert.Single(effects));
        Assert.Equal(CycleEvents.NoticeEnded, timer.Event);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)data["notice"]!["endsAt"]);
        Assert.Null(new AidCycleDefinitionV1().Find(Stages.Notice, CycleEvents.DocumentsRendered));
    }

    [Fact]
    public void Approve_OnVersion2_AlsoFansOutEverySchoolOfTheRun()
    {
        var (effects, data) = Approve(new AidCycleDefinitionV2());

        Assert.Contains(effects, e => e is StartTimer { Event: CycleEvents.NoticeEnded });
        var fanOut = Assert.Single(effects.OfType<FanOut>());
        Assert.Equal((NoticeSteps.Documents, NoticeSteps.RenderKind), (fanOut.Name, fanOut.Kind));
        Assert.Equal(["4107260001", "4107260002"], fanOut.Shards.SelectMany(NoticeSteps.SchoolsOf));
        Assert.Equal("r7", (string?)fanOut.Input!["runId"]);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)data["notice"]!["endsAt"]);
        Assert.Null(new AidCycleDefinitionV2().Find(Stages.Notice, CycleEvents.DocumentsRendered)!.To); // stays in notice
    }

    [Fact]
    public void Registry_BothVersions_NewCyclesStartOnVersion2AndVersion1StaysResolvable()
    {
        var registry = new WorkflowRegistry([new AidCycleDefinitionV1(), new AidCycleDefinitionV2()]);

        Assert.Equal(2, registry.Latest(AidCycleDefinition.WorkflowName)!.Version);
        Assert.IsType<AidCycleDefinitionV1>(registry.Get(AidCycleDefinition.WorkflowName, 1));
    }
}
