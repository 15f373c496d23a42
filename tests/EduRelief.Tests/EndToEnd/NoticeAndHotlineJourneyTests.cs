using EduRelief.Tests.Hotline;
using EduRelief.Tests.Infrastructure;
using EduRelief.Tests.Verification;
using Xunit;

namespace EduRelief.Tests.EndToEnd;

/// <summary>
/// The notice and hotline issue's journey on the dev clock, with DOMAIN's dates: approved on 2026-09-30, an objection
/// on 2026-10-08 holds one child, the notice still runs at 10-12 23:59, and at 10-13 00:00 China time the cycle moves to
/// disbursement with that child held.
/// </summary>
public sealed class NoticeAndHotlineJourneyTests
{
    [Fact]
    public async Task Notice_ObjectionDuringThePeriod_HoldsThePersonUntilDecidedAndTheCycleMovesOnAtTheEnd()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);

        // Two objections on 10-08: one about 张三 (城关镇第一小学), one about 李四 that the bureau dismisses.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-08T15:00:00+08:00" });
        var (created, objection) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "journey-objection-1", "objection", new { cycleId = id, schoolCode = "4107260001", studentName = "张三" }, "2026-10-08T14:55:00+08:00"));
        var (_, second) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "journey-objection-2", "objection", new { cycleId = id, schoolCode = "4107260002", studentName = "李四" }, "2026-10-08T14:58:00+08:00"));
        Assert.Equal(201, created);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)objection!["deadline"]);
        Assert.Equal("notice_end", (string?)objection["deadlineRule"]);

        // A third names a child who is not on 城关镇第一小学's list: it is a case to answer, but holds nobody.
        var (_, stranger) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "journey-objection-3", "objection", new { cycleId = id, schoolCode = "4107260001", studentName = "不存在" }, "2026-10-08T14:59:00+08:00"));
        var notice = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["notice"]!;
        Assert.Equal(3, (int)notice["objectionsOpen"]!);
        Assert.Equal(2, (int)notice["held"]!);
        var (_, strangerCase) = await admin.GetJsonAsync($"/api/hotline/cases/{(string)stranger!["caseNumber"]!}");
        Assert.False((bool)strangerCase!["hold"]!["onNotice"]!);
        var (_, heldCase) = await admin.GetJsonAsync($"/api/hotline/cases/{(string)objection["caseNumber"]!}");
        Assert.True((bool)heldCase!["hold"]!["onNotice"]!);
        Assert.Equal("open", (string?)heldCase["hold"]!["status"]);

        var dismissed = (string)second!["caseNumber"]!;
        await admin.PostAsync($"/api/hotline/cases/{dismissed}/assign", new { assignee = "school:4107260002" });
        var (decided, afterDecision) = await admin.PostAsync($"/api/hotline/cases/{dismissed}/objection/decision", new { decision = "dismissed", reason = "经核实该生符合资助条件" });
        Assert.Equal(200, decided);
        Assert.Equal("dismissed", (string?)afterDecision!["objection"]!["decision"]);
        // The same decision again (a client's retry) is answered as done and changes nothing.
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{dismissed}/objection/decision", new { decision = "dismissed", reason = "重复提交" })).Status);
        Assert.Equal(409, (await admin.PostAsync($"/api/hotline/cases/{dismissed}/objection/decision", new { decision = "upheld", reason = "改判" })).Status);
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{dismissed}/reply", new { reply = "经核实，该生家庭为脱贫户，符合资助条件。" })).Status);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-12T23:59:00+08:00" });
        var running = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Equal("notice", (string?)running["stage"]);
        Assert.Equal(2, (int)running["notice"]!["objectionsOpen"]!);
        Assert.Equal(1, (int)running["notice"]!["held"]!);
        Assert.Equal(3, (int)running["hotline"]!["cases"]!);
        Assert.Equal(0, (int)running["hotline"]!["overdue"]!);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var moved = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "disbursement", TimeSpan.FromSeconds(60), "the notice to end")).Body!;
        Assert.Equal(1, (int)moved["notice"]!["held"]!);
        Assert.StartsWith("2026-10-13T00:00", (string?)moved["notice"]!["takenDownAt"]);
        // The undecided objections are now overdue: their deadline was the end of the notice.
        Assert.Equal(2, (int)moved["hotline"]!["overdue"]!);
        Assert.Equal(2, (int)moved["hotline"]!["byStatus"]!["new"]!);
        Assert.Equal(1, (int)moved["hotline"]!["byStatus"]!["replied"]!);

        // Upheld after the period: 张三 stays off the payable list, and 城关镇第一小学 owns a rectification item.
        var upheld = (string)objection["caseNumber"]!;
        await admin.PostAsync($"/api/hotline/cases/{upheld}/assign", new { assignee = "school:4107260001" });
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{upheld}/objection/decision", new { decision = "upheld", reason = "该生已随父母迁往外省就读" })).Status);
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{upheld}/objection/decision", new { decision = "upheld", reason = "重复提交" })).Status);
        var afterUpheld = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Equal(0, (int)afterUpheld["notice"]!["held"]!);
        Assert.Equal(1, (int)afterUpheld["notice"]!["objectionsUpheld"]!);
        Assert.Equal(1, (int)afterUpheld["rectification"]!["items"]!);
        var (_, items) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=objection");
        var item = items!["items"]!.AsArray().Single()!;
        Assert.Equal("school:4107260001", (string?)item["owner"]);
        Assert.Contains(upheld, (string?)item["title"], StringComparison.Ordinal);
    }
}
