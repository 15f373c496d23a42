using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Eligibility;

/// <summary>Drives the sample county's cycle as the bureau would: contacts, kick-off, both rosters, the one mismatch decided.</summary>
public static class SampleCycle
{
    public static object Contacts => new
    {
        bureauName = "延津县教育局",
        hotlinePhone = "0373-7201234",
        objectionAddress = "延津县文化路12号教育局学生资助管理中心",
        bureauEmail = "zizhu@yanjin.example.cn",
        sections = new Dictionary<string, string> { ["资助股"] = "zizhugu@yanjin.example.cn" },
        schools = new Dictionary<string, string> { ["4107260001"] = "xiaoxue1@yanjin.example.cn", ["4107260002"] = "chuzhong1@yanjin.example.cn" },
    };

    /// <summary>
    /// Kick-off at <paramref name="kickOffAt"/>, both rosters verified, 赵六/赵陆 confirmed: the cycle is in review, ready to
    /// approve. <paramref name="renamed"/> gives people or schools other names, in both rosters alike (every cell equal to a
    /// key takes its value). <paramref name="mismatch"/> is the decision on 赵六/赵陆 (<c>reject</c>: not the same child).
    /// </summary>
    public static async Task<string> ToReviewAsync(HttpClient admin, string kickOffAt = "2026-09-28T09:00:00+08:00", IReadOnlyDictionary<string, string>? renamed = null, string mismatch = "confirm")
    {
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", Contacts)).Status);
        await UploadAccountsAsync(admin, renamed);
        await admin.PostAsync("/api/dev/clock", new { setTo = kickOffAt });
        var (_, created) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 });
        var id = (string)created!["id"]!;
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, Rename(SampleCounty.Students(), renamed), SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, Rename(SampleCounty.Poverty(), renamed), SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification");
        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch");
        var (decided, _) = await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = mismatch, reason = mismatch == "confirm" ? "同一人" : "学籍姓名待核实" });
        Assert.Equal(200, decided);
        return id;
    }

    /// <summary>The county's accounts file: every child who is or may become eligible has an account in their name.</summary>
    public static async Task UploadAccountsAsync(HttpClient admin, IReadOnlyDictionary<string, string>? renamed = null)
    {
        var (status, body) = await admin.PutFileAsync("/api/counties/410726/accounts", SampleCounty.Csv(SampleCounty.AccountsHeader, Rename(SampleCounty.Accounts(), renamed), SampleCounty.Gbk), "text/csv");
        Assert.True(status == 202, $"{status} {body}");
    }

    private static string[][] Rename(string[][] rows, IReadOnlyDictionary<string, string>? renamed) =>
        renamed is null ? rows : rows.Select(r => r.Select(v => renamed.GetValueOrDefault(v, v)).ToArray()).ToArray();
}
