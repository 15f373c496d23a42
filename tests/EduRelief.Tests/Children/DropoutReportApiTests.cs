using System.IO.Compression;
using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>
/// The 控辍保学 monthly report as the bureau meets it: made on the first working day of the month at 09:00 for the
/// previous month, exactly once with two instances and a restart, kept, listed, downloadable, and emailed to the
/// bureau and each township with the workbook attached.
/// </summary>
public sealed class DropoutReportApiTests
{
    private const string County = "410726";
    private const string ChengguanEmail = "chengguan@yanjin.example.cn";
    private const string DongtunEmail = "dongtun@yanjin.example.cn";

    [Fact]
    public async Task MonthlyReport_HolidayFirstDayThenTwoInstancesAndARestart_OneReportAndOneEmailPerRecipient()
    {
        // a owns the fake SendGrid; b is a second instance on the same storage, restarted on the way.
        var sendGrid = new FakeSendGrid();
        var prefix = Repo.NewPrefix();
        await using var a = await MailApp.StartAsync(prefix, sendGrid);
        var b = await AppProcess.StartAsync(prefix, MailApp.Environment(sendGrid));
        try
        {
            var admin = a.App.Admin;
            await SampleCycle.ToReviewAsync(admin);
            var contacts = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(SampleCycle.Contacts))!.AsObject();
            contacts["townships"] = new JsonObject
            {
                ["城关镇"] = new JsonObject { ["head"] = "王镇长", ["centralSchoolPrincipal"] = "李校长", ["email"] = ChengguanEmail, ["villages"] = new JsonObject { ["东关村"] = "赵主任" } },
                ["东屯镇"] = new JsonObject { ["head"] = "陈镇长", ["centralSchoolPrincipal"] = "孙校长", ["email"] = DongtunEmail, ["villages"] = new JsonObject() },
            };
            var (put, putBody) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{County}/contacts", contacts);
            Assert.True(put == 200, $"{put} {putBody}");

            // 1 October 2026 is National Day: no report on a day that is not a working day.
            await SetClocksAsync("2026-10-01T09:00:00+08:00", a, b);
            Assert.Equal("reminders 2026-10-01: not a working day", await a.FireAsync());
            Assert.Empty((await ListAsync(admin))["items"]!.AsArray());

            // 8 October, the first working day of October, 09:00: both instances' timers fire at once.
            await SetClocksAsync("2026-10-08T09:00:00+08:00", a, b);
            var fired = await Task.WhenAll(a.FireAsync(), a.FireAsync(Invoker(b)));
            Assert.Equal(1, fired.Count(f => f.Contains("1 monthly reports started", StringComparison.Ordinal)));
            var instance = $"/api/dev/instances/dropout-report-{County}-202609";
            await Eventually.UntilAsync(() => admin.GetJsonAsync(instance), r => (string?)r.Body?["instance"]?["stage"] == "done", TimeSpan.FromSeconds(60), "September's report");

            // b restarts and its timer fires again the same day, as does a's the next working day: nothing new.
            await b.DisposeAsync();
            b = await AppProcess.StartAsync(prefix, MailApp.Environment(sendGrid));
            await MailApp.SetClockAsync(b, "2026-10-08T09:05:00+08:00");
            Assert.Contains("0 monthly reports started", await a.FireAsync(Invoker(b)), StringComparison.Ordinal);
            await a.SetClockAsync("2026-10-09T09:00:00+08:00");
            Assert.Contains("0 monthly reports started", await a.FireAsync(), StringComparison.Ordinal);

            var list = (await ListAsync(admin))["items"]!.AsArray();
            var summary = Assert.Single(list)!;
            Assert.Equal(("2026-09", "2026-09", "2026-autumn"), ((string?)summary["id"], (string?)summary["month"], (string?)summary["referenceSemester"]));
            var (got, report) = await admin.GetJsonAsync($"/api/counties/{County}/dropout-reports/2026-09");
            Assert.Equal(200, got);
            AssertFiguresAddUp(report!);
            Assert.Equal(Figures(summary["figures"]!), Figures(report!["figures"]!));
            // Worked out by hand from the sample county (SampleCounty): of the registered children, 张三 (11, 小学5),
            // 李四 (14, 初中2) and 赵陆 (13, 初中1) are at school and of school age on 31 August 2026; 郑十 (10) is in no
            // school, a 控辍保学 case since verification; 阿依古丽 (16, 高中) and 周八 (18, 中职) are past compulsory
            // education, 吴九 is 4. (3 + 0 + 0 + 0) / 4 = 75.0%.
            Assert.Equal((4, 3, 0, 0, 0, 1, 0, 75.0m), Figures(report["figures"]!));
            Assert.Equal(["东屯镇/东屯村/1/0/True", "东屯镇/后屯村/0/1/False", "城关镇/东关村/1/0/True", "城关镇/西关村/1/0/True"],
                report["townships"]!.AsArray().SelectMany(t => t!["villages"]!.AsArray().Select(v =>
                    $"{t["township"]}/{v!["village"]}/{v["figures"]!["enrolled"]}/{v["figures"]!["notInSchool"]}/{(bool)v["certified"]!}")));
            var history = (await admin.GetJsonAsync(instance)).Body!["history"]!.AsArray();
            Assert.Single(history, h => (string?)h!["event"] == "report.completed");

            // The workbook: three sheets, and the file the API serves is the one the emails carry.
            using var workbook = await admin.GetAsync((string)report["workbook"]!);
            Assert.Equal(System.Net.HttpStatusCode.OK, workbook.StatusCode);
            var bytes = await workbook.Content.ReadAsByteArrayAsync();
            using (var zip = new ZipArchive(new MemoryStream(bytes)))
            {
                var sheets = new StreamReader(zip.GetEntry("xl/workbook.xml")!.Open()).ReadToEnd();
                Assert.All(["按乡镇", "按村", "义务教育有保障村"], name => Assert.Contains($"name=\"{name}\"", sheets, StringComparison.Ordinal));
            }

            // One email per recipient: the bureau and each township, each with the workbook.
            var mails = await Eventually.UntilAsync(
                async () =>
                {
                    await a.SweepAsync();
                    return sendGrid.Accepted.Where(m => ((string?)m["subject"])?.Contains("控辍保学月报（2026年9月）", StringComparison.Ordinal) == true).ToList();
                },
                m => m.Count >= 3,
                TimeSpan.FromSeconds(30),
                "the report's three emails");
            await a.SweepAsync();
            await a.SweepAsync();
            var recipients = sendGrid.Accepted.Where(m => ((string?)m["subject"])?.Contains("控辍保学月报", StringComparison.Ordinal) == true)
                .Select(m => (string)m["personalizations"]![0]!["to"]![0]!["email"]!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal([ChengguanEmail, DongtunEmail, (string)contacts["bureauEmail"]!], recipients);
            Assert.All(mails, m =>
            {
                var attachment = Assert.Single(m["attachments"]!.AsArray())!;
                Assert.Equal($"{County}-控辍保学月报-2026-09.xlsx", (string?)attachment["filename"]);
                Assert.Equal(bytes, Convert.FromBase64String((string)attachment["content"]!));
            });
            var chengguan = mails.Single(m => (string?)m["personalizations"]![0]!["to"]![0]!["email"] == ChengguanEmail);
            Assert.StartsWith("延津县城关镇控辍保学月报（2026年9月）：义务教育巩固率 ", (string?)chengguan["subject"], StringComparison.Ordinal);
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task DropoutReports_UnknownCountyOrMonth_NotFoundAndBadPageSizeNamed()
    {
        await using var app = await AppProcess.StartAsync();
        var (unknownCounty, problem) = await app.Admin.GetJsonAsync("/api/counties/999999/dropout-reports");
        Assert.Equal(404, unknownCounty);
        Assert.Equal(404, (int)problem!["status"]!);
        Assert.Equal(404, (await app.Admin.GetJsonAsync($"/api/counties/{County}/dropout-reports/2026-09")).Status);
        Assert.Equal(404, (await app.Admin.GetJsonAsync($"/api/counties/{County}/dropout-reports/2026-09/workbook")).Status);
        var (badSize, sizeProblem) = await app.Admin.GetJsonAsync($"/api/counties/{County}/dropout-reports?pageSize=5000");
        Assert.Equal(400, badSize);
        Assert.NotNull(sizeProblem!["errors"]!["pageSize"]);
        Assert.Equal(401, (await app.CreateClient(null).GetJsonAsync($"/api/counties/{County}/dropout-reports")).Status);
    }

    private static async Task<JsonNode> ListAsync(HttpClient admin)
    {
        var (status, body) = await admin.GetJsonAsync($"/api/counties/{County}/dropout-reports");
        Assert.Equal(200, status);
        return body!;
    }

    private static async Task SetClocksAsync(string iso, MailApp a, AppProcess b)
    {
        await a.SetClockAsync(iso);
        await MailApp.SetClockAsync(b, iso);
    }

    /// <summary>A client that invokes <paramref name="app"/>'s functions as its runner would.</summary>
    private static HttpClient Invoker(AppProcess app)
    {
        var client = app.CreateClient(null);
        client.DefaultRequestHeaders.Add("X-EduRelief-Invocation", MailApp.Token);
        return client;
    }

    private static (int SchoolAge, int Enrolled, int Outside, int Home, int Deferred, int NotInSchool, int Returned, decimal? Rate) Figures(JsonNode f) => (
        (int)f["schoolAge"]!, (int)f["enrolled"]!, (int)f["outside"]!, (int)f["homeSchooling"]!, (int)f["deferred"]!, (int)f["notInSchool"]!,
        (int)f["returned"]!, (decimal?)f["consolidationRate"]);

    /// <summary>Each place's school-age children are its columns' sum, the villages add up to their township and the townships to the county.</summary>
    private static void AssertFiguresAddUp(JsonNode report)
    {
        static void Whole(JsonNode f)
        {
            var x = Figures(f);
            Assert.Equal(x.SchoolAge, x.Enrolled + x.Outside + x.Home + x.Deferred + x.NotInSchool);
            Assert.Equal(x.SchoolAge == 0 ? null : Math.Round(100m * (x.Enrolled + x.Outside + x.Home + x.Deferred) / x.SchoolAge, 1, MidpointRounding.AwayFromZero), x.Rate);
        }

        Whole(report["figures"]!);
        var townships = report["townships"]!.AsArray();
        Assert.Equal((int)report["figures"]!["schoolAge"]!, townships.Sum(t => (int)t!["figures"]!["schoolAge"]!));
        foreach (var township in townships)
        {
            Whole(township!["figures"]!);
            var villages = township["villages"]!.AsArray();
            Assert.Equal((int)township["figures"]!["schoolAge"]!, villages.Sum(v => (int)v!["figures"]!["schoolAge"]!));
            Assert.All(villages, v =>
            {
                Whole(v!["figures"]!);
                Assert.Equal((int)v["figures"]!["notInSchool"]! == 0, (bool)v["certified"]!);
            });
        }

        Assert.Equal(
            townships.SelectMany(t => t!["villages"]!.AsArray().Where(v => (bool)v!["certified"]!).Select(v => $"{t["township"]}/{v!["village"]}")),
            report["certifiedVillages"]!.AsArray().Select(c => $"{c!["township"]}/{c["village"]}"));
    }
}
