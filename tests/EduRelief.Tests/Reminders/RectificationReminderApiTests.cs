using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using EduRelief.Rectification;
using EduRelief.Reminders;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Rectification;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Reminders;

/// <summary>
/// Rectification items through the Reminders timer function end to end: a cycle kicked off and items opened by an
/// inspection over HTTP, the dev clock on chosen working days, POST /Reminders as the runner posts it, and the fake
/// SendGrid recording what was sent. One app per test.
/// </summary>
public sealed partial class RectificationReminderApiTests : IAsyncLifetime
{
    // Monday 2026-10-12, a working day: items opened with 3 working days are due at the end of Thursday 10-15.
    private const string Monday = "2026-10-12T09:00:00+08:00";
    private const string Friday = "2026-10-16T09:00:00+08:00";
    private const string Description = "督导组现场检查发现公示栏缺失";

    private MailApp _mail = null!;
    private string _cycle = null!;

    public async Task InitializeAsync()
    {
        _mail = await MailApp.StartAsync();
        await _mail.SetClockAsync(Monday);
        await _mail.PutContactsAsync();
        var (status, body) = await _mail.App.Admin.PostAsync("/api/cycles", new { countyCode = MailApp.County, semester = "2026-autumn", noticeDays = 5 });
        Assert.Equal(201, status);
        _cycle = (string)body!["id"]!;
    }

    public async Task DisposeAsync() => await _mail.DisposeAsync();

    [Fact]
    public async Task Fire_ItemDueInThreeWorkingDays_OwnerGetsOneDigest_ThenOverdueOneEscalation()
    {
        var items = await InspectAsync(
            Finding("资助政策宣传不到位", $"school:{MailApp.School}", 3, "李明"),
            Finding("台账缺少签字", $"school:{MailApp.School}", 10),
            Finding("公示期限不足", "section:资助股", 3));
        var (dueSoon, later, section) = (items[0], items[1], items[2]);

        var log = await _mail.FireAsync();

        Assert.Contains("2 due soon, 0 overdue, 2 digests", log);
        var toSchool = Assert.Single(_mail.SentTo(MailApp.SchoolEmail));
        var text = FakeSendGrid.Text(toSchool);
        Assert.Contains($"整改事项 {dueSoon} 资助政策宣传不到位 | 类别 督导检查 | 期限 2026-10-15 23:59:59 (+08:00) | 学校标识码 {MailApp.School} | 学生 李明", text);
        Assert.DoesNotContain(later, text);
        Assert.Contains("3 个工作日内", FakeSendGrid.Subject(toSchool));
        Assert.Contains(section, FakeSendGrid.Text(Assert.Single(_mail.SentTo(MailApp.SectionEmail))));
        Assert.Empty(_mail.SentTo(MailApp.BureauEmail));
        var reminded = await ItemAsync(dueSoon);
        Assert.Matches(@"^2026-10-12T09:\d\d:\d\d\+08:00$", (string?)reminded["item"]!["remindedAt"]);
        Assert.Null((string?)reminded["item"]!["escalatedAt"]);
        Assert.Null((string?)(await ItemAsync(later))["item"]!["remindedAt"]);

        Assert.Contains("0 digests", await _mail.FireAsync());
        await _mail.SetClockAsync(Friday);
        var overdueLog = await _mail.FireAsync();
        Assert.Contains("2 overdue", overdueLog);
        Assert.Contains("0 digests", await _mail.FireAsync());

        var escalation = Assert.Single(_mail.SentTo(MailApp.BureauEmail));
        Assert.Contains("超期", FakeSendGrid.Subject(escalation));
        Assert.Contains(dueSoon, FakeSendGrid.Text(escalation));
        Assert.Contains(section, FakeSendGrid.Text(escalation));
        Assert.Equal(3, _mail.SendGrid.Accepted.Count);
        var detail = await ItemAsync(dueSoon);
        Assert.Matches(@"^2026-10-16T09:\d\d:\d\d\+08:00$", (string?)detail["item"]!["escalatedAt"]);
        var history = detail["history"]!.AsArray();
        var escalated = Assert.Single(history, h => (string?)h!["action"] == "escalated")!;
        Assert.Equal("timer", (string?)escalated["actor"]);
        Assert.Single(history, h => (string?)h!["action"] == "reminded");
        foreach (var mail in _mail.SendGrid.Accepted)
        {
            var all = FakeSendGrid.Subject(mail) + FakeSendGrid.Text(mail);
            Assert.DoesNotContain(Description, all);
            Assert.DoesNotMatch(IdNumber(), all);
        }
    }

    [Fact]
    public async Task Fire_RecordedAgainAfterACrash_OneEscalatedHistoryRow()
    {
        var item = (await InspectAsync(Finding("资助政策宣传不到位", $"school:{MailApp.School}", 3)))[0];
        await _mail.SetClockAsync(Friday);
        await _mail.FireAsync();
        var before = await ItemAsync(item);
        var escalatedAt = (string?)before["item"]!["escalatedAt"];
        Assert.NotNull(escalatedAt);

        // A crash between the digest's commit and the item showing it: the marker says "not recorded", so the next run records again.
        var dueAt = DateTimeOffset.Parse((string)before["item"]!["dueAt"]!, CultureInfo.InvariantCulture);
        var marker = new TableEntity(MailApp.County, ReminderService.MarkerKey("rectification", $"{_cycle}/{item}", dueAt, ReminderKinds.Overdue)) { ["Recorded"] = false };
        await (await _mail.MailTableAsync()).UpdateEntityAsync(marker, ETag.All, TableUpdateMode.Merge);
        await _mail.FireAsync();

        var after = await ItemAsync(item);
        Assert.Equal(escalatedAt, (string?)after["item"]!["escalatedAt"]);
        Assert.Single(after["history"]!.AsArray(), h => (string?)h!["action"] == "escalated");
        Assert.Equal(before["history"]!.AsArray().Count, after["history"]!.AsArray().Count);
        Assert.Single(_mail.SentTo(MailApp.BureauEmail));
        Assert.True((await (await _mail.MailTableAsync()).GetEntityAsync<TableEntity>(MailApp.County, marker.RowKey)).Value.GetBoolean("Recorded"));
    }

    [Fact]
    public async Task Fire_SubmittedAndReturnedItems_OnlyTheReturnIsRemindedOnce()
    {
        var items = await InspectAsync(
            Finding("资助政策宣传不到位", $"school:{MailApp.School}", 3),
            Finding("台账缺少签字", $"school:{MailApp.School}", 10));
        var (submitted, returned) = (items[0], items[1]);
        await SubmitAsync(submitted);
        await SubmitAsync(returned);
        Assert.Equal(200, (await _mail.App.Admin.PostAsync($"{Url(returned)}/return", new { reason = "缺少现场照片" })).Status);

        var log = await _mail.FireAsync();
        await _mail.FireAsync();

        Assert.Contains("0 due soon, 0 overdue, 1 digests", log);
        Assert.Contains("1 returned", log);
        var mail = Assert.Single(_mail.SendGrid.Accepted);
        Assert.Equal([MailApp.SchoolEmail], FakeSendGrid.To(mail));
        Assert.Contains("退回", FakeSendGrid.Subject(mail));
        Assert.Contains(returned, FakeSendGrid.Text(mail));
        Assert.DoesNotContain(submitted, FakeSendGrid.Text(mail));
        var detail = await ItemAsync(returned);
        Assert.NotNull((string?)detail["item"]!["returnRemindedAt"]);
        Assert.NotNull((string?)detail["item"]!["returnedAt"]);
        Assert.Single(detail["history"]!.AsArray(), h => (string?)h!["action"] == "reminded");
        Assert.Null((string?)(await ItemAsync(submitted))["item"]!["remindedAt"]);

        // Submitted again and returned again: a new return, reminded once more.
        await SubmitAsync(returned);
        Assert.Equal(200, (await _mail.App.Admin.PostAsync($"{Url(returned)}/return", new { reason = "照片不清晰" })).Status);
        await _mail.SetClockAsync("2026-10-13T09:00:00+08:00");
        await _mail.FireAsync();
        await _mail.FireAsync();
        Assert.Equal(2, _mail.SentTo(MailApp.SchoolEmail).Count(m => FakeSendGrid.Subject(m).Contains("退回", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerifiedRoster_ItemCaseWorkbookAndDigestsNameTheSchoolNotItsCode()
    {
        Assert.Equal(_cycle, await SampleCycle.ToReviewAsync(_mail.App.Admin, Monday));
        await _mail.PutContactsAsync();
        var item = Assert.Single(await InspectAsync(new
        {
            title = "资助政策宣传不到位", description = Description, owner = "school:4107260002", schoolCode = "4107260002", deadlineWorkingDays = 3,
        }));
        var @case = await _mail.PostCaseAsync("named", "2026-10-09T09:30:00+08:00", category: "inquiry", studentName: "李明");
        await _mail.MergeCaseAsync(@case, new Dictionary<string, object?> { ["Assignee"] = "school:4107260002", ["Status"] = "assigned", ["SubjectSchoolCode"] = "4107260002" });

        var (_, list) = await _mail.App.Admin.GetJsonAsync($"/api/cycles/{_cycle}/rectification");
        var detail = (await ItemAsync(item))["item"]!;
        var (_, caseView) = await _mail.App.Admin.GetJsonAsync($"/api/hotline/cases/{@case}");
        var (_, cases) = await _mail.App.Admin.GetJsonAsync("/api/hotline/cases");
        using var response = await _mail.App.Admin.GetAsync($"/api/cycles/{_cycle}/rectification.xlsx");
        var row = RectificationApiTests.WorkbookRows(await response.Content.ReadAsByteArrayAsync())[1];
        await _mail.FireAsync();
        string Digest(string reference) => FakeSendGrid.Text(Assert.Single(_mail.SendGrid.Accepted, m => FakeSendGrid.Text(m).Contains(reference, StringComparison.Ordinal)));

        Assert.Equal("第一初级中学", (string?)list!["items"]![0]!["ownerName"]);
        Assert.Equal(("第一初级中学", "第一初级中学"), ((string?)detail["ownerName"], (string?)detail["schoolName"]));
        Assert.Equal(("第一初级中学", "第一初级中学"), ((string?)caseView!["subject"]!["schoolName"], (string?)caseView["assigneeName"]));
        Assert.Equal("第一初级中学", (string?)cases!["items"]!.AsArray().Single(c => (string?)c!["caseNumber"] == @case)!["assigneeName"]);
        Assert.Equal("第一初级中学", row[Array.IndexOf(RectificationWorkbook.Header, "责任单位")]);
        foreach (var digest in new[] { Digest(item), Digest(@case) })
        {
            Assert.Contains("| 学校 第一初级中学", digest);
            Assert.DoesNotContain("4107260002", digest);
        }

        Assert.Contains("| 类别 咨询 |", Digest(@case));

        // An action's answer names them as GET does.
        var (progressed, noted) = await _mail.App.Admin.PostAsync($"/api/hotline/cases/{@case}/progress", new { note = "已电话联系家长" });
        Assert.Equal(200, progressed);
        Assert.Equal(("第一初级中学", "第一初级中学"), ((string?)noted!["subject"]!["schoolName"], (string?)noted["assigneeName"]));
        var submitted = await SubmitAsync(item);
        Assert.Equal(("submitted", "第一初级中学", "第一初级中学"), ((string?)submitted["status"], (string?)submitted["ownerName"], (string?)submitted["schoolName"]));
    }

    private static object Finding(string title, string owner, int days, string? studentName = null) =>
        new { title, description = Description, owner, deadlineWorkingDays = days, studentName };

    private string Url(string item) => $"/api/cycles/{_cycle}/rectification/{item}";

    /// <summary>Records an inspection with the findings and answers their item ids in order.</summary>
    private async Task<List<string>> InspectAsync(params object[] findings)
    {
        var (status, body) = await _mail.App.Admin.PostAsync($"/api/cycles/{_cycle}/inspections", new
        {
            inspectionId = Guid.NewGuid().ToString("N"),
            team = "县教育局督导室第一组",
            inspectedAt = "2026-10-12T08:00:00+08:00",
            findings,
        });
        Assert.True(status == 201, $"inspection: {status} {body}");
        return body!["items"]!.AsArray().Select(i => (string)i!["id"]!).ToList();
    }

    /// <summary>Uploads a photo to the item and submits it; answers the submit's item.</summary>
    private async Task<System.Text.Json.Nodes.JsonNode> SubmitAsync(string item)
    {
        using var content = new ByteArrayContent(EvidenceSamples.Png());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
        using var upload = await _mail.App.Admin.PostAsync($"{Url(item)}/evidence?fileName={Uri.EscapeDataString(Guid.NewGuid().ToString("N") + ".png")}", content);
        Assert.True(upload.IsSuccessStatusCode, $"evidence: {(int)upload.StatusCode}");
        var (status, body) = await _mail.App.Admin.PostAsync($"{Url(item)}/submit", new { note = "已整改" });
        Assert.True(status == 200, $"submit: {status} {body}");
        return body!;
    }

    private async Task<JsonNode> ItemAsync(string item)
    {
        var (status, body) = await _mail.App.Admin.GetJsonAsync(Url(item));
        Assert.Equal(200, status);
        return body!;
    }

    [GeneratedRegex(@"(?<!\d)\d{17}[\dXx](?!\d)")]
    private static partial Regex IdNumber();
}
