using System.Text.RegularExpressions;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// The notice and hotline issue's journey on the dev clock, with DOMAIN's dates: approved on 2026-09-30, an objection
/// on 2026-10-08 holds one child, the notice still runs at 10-12 23:59, and at 10-13 00:00 China time the cycle moves to
/// disbursement with that child held. The 09:00 reminder run (the real timer, fired by the local runner as the dev clock
/// passes 09:00 China time) mails the school its due objection and escalates the overdue ones to the bureau, through a
/// fake SendGrid, with no personal data beyond the student's name.
/// </summary>
public sealed class NoticeAndHotlineJourneyTests
{
    [Fact]
    public async Task Notice_ObjectionDuringThePeriod_HoldsThePersonUntilDecidedAndTheCycleMovesOnAtTheEnd()
    {
        await using var sendGrid = new FakeSendGrid();
        await using var app = await AppProcess.StartAsync(environment: sendGrid.Environment);
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "the notice documents");
        using var publicClient = app.CreateClient(null);
        var page = await publicClient.GetAsync($"/notices/{id}/4107260001");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains("张三", html, StringComparison.Ordinal);
        Assert.Contains("0373-7201234", html, StringComparison.Ordinal);

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

        // The school's objection is assigned to it; the stranger's stays with the bureau.
        await admin.PostAsync($"/api/hotline/cases/{(string)objection["caseNumber"]!}/assign", new { assignee = "school:4107260001" });

        // Saturday 10-10 is a make-up working day: at 09:00 both open objections are due before the end of the next
        // working day (Monday 10-12), so the school and the bureau (for the unassigned one) get a digest each.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-10T09:00:30+08:00" });
        // (郑十's 控辍保学 case, without a note from the week of 10-05 on, is also reminded to its township and the aid
        // section, and 8 October's run mails September's 控辍保学 monthly report: both are told apart by their subject.)
        static bool Reminder(System.Text.Json.Nodes.JsonNode m) =>
            !FakeSendGrid.Subject(m).Contains("上周未填写进展", StringComparison.Ordinal) && !FakeSendGrid.Subject(m).Contains("控辍保学月报", StringComparison.Ordinal);
        await Eventually.UntilAsync(() => Task.FromResult(sendGrid.Accepted.Count(Reminder)), n => n >= 2, TimeSpan.FromSeconds(60), "the 10-10 reminders");
        var dueSoon = sendGrid.Accepted.Where(Reminder).ToList();
        // The runner sets the timer's next occurrence when a run ends, from the clock then: the clock moves on only once
        // the day's 09:00 run has ended (its line is in the output), or a jump made meanwhile would skip 10-13's run.
        Task RunEndedAsync(string day) =>
            Eventually.UntilAsync(() => Task.FromResult(app.Output), o => o.Contains($"reminders {day}:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"the {day} run to end");
        await RunEndedAsync("2026-10-10");
        var schoolMail = Assert.Single(dueSoon, m => FakeSendGrid.To(m).Contains("xiaoxue1@yanjin.example.cn"));
        Assert.Contains((string)objection["caseNumber"]!, FakeSendGrid.Text(schoolMail), StringComparison.Ordinal);
        Assert.Contains("张三", FakeSendGrid.Text(schoolMail), StringComparison.Ordinal);
        var bureauDue = Assert.Single(dueSoon, m => FakeSendGrid.To(m).Contains("zizhu@yanjin.example.cn"));
        Assert.Contains((string)stranger["caseNumber"]!, FakeSendGrid.Text(bureauDue), StringComparison.Ordinal);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-12T23:59:00+08:00" });
        // Monday's 09:00 run, jumped over, is past due now and runs at once.
        await RunEndedAsync("2026-10-12");
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
        Assert.Equal(410, (int)(await publicClient.GetAsync($"/notices/{id}/4107260001")).StatusCode);
        // The undecided objections are now overdue: their deadline was the end of the notice.
        Assert.Equal(2, (int)moved["hotline"]!["overdue"]!);
        Assert.Equal(1, (int)moved["hotline"]!["byStatus"]!["new"]!);
        Assert.Equal(1, (int)moved["hotline"]!["byStatus"]!["assigned"]!);
        Assert.Equal(1, (int)moved["hotline"]!["byStatus"]!["replied"]!);

        // 09:00 on Tuesday 10-13: both undecided objections are overdue and escalate to the bureau, once; the Monday run
        // the clock jumped over reminded nobody twice.
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T09:00:30+08:00" });
        await Eventually.UntilAsync(() => Task.FromResult(sendGrid.Accepted.Count(Reminder)), n => n >= 3, TimeSpan.FromSeconds(60), "the 10-13 escalation");
        var escalation = sendGrid.Accepted.Except(dueSoon).Where(Reminder).Single();
        Assert.Equal(["zizhu@yanjin.example.cn"], FakeSendGrid.To(escalation));
        Assert.Contains((string)objection["caseNumber"]!, FakeSendGrid.Text(escalation), StringComparison.Ordinal);
        Assert.Contains((string)stranger["caseNumber"]!, FakeSendGrid.Text(escalation), StringComparison.Ordinal);
        // Recorded on the case right after the digest is committed and sent.
        var escalated = (await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/hotline/cases/{(string)objection["caseNumber"]!}"), r => r.Body!["escalatedAt"] is not null, TimeSpan.FromSeconds(30), "the escalation to be recorded")).Body!;
        Assert.StartsWith("2026-10-13T09:00", (string?)escalated["escalatedAt"]);
        Assert.StartsWith("2026-10-10T09:00", (string?)escalated["remindedAt"]);
        foreach (var mail in sendGrid.Accepted)
        {
            var text = FakeSendGrid.Subject(mail) + "\n" + FakeSendGrid.Text(mail);
            Assert.DoesNotContain("13812345678", text, StringComparison.Ordinal);
            Assert.DoesNotContain("王女士", text, StringComparison.Ordinal);
            Assert.DoesNotContain("没有到账", text, StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex(@"\d{17}[\dXx]"), text);
        }

        // Upheld after the period: 张三 stays off the payable list, and 城关镇第一小学 owns a rectification item.
        var upheld = (string)objection["caseNumber"]!;
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{upheld}/objection/decision", new { decision = "upheld", reason = "该生已随父母迁往外省就读" })).Status);
        Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{upheld}/objection/decision", new { decision = "upheld", reason = "重复提交" })).Status);
        var afterUpheld = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
        Assert.Equal(0, (int)afterUpheld["notice"]!["held"]!);
        Assert.Equal(1, (int)afterUpheld["notice"]!["objectionsUpheld"]!);
        // Two items: the approval's own finding (the registered 10-year-old found in no school, a 控辍保学 follow-up for
        // the bureau's section) and this objection.
        Assert.Equal(2, (int)afterUpheld["rectification"]!["items"]!);
        var (_, followUps) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=notEnrolled");
        Assert.Equal("section:控辍保学", (string?)followUps!["items"]!.AsArray().Single()!["owner"]);
        var (_, items) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=objection");
        var item = items!["items"]!.AsArray().Single()!;
        Assert.Equal("school:4107260001", (string?)item["owner"]);
        Assert.Contains(upheld, (string?)item["title"], StringComparison.Ordinal);
    }
}
