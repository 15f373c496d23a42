using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>
/// GET /api/cycles/{id}/notice-preview/{schoolCode}: a school's notice rendered as the public will see it, before the
/// notice exists (period not set yet) and once it runs (the published period), for staff only and officers' own school.
/// </summary>
public sealed class NoticePreviewTests
{
    private const string CsvType = "text/csv";

    [Fact]
    public async Task Preview_BeforeAndAfterApproval_RendersThePublicNoticeWithItsPeriod()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-28T09:00:00+08:00" });
        var (_, created) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 });
        var id = (string)created!["id"]!;

        // No verification yet: nothing to preview.
        var early = await admin.GetAsync($"/api/cycles/{id}/notice-preview/4107260002");
        Assert.Equal(409, (int)early.StatusCode);

        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, SampleCounty.Students(), SampleCounty.Gbk), CsvType)).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, SampleCounty.Poverty(), SampleCounty.Gbk), CsvType)).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");

        // In review, no contacts yet: the notice of school 0002 shows 李四 (赵六 is undecided), no period, no hotline yet.
        var preview = await admin.GetAsync($"/api/cycles/{id}/notice-preview/4107260002");
        Assert.Equal(200, (int)preview.StatusCode);
        Assert.Equal("text/html", preview.Content.Headers.ContentType!.MediaType);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'", preview.Headers.GetValues("Content-Security-Policy").Single());
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("<h1>延津县2026年秋季学期学生资助名单公示 — 第一初级中学</h1>", html, StringComparison.Ordinal);
        Assert.Contains("公示时间：尚未确定（审核通过后，按官方工作日历计算 5 个工作日）", html, StringComparison.Ordinal);
        Assert.Contains("监督电话：（尚未登记）", html, StringComparison.Ordinal);
        Assert.Contains("李四", html, StringComparison.Ordinal);
        Assert.DoesNotContain("赵六", html, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleCounty.B, html, StringComparison.Ordinal);
        Assert.Contains("共 1 人，金额合计 375.00 元。", html, StringComparison.Ordinal);

        // The one mismatch confirmed: 赵六 joins the preview.
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" })).Status);
        Assert.Contains("赵六", await admin.GetStringAsync($"/api/cycles/{id}/notice-preview/4107260002"), StringComparison.Ordinal);

        // Approved on 09-30: the preview carries the published period and the county's hotline, like the public page.
        await NoticeTestSupport.PutContactsAsync(admin, "410726");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        var (periodStatus, period) = await admin.GetJsonAsync($"/api/cycles/{id}/notice-period");
        Assert.Equal(200, periodStatus);
        Assert.Equal("2026-10-12T23:59:59+08:00", (string?)period!["endsAt"]);
        Assert.StartsWith("2026-09-30T10:00:", (string?)period["approvedAt"], StringComparison.Ordinal);
        Assert.Equal((5, false), ((int)period["workingDays"]!, (bool)period["calendarMissing"]!));
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        var approved = await admin.GetStringAsync($"/api/cycles/{id}/notice-preview/4107260002");
        Assert.Contains("公示时间：9月30日至10月12日（5个工作日）", approved, StringComparison.Ordinal);
        Assert.Contains(NoticeTestSupport.HotlinePhone, approved, StringComparison.Ordinal);
        Assert.Contains("共 2 人，金额合计 1125.00 元。", approved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_ForOtherSchoolsAndBadInput_IsRefused()
    {
        await using var app = await AppProcess.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.Admin);
        using var officer = await app.ClientForRoleAsync("school_officer", "4107260001");
        using var anonymous = app.CreateClient(null);

        var own = await officer.GetAsync($"/api/cycles/{id}/notice-preview/4107260001");
        Assert.Equal(200, (int)own.StatusCode);
        Assert.Contains("张三", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(403, (int)(await officer.GetAsync($"/api/cycles/{id}/notice-preview/4107260002")).StatusCode);
        Assert.Equal(401, (int)(await anonymous.GetAsync($"/api/cycles/{id}/notice-preview/4107260001")).StatusCode);

        var (bad, problem) = await app.Admin.GetJsonAsync($"/api/cycles/{id}/notice-preview/12345");
        Assert.Equal(400, bad);
        Assert.NotNull(problem!["errors"]!["schoolCode"]);

        // 周八 (vocational year 3) is eligible without a grant: school 0004 has nobody on a notice.
        Assert.Equal(404, (await app.Admin.GetJsonAsync($"/api/cycles/{id}/notice-preview/4107260004")).Status);
        Assert.Equal(404, (await app.Admin.GetJsonAsync($"/api/cycles/410726-2030-spring/notice-preview/4107260001")).Status);
        Assert.Equal(404, (await app.Admin.GetJsonAsync($"/api/cycles/410726-2030-spring/notice-period")).Status);
        Assert.Equal(200, (int)(await officer.GetAsync($"/api/cycles/{id}/notice-period")).StatusCode);
        Assert.Equal(401, (int)(await anonymous.GetAsync($"/api/cycles/{id}/notice-period")).StatusCode);
    }
}
