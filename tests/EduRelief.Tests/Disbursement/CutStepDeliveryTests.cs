using System.Text.Json.Nodes;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// The payment step as the engine really runs it: two app instances share one storage account and both sweep the
/// notice's end, and the step that cuts the batches is delivered again and again. Every child is in exactly one batch.
/// </summary>
public sealed class CutStepDeliveryTests
{
    [Fact]
    public async Task NoticeEnd_TwoInstancesAndRepeatedStepDeliveries_CutOneBatchPerProgramWithEachChildOnce()
    {
        var prefix = Repo.NewPrefix();
        await using var a = await AppProcess.StartAsync(prefix);
        var id = await SampleCycle.ToReviewAsync(a.Admin);
        await a.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await a.Admin.PostAsync($"/api/cycles/{id}/approve")).Status);

        // A second instance on the same storage; its clock is today's, long past the notice's end, so it and the
        // first (moved to 10-13) race to end the notice and run the payment step.
        await using var b = await AppProcess.StartAsync(prefix);
        await a.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var paying = (await Eventually.UntilAsync(
            () => a.Admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["disbursement"]?["batches"] is JsonArray, TimeSpan.FromSeconds(60), "the payment step")).Body!;
        var firstCut = paying["disbursement"]!["batches"]!.AsArray().Select(x => (string)x!["id"]!).Order().ToList();
        Assert.NotEmpty(firstCut);

        // The same step delivered three more times, as a queue may after a lost lease or a crash before the delete.
        var (_, history) = await a.Admin.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000");
        var ended = history!["items"]!.AsArray().Single(h => (string?)h!["event"] == "notice.ended")!;
        var step = new StepMessage
        {
            Type = StepMessage.Activity,
            InstanceId = id,
            StepId = $"{(string)ended["id"]!}.payments",
            Name = "payments",
            Kind = "disbursement.cut",
            Input = new JsonObject { ["runId"] = (string)paying["verification"]!["runId"]! },
        };
        var storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, prefix, new RequestCounter());
        var queue = storage.Queues.GetQueueClient(storage.QueueName("steps"));
        for (var i = 0; i < 3; i++)
        {
            await queue.SendMessageAsync(step.ToJson());
        }

        await Eventually.UntilAsync(
            async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, TimeSpan.FromSeconds(60), "the repeated deliveries to be consumed");
        var after = (await b.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        var (_, batches) = await b.Admin.GetJsonAsync($"/api/cycles/{id}/batches");

        // One batch per program, the ones first cut; the step's completion applied once.
        var cut = batches!["items"]!.AsArray().Select(x => (string)x!["id"]!).Order().ToList();
        Assert.Equal(firstCut, cut);
        Assert.Equal(cut.Count, batches["items"]!.AsArray().Select(x => (string)x!["program"]!).Distinct().Count());
        var (_, allHistory) = await a.Admin.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000");
        Assert.Single(allHistory!["items"]!.AsArray(), h => (string?)h!["event"] == "payments.completed");

        // Each child and program in exactly one batch, and every owed row in one: nothing left pending outside them.
        var members = new List<string>();
        foreach (var batchId in cut)
        {
            var (_, items) = await a.Admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}/items?pageSize=1000");
            members.AddRange(items!["items"]!.AsArray().Select(i => $"{(string)i!["program"]!}|{(string)i["schoolCode"]!}|{(string)i["name"]!}"));
        }

        Assert.Equal(members.Count, members.Distinct().Count());
        foreach (var program in after["disbursement"]!["programs"]!.AsArray())
        {
            var inBatches = members.Count(m => m.StartsWith((string)program!["program"]! + "|", StringComparison.Ordinal));
            Assert.Equal((int)program!["owed"]!["count"]!, inBatches + (int)program["held"]!["count"]!);
            Assert.Equal(0, (int)program["paid"]!["count"]!);
        }

        Assert.Empty(after["deadLetters"]!.AsArray());
    }
}
