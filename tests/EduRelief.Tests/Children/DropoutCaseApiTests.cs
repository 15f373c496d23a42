using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>
/// 控辍保学 cases over HTTP across three semesters of the sample county. Spring 2026: 郑十 (I, registered, 9, in no
/// school) is not enrolled: one case. Autumn 2026 without 张三 (A; his household also left the registry) and 李四 (B):
/// both absent by the comparison, a case each at their spring school; 郑十's case carries over, not duplicated, also when
/// the autumn is verified again. A week with notes on 李四 and 郑十 only reminds 城关镇 and 张三's school of 张三 on the
/// next Monday's run, once. 李四 is deferred with a certificate; 张三 is reported back at another school by the bureau
/// and confirmed by that school's officer; spring 2027 lists 郑十 at a school: his case closes returned, confirmed by
/// the roster.
/// </summary>
public sealed class DropoutCaseApiTests
{
    private const string County = "410726";
    private const string Cases = $"/api/counties/{County}/dropout-cases";
    private const string Spring = "410726-2026-spring";
    private const string Autumn = "410726-2026-autumn";
    private const string Chengguan = "chengguan@yanjin.example.cn";
    private const string Dongtun = "dongtun@yanjin.example.cn";
    private const string School1 = "xiaoxue1@yanjin.example.cn";
    private const string School2 = "chuzhong1@yanjin.example.cn";

    private static object Contacts => new
    {
        bureauName = "延津县教育局",
        hotlinePhone = "0373-7201234",
        objectionAddress = "延津县文化路12号教育局学生资助管理中心",
        bureauEmail = "zizhu@yanjin.example.cn",
        sections = new Dictionary<string, string> { ["资助股"] = "zizhugu@yanjin.example.cn" },
        schools = new Dictionary<string, string> { ["4107260001"] = School1, ["4107260002"] = School2 },
        townships = new Dictionary<string, object>
        {
            ["城关镇"] = new { head = "刘镇长", centralSchoolPrincipal = "陈校长", email = Chengguan, villages = new Dictionary<string, string> { ["东关村"] = "赵主任" } },
            ["东屯镇"] = new { head = "王镇长", centralSchoolPrincipal = "李校长", email = Dongtun, villages = new Dictionary<string, string> { ["后屯村"] = "周主任" } },
        },
        principals = new Dictionary<string, string> { ["4107260001"] = "孙校长" },
    };

    private static async Task<JsonArray> ListAsync(HttpClient client, string query = "")
    {
        var (status, body) = await client.GetJsonAsync($"{Cases}?pageSize=1000{query}");
        Assert.True(status == 200, $"{status} {body}");
        return body!["items"]!.AsArray();
    }

    private static JsonNode Of(JsonArray cases, string name) => cases.Single(c => (string?)c!["name"] == name)!;

    private static async Task<(int Status, JsonNode? Body)> PostFileAsync(HttpClient client, string url, byte[] content, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task ThreeSemesters_CasesOpenCarryOverAreRemindedWeeklyAndCloseReturnedConfirmedByTheNextRoster()
    {
        await using var mail = await MailApp.StartAsync();
        var admin = mail.App.Admin;
        var (contacted, contactsBody) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{County}/contacts", Contacts);
        Assert.True(contacted == 200, $"{contacted} {contactsBody}");
        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        policy["schoolYear"] = 2025;
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, $"/api/policies/2025?scope=county:{County}", policy)).Status);

        // Spring: 郑十 is registered, of school age and in no roster.
        await AbsentChildFollowUpTests.VerifyAsync(admin, "2026-03-02T09:30:00+08:00", "2026-spring", SampleCounty.Students(), SampleCounty.Poverty());
        var zheng = Assert.Single(await ListAsync(admin))!;
        Assert.Equal(("郑十", "not_in_school", "未入学", Spring, "notEnrolled"), ((string)zheng["name"]!, (string)zheng["status"]!, (string)zheng["statusLabel"]!, (string)zheng["openedCycleId"]!, (string)zheng["openedBy"]!));
        Assert.Equal(("东屯镇", "后屯村", (string?)null), ((string)zheng["township"]!, (string)zheng["village"]!, (string?)zheng["schoolCode"]));
        Assert.Matches(@"^\d{6}\*{8}[\dX]{4}$", (string)zheng["idNumber"]!);
        var zhengId = (string)zheng["id"]!;

        // Autumn: 张三 and 李四 are absent; 郑十 is still out of school and keeps his one case.
        await AbsentChildFollowUpTests.VerifyAsync(admin, "2026-09-01T09:30:00+08:00", "2026-autumn",
            [.. SampleCounty.Students().Where(r => r[1] != SampleCounty.A && r[1] != SampleCounty.B)],
            [.. SampleCounty.Poverty().Where(r => r[3] != SampleCounty.A)]);
        var runId = (string?)(await admin.GetJsonAsync($"/api/cycles/{Autumn}")).Body!["verification"]!["runId"];
        Assert.Equal(202, (await admin.PostAsync($"/api/cycles/{Autumn}/verification/rerun")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{Autumn}"),
            r => (string?)r.Body!["stage"] == "review" && (string?)r.Body["verification"]?["runId"] != runId, TimeSpan.FromSeconds(60), "the autumn verified again");
        var cases = await ListAsync(admin);
        Assert.Equal(["张三", "李四", "郑十"], cases.Select(c => (string)c!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(zhengId, (string)Of(cases, "郑十")["id"]!);
        Assert.Equal([Spring, Autumn], Of(cases, "郑十")["cycles"]!.AsArray().Select(c => (string)c!));
        var zhang = Of(cases, "张三");
        Assert.Equal(("absentSchoolAge", "4107260001", "城关镇第一小学", "城关镇", "东关村", Autumn),
            ((string)zhang["openedBy"]!, (string)zhang["schoolCode"]!, (string)zhang["schoolName"]!, (string)zhang["township"]!, (string)zhang["village"]!, (string)zhang["openedCycleId"]!));
        var li = Of(cases, "李四");
        Assert.Equal("4107260002", (string)li["schoolCode"]!);
        var (_, zhengDetail) = await admin.GetJsonAsync($"{Cases}/{zhengId}");
        Assert.Contains(zhengDetail!["history"]!.AsArray(), h => (string?)h!["kind"] == "seen" && (string?)h["cycleId"] == Autumn);

        // A week of notes on 李四 and 郑十, none on 张三.
        await mail.SetClockAsync("2026-09-09T10:00:00+08:00");
        var (noted, liNoted) = await admin.PostAsync($"{Cases}/{(string)li["id"]!}/notes", new { note = "入户劝返，家长同意开学后送返" });
        Assert.True(noted == 201, $"{noted} {liNoted}");
        Assert.Equal(("persuading", "劝返中", true), ((string)liNoted!["case"]!["status"]!, (string)liNoted["case"]!["statusLabel"]!, (bool)liNoted["case"]!["notedThisWeek"]!));
        var (_, zhengNoted) = await admin.PostAsync($"{Cases}/{zhengId}/notes", new { note = "电话联系家长，约定周末上门", persuading = false });
        Assert.Equal("not_in_school", (string)zhengNoted!["case"]!["status"]!);
        Assert.Single(zhengNoted["notes"]!.AsArray());
        Assert.Equal(400, (await admin.PostAsync($"{Cases}/{zhengId}/notes", new { note = $"身份证号 {SampleCounty.I}" })).Status);

        // Monday's 09:00 run: 张三 missed the week of 7 September; one digest to 城关镇 and one to his school, once.
        await mail.SetClockAsync("2026-09-14T09:00:00+08:00");
        await mail.FireAsync();
        await mail.FireAsync();
        var township = Assert.Single(mail.SentTo(Chengguan));
        var school = Assert.Single(mail.SentTo(School1));
        foreach (var digest in new[] { township, school })
        {
            Assert.Contains("上周未填写进展", FakeSendGrid.Subject(digest), StringComparison.Ordinal);
            var text = FakeSendGrid.Text(digest);
            Assert.Contains("张三", text, StringComparison.Ordinal);
            Assert.DoesNotContain("李四", text, StringComparison.Ordinal);
            Assert.Contains("2026-09-07", text, StringComparison.Ordinal);
        }

        Assert.Empty(mail.SentTo(Dongtun));
        Assert.Empty(mail.SentTo(School2));
        var (_, zhangDetail) = await admin.GetJsonAsync($"{Cases}/{(string)zhang["id"]!}");
        Assert.Equal(["2026-09-07"], zhangDetail!["case"]!["weeksMissing"]!.AsArray().Select(w => (string)w!));
        Assert.Contains(zhangDetail["chain"]!["administrative"]!.AsArray(), l => (string?)l!["role"] == "townshipHead" && (string?)l["name"] == "刘镇长");
        Assert.Contains(zhangDetail["chain"]!["education"]!.AsArray(), l => (string?)l!["role"] == "principal" && (string?)l["name"] == "孙校长");

        // The board this week: nobody has a note yet.
        var (_, board) = await admin.GetJsonAsync($"{Cases}/board");
        Assert.Equal(("2026-09-14", "2026-09-20", 2, 1, 0), ((string)board!["weekStart"]!, (string)board["weekEnd"]!, (int)board["notInSchool"]!, (int)board["persuading"]!, (int)board["closed"]!));
        var chengguan = board["townships"]!.AsArray().Single(t => (string?)t!["township"] == "城关镇")!;
        Assert.Equal(("刘镇长", "陈校长", 1, 1, 2), ((string)chengguan["head"]!, (string)chengguan["centralSchoolPrincipal"]!, (int)chengguan["notInSchool"]!, (int)chengguan["persuading"]!, (int)chengguan["missingThisWeekCount"]!));
        Assert.Equal("赵主任", (string?)chengguan["villages"]!.AsArray().Single(v => (string?)v!["village"] == "东关村")!["head"]);

        // 李四: deferred needs the certificate.
        var liUrl = $"{Cases}/{(string)li["id"]!}";
        var (refused, problem) = await admin.PostAsync($"{liUrl}/outcome", new { outcome = "deferred", date = "2026-09-14" });
        Assert.Equal(400, refused);
        Assert.Equal(["evidence"], problem!["errors"]!.AsObject().Select(e => e.Key));
        var (uploaded, file) = await PostFileAsync(admin, $"{liUrl}/evidence?fileName=休学证明.pdf", "%PDF-1.4 休学证明"u8.ToArray(), "application/pdf");
        Assert.True(uploaded == 201, $"{uploaded} {file}");
        var (deferred, liClosed) = await admin.PostAsync($"{liUrl}/outcome", new { outcome = "deferred", date = "2026-09-14", evidence = new[] { (string)file!["sha256"]! }, note = "因病休学一年" });
        Assert.True(deferred == 200, $"{deferred} {liClosed}");
        Assert.Equal(("deferred", false), ((string)liClosed!["case"]!["status"]!, (bool)liClosed["case"]!["open"]!));
        Assert.Equal(409, (await admin.PostAsync($"{liUrl}/outcome", new { outcome = "returned", date = "2026-09-14", schoolCode = "4107260002" })).Status);
        Assert.Equal(409, (await admin.PostAsync($"{liUrl}/notes", new { note = "再次走访" })).Status);
        using (var download = await admin.GetAsync($"{liUrl}/evidence/{(string)file["sha256"]!}"))
        {
            Assert.Equal((200, "application/pdf"), ((int)download.StatusCode, download.Content.Headers.ContentType?.MediaType));
        }

        // 张三: the bureau hears he is back at 第一初级中学; only that school's officer (or the bureau) confirms it.
        var zhangUrl = $"{Cases}/{(string)zhang["id"]!}";
        var (returned, zhangReturned) = await admin.PostAsync($"{zhangUrl}/outcome", new { outcome = "returned", date = "2026-09-14", schoolCode = "4107260002" });
        Assert.True(returned == 200, $"{returned} {zhangReturned}");
        Assert.Equal(("returned", true, "第一初级中学"), ((string)zhangReturned!["case"]!["status"]!, (bool)zhangReturned["case"]!["awaitingConfirmation"]!, (string?)zhangReturned["case"]!["outcome"]!["schoolName"]));
        using var formerSchool = await mail.App.ClientForRoleAsync("school_officer", "4107260001");
        using var newSchool = mail.App.CreateClient(await mail.App.KeyForRoleAsync("school_officer", "4107260002", name: "第一初级中学资助专干"));
        Assert.Equal(200, (await formerSchool.GetJsonAsync(zhangUrl)).Status);
        Assert.Equal(403, (await formerSchool.PostAsync($"{zhangUrl}/confirm")).Status);
        Assert.Equal(403, (await newSchool.GetJsonAsync($"{Cases}/{zhengId}")).Status);
        Assert.Equal(["张三", "李四"], (await ListAsync(newSchool)).Select(c => (string)c!["name"]!).Order(StringComparer.Ordinal));
        var (confirmed, zhangConfirmed) = await newSchool.PostAsync($"{zhangUrl}/confirm");
        Assert.True(confirmed == 200, $"{confirmed} {zhangConfirmed}");
        Assert.Equal(("第一初级中学资助专干", false), ((string?)zhangConfirmed!["case"]!["confirmedBy"], (bool)zhangConfirmed["case"]!["awaitingConfirmation"]!));

        // Spring 2027: 郑十 is listed at 城关镇第一小学; his case closes returned, confirmed by that roster.
        string[] zhengAtSchool = ["郑十", SampleCounty.I, "4107260001", "城关镇第一小学", "小学", "5", "否", ""];
        await AbsentChildFollowUpTests.VerifyAsync(admin, "2027-03-01T09:30:00+08:00", "2027-spring",
            [.. SampleCounty.Students().Where(r => r[1] != SampleCounty.A && r[1] != SampleCounty.B), zhengAtSchool],
            [.. SampleCounty.Poverty().Where(r => r[3] != SampleCounty.A && r[3] != SampleCounty.B)]);
        var (_, back) = await admin.GetJsonAsync($"{Cases}/{zhengId}");
        Assert.Equal(("returned", "roster:410726-2027-spring", "4107260001", "城关镇第一小学"),
            ((string)back!["case"]!["status"]!, (string?)back["case"]!["confirmedBy"], (string?)back["case"]!["outcome"]!["schoolCode"], (string?)back["case"]!["outcome"]!["schoolName"]));
        Assert.Empty(await ListAsync(admin, "&status=not_in_school"));
        Assert.Empty(await ListAsync(admin, "&status=persuading"));
        Assert.Equal(3, (await ListAsync(admin)).Count);
        Assert.Equal(2, (await ListAsync(admin, "&status=returned")).Count);
        Assert.Single(await ListAsync(admin, "&township=东屯镇&village=后屯村"));
        Assert.Equal(400, (await admin.GetJsonAsync($"{Cases}?status=closed")).Status);
        Assert.Equal(404, (await admin.GetJsonAsync($"{Cases}/{new string('0', 32)}")).Status);
    }
}
