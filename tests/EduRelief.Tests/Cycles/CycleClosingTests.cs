using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using EduRelief.Tests.Rectification;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>Cycles put where closing is decided, on the rectification tests' app.</summary>
public static class ClosingCycles
{
    /// <summary>
    /// A fresh cycle of county 410726 in <c>rectification</c> with nothing left to do: its findings opened (none), no
    /// batch, item, case or objection. Put there in storage, as the engine would have left it after the last reconciliation.
    /// </summary>
    public static async Task<string> CycleReadyToCloseAsync(this RectificationFixture fixture)
    {
        var id = await fixture.NewCycleAsync();
        var table = fixture.Storage.Table("workflow");
        var state = (await table.GetEntityAsync<TableEntity>(id, "state")).Value;
        var data = JsonNode.Parse(state.GetString("Data")!)!.AsObject();
        data["findings"] = new JsonObject { ["items"] = 0, ["openedAt"] = "2026-10-01T09:00:00+08:00" };
        state["Data"] = data.ToJsonString();
        state["Stage"] = "rectification";
        await table.UpdateEntityAsync(state, state.ETag, TableUpdateMode.Replace);
        return id;
    }

    public static async Task<string> StageAsync(this RectificationFixture fixture, string id) =>
        (string)(await fixture.App.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["stage"]!;
}

public sealed class CycleClosingTests(RectificationFixture fixture) : IClassFixture<RectificationFixture>
{
    private AppProcess App => fixture.App;

    private static object Inspection(string inspectionId) => new
    {
        inspectionId,
        team = "县教育局督导室第一组",
        inspectedAt = "2026-10-09T09:00:00+08:00",
        findings = new[] { new { title = "资助政策公示未在校内张贴", description = "督导组现场检查发现", owner = "school:4107260001" } },
    };

    private static object Objection(string externalId, string cycleId) =>
        HotlineWebhook.Case(externalId, "objection", new { cycleId, schoolCode = "4107260001", studentName = "王小明" });

    private async Task<JsonArray> ItemsAsync(string id) => (await App.Admin.GetJsonAsync($"/api/cycles/{id}/rectification")).Body!["items"]!.AsArray();

    private async Task<(int Status, JsonNode? Body)> HoldAsync(string caseNumber) => await App.Admin.GetJsonAsync($"/api/hotline/cases/{caseNumber}");

    /// <summary>Holds the close between its fenced check and its commit, runs <paramref name="meanwhile"/>, then lets the close go on.</summary>
    private async Task<(int Status, JsonNode? Body)> CloseWithAsync(string id, Func<Task> meanwhile)
    {
        Assert.Equal(204, (await App.Admin.PostAsync($"/api/dev/close-pause/{id}")).Status);
        var close = App.Admin.PostAsync($"/api/cycles/{id}/close");
        await Eventually.UntilAsync(() => App.Admin.GetJsonAsync($"/api/dev/close-pause/{id}"), r => (bool?)r.Body?["waiting"] == true, TimeSpan.FromSeconds(30), "the close to reach its commit");
        await meanwhile();
        Assert.True((bool)(await App.Admin.PostAsync($"/api/dev/close-pause/{id}/release")).Body!["released"]!);
        return await close;
    }

    [Fact]
    public async Task Close_InspectionArrivesBetweenCheckAndCommit_CloseIsRefusedAndTheItemStands()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        (int Status, JsonNode? Body) inspection = default;

        var (status, problem) = await CloseWithAsync(id, async () => inspection = await App.Admin.PostAsync($"/api/cycles/{id}/inspections", Inspection("race-1")));

        Assert.Equal(201, inspection.Status);
        Assert.Equal(409, status);
        Assert.Contains("1 of 1 rectification items", (string?)problem!["errors"]!["items"]![0], StringComparison.Ordinal);
        Assert.Equal("rectification", await fixture.StageAsync(id));
        Assert.Equal("open", (string?)Assert.Single(await ItemsAsync(id))!["status"]);
    }

    [Fact]
    public async Task Close_ObjectionArrivesBetweenCheckAndCommit_CloseIsRefusedAndThePersonIsHeld()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        (int Status, JsonNode? Body) objection = default;

        var (status, problem) = await CloseWithAsync(id, async () => objection = await HotlineWebhook.PostAsync(App, Objection("race-obj-1", id)));

        Assert.Equal(201, objection.Status);
        Assert.Equal("open", (string?)objection.Body!["hold"]!["status"]);
        Assert.Null(objection.Body["noHoldReason"]);
        Assert.Equal(409, status);
        var errors = problem!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("objections") && errors.ContainsKey("cases"), errors.ToJsonString());
        Assert.Equal("rectification", await fixture.StageAsync(id));
    }

    [Fact]
    public async Task Close_RacingNewInspectionsAndObjections_NeverLeavesAClosedCycleWithAnythingOpen()
    {
        for (var round = 0; round < 6; round++)
        {
            var id = await fixture.CycleReadyToCloseAsync();
            var closing = App.Admin.PostAsync($"/api/cycles/{id}/close");
            var inspecting = App.Admin.PostAsync($"/api/cycles/{id}/inspections", Inspection($"race-many-{round}"));
            var objecting = HotlineWebhook.PostAsync(App, Objection($"race-many-obj-{round}", id));
            var (close, inspection, objection) = (await closing, await inspecting, await objecting);

            var stage = await fixture.StageAsync(id);
            var (_, blockers) = await App.Admin.GetJsonAsync($"/api/cycles/{id}/closing");
            if (stage == "closed")
            {
                // Whatever arrived was refused or taken back: no item, no hold.
                Assert.Equal(200, close.Status);
                Assert.Empty(await ItemsAsync(id));
                Assert.Equal(409, inspection.Status);
                Assert.Equal(["stage"], inspection.Body!["errors"]!.AsObject().Select(e => e.Key).ToArray());
                Assert.Equal(201, objection.Status);
                Assert.Null(objection.Body!["hold"]);
                Assert.Contains("已结束", (string?)objection.Body["noHoldReason"], StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("rectification", stage);
                Assert.Equal(409, close.Status);
                Assert.False((bool)blockers!["canClose"]!);
                Assert.Equal(201, inspection.Status);
                Assert.Single(await ItemsAsync(id));
            }
        }
    }

    [Fact]
    public async Task ClosedCycle_RefusesInspectionsRostersAndBatches_NamingTheStage_AndRecordsAnObjectionWithoutAHold()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        Assert.Equal(200, (await App.Admin.PostAsync($"/api/cycles/{id}/close")).Status);
        Assert.Equal("closed", await fixture.StageAsync(id));

        var (inspected, problem) = await App.Admin.PostAsync($"/api/cycles/{id}/inspections", Inspection("late-1"));
        Assert.Equal(409, inspected);
        Assert.StartsWith("closed", (string?)problem!["errors"]!["stage"]![0], StringComparison.Ordinal);
        Assert.Empty(await ItemsAsync(id));

        var (uploaded, rosterProblem) = await App.Admin.PutFileAsync($"/api/cycles/{id}/rosters/students", "姓名,身份证号\n"u8.ToArray(), "text/csv");
        Assert.Equal(409, uploaded);
        Assert.StartsWith("closed", (string?)rosterProblem!["errors"]!["stage"]![0], StringComparison.Ordinal);

        var (cut, batchProblem) = await App.Admin.PostAsync($"/api/cycles/{id}/batches", new { program = "living_subsidy", kind = "backpay", reason = "补发", requestId = "late-batch" });
        Assert.Equal(409, cut);
        Assert.StartsWith("closed", (string?)batchProblem!["errors"]!["stage"]![0], StringComparison.Ordinal);

        var (objected, objection) = await HotlineWebhook.PostAsync(App, Objection("late-obj-1", id));
        Assert.Equal(201, objected);
        Assert.Null(objection!["hold"]);
        Assert.Contains("不暂停任何人的发放", (string?)objection["noHoldReason"], StringComparison.Ordinal);
        var (_, detail) = await HoldAsync((string)objection["caseNumber"]!);
        Assert.Null(detail!["hold"]);
    }

    [Fact]
    public async Task CancelledCycle_RefusesInspectionsNamingTheStage()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        Assert.Equal(200, (await App.Admin.PostAsync($"/api/cycles/{id}/cancel", new { reason = "测试撤销" })).Status);

        var (status, problem) = await App.Admin.PostAsync($"/api/cycles/{id}/inspections", Inspection("cancelled-1"));

        Assert.Equal(409, status);
        Assert.StartsWith("cancelled", (string?)problem!["errors"]!["stage"]![0], StringComparison.Ordinal);
    }

    /// <summary>
    /// Between a bank result's reconcile step and its follow-up step the batch is reconciled and its exceptions stored,
    /// but they are not items yet: a close then would leave them outside a closed cycle, so they block as themselves.
    /// </summary>
    [Fact]
    public async Task Close_ABankResultsExceptionNotYetAnItem_Is409NamingTheExceptions()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        var batch = $"{id}|living_subsidy-001";
        await fixture.Storage.Table("batches").AddEntityAsync(new TableEntity(batch, "head")
        {
            ["CycleId"] = id, ["Program"] = "living_subsidy", ["Kind"] = "regular", ["Status"] = "reconciled", ["Count"] = 0, ["TotalFen"] = 0L,
            ["CreatedBy"] = "admin", ["CreatedAt"] = DateTimeOffset.UtcNow,
        });
        await fixture.Storage.Table("reconciliation").AddEntityAsync(new TableEntity(batch, "notInBatch|7") { ["Kind"] = "notInBatch", ["FileRow"] = 7, ["MaskedId"] = "410726********1234" });

        var (status, problem) = await App.Admin.PostAsync($"/api/cycles/{id}/close");
        var (_, closing) = await App.Admin.GetJsonAsync($"/api/cycles/{id}/closing");

        Assert.Equal(409, status);
        Assert.Equal("1 reconciliation exceptions are not yet opened as rectification items (the reconciliation's follow-up step has not run yet).", (string?)problem!["errors"]!["exceptions"]![0]);
        var blocker = Assert.Single(closing!["blockers"]!.AsArray());
        Assert.Equal(("exceptions", 1), ((string?)blocker!["kind"], (int)blocker["count"]!));
        Assert.Equal("rectification", await fixture.StageAsync(id));
    }

    [Fact]
    public async Task Close_WithAnOpenHotlineCase_Is409NamingTheCases_AndClosingSaysSo()
    {
        var id = await fixture.CycleReadyToCloseAsync();
        var (created, complaint) = await HotlineWebhook.PostAsync(App, HotlineWebhook.Case("open-case-1", "complaint", new { cycleId = id }));
        Assert.Equal(201, created);

        var (status, problem) = await App.Admin.PostAsync($"/api/cycles/{id}/close");
        var (_, closing) = await App.Admin.GetJsonAsync($"/api/cycles/{id}/closing");

        Assert.Equal(409, status);
        Assert.Contains("1 hotline cases", (string?)problem!["errors"]!["cases"]![0], StringComparison.Ordinal);
        Assert.False((bool)closing!["canClose"]!);
        var blocker = Assert.Single(closing["blockers"]!.AsArray());
        Assert.Equal("cases", (string?)blocker!["kind"]);
        Assert.Equal(1, (int)blocker["count"]!);
        Assert.Equal("本周期还有 1 件热线工单尚未办结。", (string?)blocker["detail"]);
        Assert.Equal("1 hotline cases of the cycle are not closed yet.", (string?)blocker["detailEn"]);
        Assert.Equal("rectification", await fixture.StageAsync(id));
        Assert.NotNull(complaint);

        // Without Accept-Language: en, the 409 names what blocks in Chinese.
        using var inChinese = new HttpRequestMessage(HttpMethod.Post, $"/api/cycles/{id}/close");
        inChinese.Headers.Add("Accept-Language", "zh-CN");
        using var answer = await App.Admin.SendAsync(inChinese);
        var chinese = System.Text.Json.Nodes.JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        Assert.Equal(409, (int)answer.StatusCode);
        Assert.Equal("本周期还有 1 件热线工单尚未办结。", (string?)chinese["errors"]!["cases"]![0]);
    }
}
