using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using Xunit;
using static EduRelief.Tests.Pairing.PairingSample;

namespace EduRelief.Tests.Pairing;

/// <summary>
/// Six weeks of 结对帮扶 under the dev clock, over HTTP against Azurite with a fake SendGrid: approval on Wednesday
/// 2026-09-30, pairings proposed and edited, records by three teachers on 10-08, the 09:00 runs of Monday 11-02 (three
/// runs on two instances), Tuesday 11-03 and Tuesday 11-10, the month 赵六 had no visit, and the coverage figures.
/// </summary>
public sealed class PairingJourneyTests : IAsyncLifetime
{
    private const string Records = $"/api/cycles/{CycleId}/pairings/records";
    private const string MiddleMail = "chuzhong1@yanjin.example.cn";
    private const string PrimaryMail = "xiaoxue1@yanjin.example.cn";

    private MailApp _mail = null!;

    public async Task InitializeAsync() => _mail = await MailApp.StartAsync();

    public async Task DisposeAsync() => await _mail.DisposeAsync();

    [Fact]
    public async Task SixWeeks_MissedMonthOpensOneItem_DigestOncePerSchoolAndDay_CoverageExact()
    {
        var admin = _mail.App.Admin;
        await ApproveAsync(admin);
        var middle = Items((await admin.PostAsync($"{Pairings(Middle)}/propose")).Body);
        var zhang = ChildOf(Items((await admin.PostAsync($"{Pairings(Primary)}/propose")).Body), "张三");
        var (li, zhao) = (ChildOf(middle, "李四"), ChildOf(middle, "赵六"));
        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new
        {
            items = new object[] { new { childId = li, teacherIds = new[] { "T1" } }, new { childId = zhao, teacherIds = new[] { "T2" } } },
        })).Status);
        using var t1 = await TeacherAsync(_mail.App, Middle, "T1");
        using var t2 = await TeacherAsync(_mail.App, Middle, "T2");
        using var s1 = await TeacherAsync(_mail.App, Primary, "S1");

        // Thursday 10-08: 李四 and 张三 visited at home; 李四 and 赵六 helped. 赵六 gets no visit in October.
        await _mail.SetClockAsync("2026-10-08T16:00:00+08:00");
        await RecordAsync(t1, li, "home_visit", "2026-10-08");
        await RecordAsync(t1, li, "help", "2026-10-08");
        await RecordAsync(t2, zhao, "help", "2026-10-08");
        await RecordAsync(s1, zhang, "home_visit", "2026-10-08");

        // Monday 11-02, 09:00: three runs, one on a second instance of the app.
        await _mail.SetClockAsync("2026-11-02T09:00:00+08:00");
        await using (var other = await AppProcess.StartAsync(_mail.App.Prefix, MailApp.Environment(_mail.SendGrid)))
        {
            await MailApp.SetClockAsync(other, "2026-11-02T09:00:00+08:00");
            using var otherInvoker = other.CreateClient(null);
            otherInvoker.DefaultRequestHeaders.Add("X-EduRelief-Invocation", MailApp.Token);
            await Task.WhenAll(_mail.FireAsync(), _mail.FireAsync(otherInvoker));
            await _mail.FireAsync();
        }

        await _mail.SweepAsync();
        var middleDigest = FakeSendGrid.Text(Assert.Single(PairingMail(MiddleMail)));
        var primaryDigest = FakeSendGrid.Text(Assert.Single(PairingMail(PrimaryMail)));
        // Children by grade: 赵六 (初中 1) before 李四 (初中 2).
        Assert.Contains("2 名结对学生本周尚无帮扶记录或本月尚无家访记录：赵六（李老师：本周帮扶、本月家访）；李四（王老师：本周帮扶、本月家访）", middleDigest, StringComparison.Ordinal);
        Assert.Contains("第一初级中学", middleDigest, StringComparison.Ordinal);
        Assert.Contains("张三（陈老师：本周帮扶、本月家访）", primaryDigest, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{17}[\dX]|1[3-9]\d{9}", middleDigest + primaryDigest);

        var item = Assert.Single(await HomeVisitItemsAsync(admin));
        Assert.Equal(("赵六", "school:4107260002", "open"), ((string)item["studentName"]!, (string)item["owner"]!, (string)item["status"]!));
        Assert.Equal("结对帮扶：2026年10月无家访记录（结对教师：李老师）", (string?)item["title"]);

        // Tuesday 11-03: 赵六 visited; the day's run mails each school again (this week's help still missing), once.
        await _mail.SetClockAsync("2026-11-03T09:00:00+08:00");
        await RecordAsync(t2, zhao, "home_visit", "2026-11-03");
        await _mail.FireAsync();
        await _mail.FireAsync();
        await _mail.SweepAsync();
        Assert.Equal(2, PairingMail(MiddleMail).Count);
        Assert.Equal(2, PairingMail(PrimaryMail).Count);
        Assert.Contains("2 名结对学生", FakeSendGrid.Text(PairingMail(MiddleMail)[^1]), StringComparison.Ordinal);
        Assert.Single(await HomeVisitItemsAsync(admin));

        // Coverage on 11-03: six children on the list at five schools, three paired (two schools), all three visited.
        var (status, coverage) = await admin.GetJsonAsync($"/api/cycles/{CycleId}/pairings/coverage");
        Assert.True(status == 200, $"{status} {coverage}");
        Assert.Equal("2026-11-03", (string?)coverage!["asOf"]);
        // Missed months: September (the approval's, no visit) for all three, October for 赵六. Missed weeks: W40 all
        // three, W41 张三 (no help), W42–W44 all three; W45 is under way.
        AssertFigures(coverage["county"]!, children: 6, paired: 3, visited: 3, rate: 100.0m, missedMonths: 4, missedWeeks: 13);
        var schools = coverage["schools"]!.AsArray();
        Assert.Equal(["4107260001", "4107260002", "4107260003", "4107260004", "4107260005"], schools.Select(s => (string)s!["schoolCode"]!));
        AssertFigures(schools[1]!, children: 2, paired: 2, visited: 2, rate: 100.0m, missedMonths: 3, missedWeeks: 8);
        Assert.Equal("第一初级中学", (string?)schools[1]!["schoolName"]);
        AssertFigures(schools[2]!, children: 1, paired: 0, visited: 0, rate: null, missedMonths: 0, missedWeeks: 0);

        using var officer = await _mail.App.ClientForRoleAsync("school_officer", Middle);
        var own = (await officer.GetJsonAsync($"/api/cycles/{CycleId}/pairings/coverage")).Body!;
        Assert.Equal([Middle], own["schools"]!.AsArray().Select(s => (string)s!["schoolCode"]!));
        AssertFigures(own["county"]!, children: 2, paired: 2, visited: 2, rate: 100.0m, missedMonths: 3, missedWeeks: 8);
        Assert.Equal(403, (await t1.GetJsonAsync($"/api/cycles/{CycleId}/pairings/coverage")).Status);

        var (_, standard) = await t2.GetJsonAsync($"/api/cycles/{CycleId}/pairings/standard?childId={zhao}");
        Assert.Equal(["2026-09:missed", "2026-10:missed", "2026-11:met"], standard!["months"]!.AsArray().Select(m => $"{(string)m!["period"]!}:{(string)m["status"]!}"));
        Assert.Equal("2026-W45:due", standard["weeks"]!.AsArray().Select(w => $"{(string)w!["period"]!}:{(string)w["status"]!}").Last());
        Assert.Equal(403, (await t1.GetJsonAsync($"/api/cycles/{CycleId}/pairings/standard?childId={zhao}")).Status);

        // The sixth week: each child helped on Monday 11-09; Tuesday's run mails each school once more, naming only the
        // children still without a visit in November, and opens nothing (November is not over).
        await _mail.SetClockAsync("2026-11-09T16:00:00+08:00");
        await RecordAsync(t1, li, "help", "2026-11-09");
        await RecordAsync(t2, zhao, "help", "2026-11-09");
        await RecordAsync(s1, zhang, "help", "2026-11-09");
        await _mail.SetClockAsync("2026-11-10T09:00:00+08:00");
        await _mail.FireAsync();
        await _mail.FireAsync();
        await _mail.SweepAsync();
        Assert.Equal(3, PairingMail(MiddleMail).Count);
        Assert.Equal(3, PairingMail(PrimaryMail).Count);
        Assert.Contains("1 名结对学生本周尚无帮扶记录或本月尚无家访记录：李四（王老师：本月家访）", FakeSendGrid.Text(PairingMail(MiddleMail)[^1]), StringComparison.Ordinal);
        Assert.DoesNotContain("赵六", FakeSendGrid.Text(PairingMail(MiddleMail)[^1]), StringComparison.Ordinal);
        Assert.Contains("张三（陈老师：本月家访）", FakeSendGrid.Text(PairingMail(PrimaryMail)[^1]), StringComparison.Ordinal);
        Assert.Single(await HomeVisitItemsAsync(admin));
    }

    private List<JsonNode> PairingMail(string to) =>
        [.. _mail.SentTo(to).Where(m => FakeSendGrid.Text(m).Contains("结对帮扶", StringComparison.Ordinal))];

    private static async Task<List<JsonNode>> HomeVisitItemsAsync(HttpClient admin)
    {
        var (status, page) = await admin.GetJsonAsync($"/api/cycles/{CycleId}/rectification?source=homeVisit&pageSize=1000");
        Assert.True(status == 200, $"{status} {page}");
        return [.. Items(page).Select(i => i!)];
    }

    private static async Task RecordAsync(HttpClient teacher, string childId, string kind, string date)
    {
        var (status, body) = await teacher.PostAsync(Records, new { childId, kind, date });
        Assert.True(status == 201, $"{status} {body}");
    }

    private static void AssertFigures(JsonNode figures, int children, int paired, int visited, decimal? rate, int missedMonths, int missedWeeks)
    {
        Assert.Equal(
            (children, paired, visited, rate, missedMonths, missedWeeks),
            ((int)figures["children"]!, (int)figures["pairedChildren"]!, (int)figures["visitedChildren"]!, (decimal?)figures["visitRate"], (int)figures["missedMonths"]!, (int)figures["missedWeeks"]!));
    }
}
