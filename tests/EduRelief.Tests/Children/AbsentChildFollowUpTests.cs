using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>
/// The sample county in spring, then in autumn without 张三 (A, primary 5 in spring, 11 now; his household also left the
/// poverty registry) and without 李四 (B, junior 2 in spring, 14 now; still registered). Both are absent by the
/// comparison; B is also not enrolled by the autumn's own verification. 钱多多 (K, junior 3 in spring, 14 now, still
/// registered) finished compulsory education: not enrolled by the count, but referred as a 两后生 and no 控辍保学 case.
/// Approving the autumn opens one 控辍保学 item per child: 郑十 and B as before, and A, whom only the comparison still
/// knows.
/// </summary>
public sealed class AbsentChildFollowUpTests
{
    private const string County = "410726";

    private static readonly string K = SampleCounty.Id("410726", "20110901", "111");

    private static string[][] SpringStudents() => [.. SampleCounty.Students(), ["钱多多", K, "4107260002", "第一初级中学", "初中", "3", "否", ""]];

    private static string[][] Poverty() => [.. SampleCounty.Poverty(), ["11", "H009", "钱多多", K, "城关镇", "北街村", "脱贫户"]];

    /// <summary>Creates the county's cycle of <paramref name="semester"/> at <paramref name="at"/>, uploads both rosters and waits for review; answers the cycle's id.</summary>
    internal static async Task<string> VerifyAsync(HttpClient admin, string at, string semester, string[][] students, string[][] poverty)
    {
        await admin.PostAsync("/api/dev/clock", new { setTo = at });
        var (created, cycle) = await admin.PostAsync("/api/cycles", new { countyCode = County, semester, noticeDays = 5 });
        Assert.True(created == 201, $"{created} {cycle}");
        var id = (string)cycle!["id"]!;
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", SampleCounty.Csv(SampleCounty.StudentHeader, students, SampleCounty.Gbk), "text/csv")).Status);
        Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", SampleCounty.Csv(SampleCounty.PovertyHeader, poverty, SampleCounty.Gbk), "text/csv")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), $"{semester} verified");
        return id;
    }

    [Fact]
    public async Task AutumnApproved_AbsentChildTheRegistryDropped_GetsAFollowUp_AndNoChildGetsTwo()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{County}/contacts", SampleCycle.Contacts)).Status);
        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        policy["schoolYear"] = 2025;
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, $"/api/policies/2025?scope=county:{County}", policy)).Status);

        await VerifyAsync(admin, "2026-03-02T09:30:00+08:00", "2026-spring", SpringStudents(), Poverty());
        await VerifyAsync(admin, "2026-09-01T09:30:00+08:00", "2026-autumn",
            [.. SampleCounty.Students().Where(r => r[1] != SampleCounty.A && r[1] != SampleCounty.B)],
            [.. Poverty().Where(r => r[3] != SampleCounty.A)]);
        const string autumn = "410726-2026-autumn";
        var verification = (await admin.GetJsonAsync($"/api/cycles/{autumn}")).Body!["verification"]!;
        Assert.Equal((2, 3), ((int)verification["absent"]!, (int)verification["discrepancies"]!["notEnrolled"]!));
        var notEnrolled = (await admin.GetJsonAsync($"/api/cycles/{autumn}/discrepancies?kind=notEnrolled")).Body!["items"]!.AsArray();
        Assert.Equal(["钱多多"], notEnrolled.Where(d => (bool)d!["completedCompulsory"]!).Select(d => (string)d!["povertyName"]!));
        var referral = Assert.Single((await admin.GetJsonAsync($"/api/counties/{County}/referrals")).Body!["items"]!.AsArray())!;
        Assert.Equal(("钱多多", "初中", 3), ((string)referral["name"]!, (string)referral["stage"]!, (int)referral["grade"]!));

        var (_, mismatches) = await admin.GetJsonAsync($"/api/cycles/{autumn}/discrepancies?kind=nameMismatch");
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{autumn}/discrepancies/{(string)mismatches!["items"]![0]!["id"]!}/decision", new { decision = "confirm", reason = "同一人" })).Status);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-02T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{autumn}/approve")).Status);
        var items = (await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/cycles/{autumn}/rectification?source=notEnrolled"),
            r => r.Body!["items"]!.AsArray().Count >= 3,
            TimeSpan.FromSeconds(60),
            "the 控辍保学 items")).Body!["items"]!.AsArray();

        Assert.Equal(["张三", "李四", "郑十"], items.Select(i => (string)i!["studentName"]!).Order(StringComparer.Ordinal));
        var dropped = items.Single(i => (string?)i!["studentName"] == "张三")!;
        Assert.Contains("上学期在城关镇第一小学就读", (string)dropped["title"]!, StringComparison.Ordinal);
        Assert.Equal(("section:控辍保学", "4107260001", "城关镇", "东关村"), ((string)dropped["owner"]!, (string)dropped["schoolCode"]!, (string)dropped["township"]!, (string)dropped["village"]!));
        var chain = (await admin.GetJsonAsync($"/api/cycles/{autumn}/rectification/{(string)dropped["id"]!}")).Body!["chain"]!;
        Assert.Contains(chain["education"]!.AsArray(), l => (string?)l!["role"] == "principal" && (string?)l["unit"] == "城关镇第一小学");

        // Each item follows the child's 控辍保学 case: it takes no submission of its own and closes with the case.
        var cases = (await admin.GetJsonAsync($"/api/counties/{County}/dropout-cases?pageSize=1000")).Body!["items"]!.AsArray();
        Assert.All(items, i => Assert.Equal((string?)cases.Single(c => (string?)c!["name"] == (string?)i!["studentName"])!["id"], (string?)i!["caseId"]));
        var zheng = items.Single(i => (string?)i!["studentName"] == "郑十")!;
        var itemUrl = $"/api/cycles/{autumn}/rectification/{(string)zheng["id"]!}";
        var (refused, problem) = await admin.PostAsync($"{itemUrl}/submit", new { note = "经核查在外县就读", outcome = "studying_elsewhere" });
        Assert.Equal(409, refused);
        Assert.Equal(["caseId"], problem!["errors"]!.AsObject().Select(e => e.Key));
        var caseUrl = $"/api/counties/{County}/dropout-cases/{(string)zheng["caseId"]!}";
        Assert.Equal(200, (await admin.PostAsync($"{caseUrl}/outcome", new { outcome = "outside_county", date = "2026-09-02", schoolName = "杭州市文三街小学" })).Status);
        var closed = (await admin.GetJsonAsync(itemUrl)).Body!["item"]!;
        Assert.Equal(("accepted", "studying_elsewhere", "杭州市文三街小学"), ((string)closed["status"]!, (string)closed["outcome"]!, (string?)closed["outcomeReason"]));
    }

    [Fact]
    public async Task OutsideListUploadedInReview_WithdrawsTheReferralOfAChildItPlaces_AndAListWithoutThemReopensIt()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        policy["schoolYear"] = 2025;
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, $"/api/policies/2025?scope=county:{County}", policy)).Status);
        await VerifyAsync(admin, "2026-03-02T09:30:00+08:00", "2026-spring", SpringStudents(), Poverty());
        await VerifyAsync(admin, "2026-09-01T09:30:00+08:00", "2026-autumn", SampleCounty.Students(), Poverty());
        const string autumn = "410726-2026-autumn";
        var referrals = $"/api/counties/{County}/referrals";
        var referral = Assert.Single((await admin.GetJsonAsync(referrals)).Body!["items"]!.AsArray())!;
        Assert.Equal(("钱多多", "open"), ((string)referral["name"]!, (string)referral["status"]!));

        async Task<string> StatusAfterListAsync(string[] row)
        {
            var runId = (string?)(await admin.GetJsonAsync($"/api/cycles/{autumn}")).Body!["verification"]!["runId"];
            var list = SampleCounty.Csv(["姓名", "身份证号", "就读省市", "就读学校", "学段", "年级"], [row], System.Text.Encoding.UTF8);
            Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, autumn, "outside", list, "text/csv")).Status);
            await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{autumn}"),
                r => (string?)r.Body!["stage"] == "review" && (string?)r.Body["verification"]?["runId"] != runId, TimeSpan.FromSeconds(60), "the autumn verified again");
            return (string)(await admin.GetJsonAsync($"{referrals}/{(string)referral["id"]!}")).Body!["status"]!;
        }

        Assert.Equal("withdrawn", await StatusAfterListAsync(["钱多多", K, "浙江省杭州市", "杭州市第十四中学", "普通高中", "1"]));
        Assert.Empty((await admin.GetJsonAsync($"{referrals}?status=open")).Body!["items"]!.AsArray());
        Assert.Equal("open", await StatusAfterListAsync(["郑十", SampleCounty.I, "浙江省杭州市", "杭州市文三街小学", "小学", "5"]));
        Assert.Single((await admin.GetJsonAsync(referrals)).Body!["items"]!.AsArray());
    }
}
