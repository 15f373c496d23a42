using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Mail;

/// <summary>The operators' mail list, and the missing-calendar warning sent when a notice is approved.</summary>
public sealed class MailApiTests : IAsyncLifetime
{
    private MailApp _mail = null!;

    public async Task InitializeAsync() => _mail = await MailApp.StartAsync();

    public async Task DisposeAsync() => await _mail.DisposeAsync();

    [Fact]
    public async Task ListMail_UnknownStatus_Returns400NamingStatus()
    {
        var (status, body) = await _mail.App.Admin.GetJsonAsync("/api/mail?status=lost");

        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]!["status"]);
    }

    [Fact]
    public async Task ListMail_Inspector_Returns403()
    {
        var inspector = await _mail.App.ClientForRoleAsync("inspector");

        var (status, _) = await inspector.GetJsonAsync("/api/mail");

        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Approve_NoticeRunsIntoAYearWithoutCalendar_BureauWarnedOnce()
    {
        var admin = _mail.App.Admin;
        await _mail.PutContactsAsync();
        await _mail.SetClockAsync("2026-12-21T09:00:00+08:00");
        var (_, created) = await admin.PostAsync("/api/cycles", new { countyCode = MailApp.County, semester = "2026-autumn", noticeDays = 10 });
        var id = (string)created!["id"]!;
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" });

        var (status, approved) = await admin.PostAsync($"/api/cycles/{id}/approve");
        await admin.PostAsync($"/api/cycles/{id}/approve");

        Assert.Equal(200, status);
        Assert.True((bool)approved!["notice"]!["calendarMissing"]!);
        // Queued by the approval and sent by the sweep: the approval does not wait on SendGrid.
        Assert.Empty(_mail.SendGrid.Accepted);
        await _mail.SweepAsync();
        var warning = Assert.Single(_mail.SendGrid.Accepted);
        Assert.Equal([MailApp.BureauEmail], FakeSendGrid.To(warning));
        Assert.Contains("2027", FakeSendGrid.Subject(warning));
        Assert.Contains("PUT /api/calendar/2027", FakeSendGrid.Text(warning));
        Assert.Equal("sent", (string?)Assert.Single(await _mail.MailAsync())["status"]);
    }
}
