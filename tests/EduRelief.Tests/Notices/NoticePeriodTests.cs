using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>Approval opens the public notice on the working-day calendar; a durable timer ends it at 23:59:59 China time.</summary>
public sealed class NoticePeriodTests
{
    [Fact]
    public async Task Approve_On20260930_NoticeEndsAfter20261012AndCycleMovesToDisbursement()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-28T09:00:00+08:00" });
        var (_, created) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 });
        var id = (string)created!["id"]!;
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" });

        await Notices.NoticeTestSupport.PutContactsAsync(admin, "410726");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        var (status, approved) = await admin.PostAsync($"/api/cycles/{id}/approve");

        Assert.Equal(200, status);
        var notice = approved!["notice"]!;
        Assert.StartsWith("2026-09-30T10:00", (string?)notice["publishedAt"]);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)notice["endsAt"]); // DOMAIN.md: published 09-30 → ends 10-12
        Assert.Equal(5, (int)notice["workingDays"]!);
        Assert.False((bool)notice["calendarMissing"]!);
        Assert.Equal(0, (int)notice["objectionsOpen"]!);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-12T23:59:00+08:00" });
        Assert.Equal("notice", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["stage"]);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
        var moved = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "disbursement", TimeSpan.FromSeconds(60), "the notice to end")).Body!;
        Assert.StartsWith("2026-10-13T00:00", (string?)moved["notice"]!["takenDownAt"]);
        var (_, history) = await admin.GetJsonAsync($"/api/cycles/{id}/history");
        var ended = history!["items"]!.AsArray().Single(h => (string?)h!["event"] == "notice.ended")!;
        Assert.Equal("timer", (string?)ended["actor"]);
        Assert.Equal("notice", (string?)ended["from"]);
    }
}
