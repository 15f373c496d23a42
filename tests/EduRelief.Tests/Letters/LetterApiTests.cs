using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Accounts;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Letters;

/// <summary>
/// The sample cycle taken to approval renders every school's 告知书 beside its notice; the bureau and each school's
/// officer read the figures and the print-ready letters (an officer only their school's), the school records deliveries
/// by the children's registry ids, and 知晓率 (signed / letters) follows per school and county. Sample county letters:
/// 0001 张三; 0002 李四 and 赵六 (confirmed); 0003 阿依古丽; 0005 吴九; 0004 (周八, vocational year 3) has no grant, so no letter.
/// </summary>
public sealed partial class LetterApiTests
{
    [Fact]
    public async Task Approve_SampleCycle_LettersPerSchoolDeliveriesAndAwarenessRate()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        Assert.Empty((await admin.GetJsonAsync($"/api/cycles/{id}/letters")).Body!["schools"]!.AsArray()); // nothing before approval

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "notice documents");

        var (status, figures) = await admin.GetJsonAsync($"/api/cycles/{id}/letters");
        Assert.Equal(200, status);
        Assert.Equal("signed", (string?)figures!["awarenessBasis"]);
        Assert.Equal(
            [("4107260001", "城关镇第一小学", 1), ("4107260002", "第一初级中学", 2), ("4107260003", "第一高级中学", 1), ("4107260005", "城关镇中心幼儿园", 1)],
            figures["schools"]!.AsArray().Select(s => ((string)s!["schoolCode"]!, (string)s["schoolName"]!, (int)s["letters"]!)));
        Assert.Equal((5, 0, 0, 0m), ((int)figures["letters"]!, (int)figures["delivered"]!, (int)figures["signed"]!, (decimal)figures["awarenessRate"]!));

        // The junior school's letters: two A4 letters, their own amounts, the account masked, no ID number.
        var page = await admin.GetAsync($"/api/cycles/{id}/letters/4107260002.html");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Exports.DownloadAssert.Private(page);
        var html = await page.Content.ReadAsStringAsync();
        var letters = html.Split("<section class=\"letter\">").Skip(1).ToList();
        Assert.Equal(2, letters.Count);
        Assert.Empty(IdNumber18().Matches(html));
        foreach (var number in new[] { SampleCounty.B, SampleCounty.D })
        {
            Assert.DoesNotContain(number, html, StringComparison.Ordinal);
        }

        var li = Assert.Single(letters, l => l.Contains("<p>李四 同学家长：</p>", StringComparison.Ordinal));
        var zhao = Assert.Single(letters, l => l.Contains("<p>赵六 同学家长：</p>", StringComparison.Ordinal));
        Assert.Contains(">375.00<", li, StringComparison.Ordinal);
        Assert.DoesNotContain("750.00", li, StringComparison.Ordinal);
        Assert.Contains(">750.00<", zhao, StringComparison.Ordinal);
        Assert.Contains(AccountRules.Mask(Disbursement.FakeAccountsRegistry.CardNumber(2)), li, StringComparison.Ordinal);
        Assert.Contains(AccountRules.Mask(Disbursement.FakeAccountsRegistry.CardNumber(4)), zhao, StringComparison.Ordinal);
        Assert.DoesNotContain(Disbursement.FakeAccountsRegistry.CardNumber(2), html, StringComparison.Ordinal);
        Assert.Contains(SampleCycleHotline, html, StringComparison.Ordinal);
        Assert.Contains("延津县文化路12号教育局学生资助管理中心", html, StringComparison.Ordinal);
        Assert.Contains("公示期满（10月12日）后", html, StringComparison.Ordinal);

        // The school's officer: its own school only, in the figures, the letters and the deliveries.
        using var officer = await app.ClientForRoleAsync("school_officer", "4107260002");
        var own = (await officer.GetJsonAsync($"/api/cycles/{id}/letters")).Body!;
        Assert.Equal(["4107260002"], own["schools"]!.AsArray().Select(s => (string)s!["schoolCode"]!));
        Assert.Equal(2, (int)own["letters"]!);
        Assert.Equal(200, (int)(await officer.GetAsync($"/api/cycles/{id}/letters/4107260002.html")).StatusCode);
        Assert.Equal(403, (int)(await officer.GetAsync($"/api/cycles/{id}/letters/4107260001.html")).StatusCode);
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{id}/letters/4107260001")).Status);
        Assert.Equal(404, (int)(await admin.GetAsync($"/api/cycles/{id}/letters/4107260004.html")).StatusCode);

        var children = (await officer.GetJsonAsync($"/api/cycles/{id}/letters/4107260002")).Body!["items"]!.AsArray();
        Assert.Equal(["李四", "赵六"], children.Select(c => (string)c!["name"]!).Order(StringComparer.Ordinal));
        Assert.Empty(IdNumber18().Matches(children.ToJsonString()));
        var liId = (string)children.Single(c => (string?)c!["name"] == "李四")!["id"]!;
        var zhaoId = (string)children.Single(c => (string?)c!["name"] == "赵六")!["id"]!;
        Assert.Contains(liId, li, StringComparison.Ordinal); // printed on the receipt, what the school records by

        var (delivered, liRecord) = await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = liId, status = "delivered" });
        Assert.Equal(200, delivered);
        Assert.Equal("delivered", (string?)liRecord!["status"]);
        Assert.EndsWith("+08:00", (string?)liRecord["deliveredAt"]);
        var (signed, zhaoRecord) = await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = zhaoId, status = "signed" });
        Assert.Equal(200, signed);
        Assert.Equal("signed", (string?)zhaoRecord!["status"]);
        Assert.NotNull(zhaoRecord["deliveredAt"]);
        // The same record again, or a step back, changes nothing.
        Assert.Equal("signed", (string?)(await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = zhaoId, status = "delivered" })).Body!["status"]);
        Assert.Equal("delivered", (string?)(await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = liId, status = "delivered" })).Body!["status"]);

        // Refusals: another school's letters, a status not in the contract, an ID number for an id, a child not of the school.
        var firstSchoolChild = (string)(await admin.GetJsonAsync($"/api/cycles/{id}/letters/4107260001")).Body!["items"]![0]!["id"]!;
        Assert.Equal(403, (await officer.PostAsync($"/api/cycles/{id}/letters/4107260001/delivery", new { childId = firstSchoolChild, status = "delivered" })).Status);
        var (badStatus, badStatusProblem) = await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = liId, status = "lost" });
        Assert.Equal(400, badStatus);
        Assert.NotNull(badStatusProblem!["errors"]!["status"]);
        var (badId, badIdProblem) = await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = SampleCounty.B, status = "signed" });
        Assert.Equal(400, badId);
        Assert.NotNull(badIdProblem!["errors"]!["childId"]);
        Assert.Equal(404, (await officer.PostAsync($"/api/cycles/{id}/letters/4107260002/delivery", new { childId = firstSchoolChild, status = "signed" })).Status);

        // The bureau records for any school: 0001's only letter signed.
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/letters/4107260001/delivery", new { childId = firstSchoolChild, status = "signed" })).Status);

        var after = (await admin.GetJsonAsync($"/api/cycles/{id}/letters")).Body!;
        var junior = after["schools"]!.AsArray().Single(s => (string?)s!["schoolCode"] == "4107260002")!;
        Assert.Equal((2, 2, 1, 50.0m), ((int)junior["letters"]!, (int)junior["delivered"]!, (int)junior["signed"]!, (decimal)junior["awarenessRate"]!));
        var primary = after["schools"]!.AsArray().Single(s => (string?)s!["schoolCode"] == "4107260001")!;
        Assert.Equal((1, 1, 1, 100.0m), ((int)primary["letters"]!, (int)primary["delivered"]!, (int)primary["signed"]!, (decimal)primary["awarenessRate"]!));
        Assert.Equal((5, 3, 2, 40.0m), ((int)after["letters"]!, (int)after["delivered"]!, (int)after["signed"]!, (decimal)after["awarenessRate"]!));
        var officerView = (await officer.GetJsonAsync($"/api/cycles/{id}/letters")).Body!;
        Assert.Equal((2, 2, 1, 50.0m), ((int)officerView["letters"]!, (int)officerView["delivered"]!, (int)officerView["signed"]!, (decimal)officerView["awarenessRate"]!));
    }

    private const string SampleCycleHotline = "0373-7201234";

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")]
    private static partial Regex IdNumber18();
}
