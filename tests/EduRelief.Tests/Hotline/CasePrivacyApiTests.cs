using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>
/// Personal data in a case: ID and phone numbers typed into the content, notes, reasons and replies are stored masked,
/// however they were written; a tip-off's caller is shown to the bureau only, never to the school it names.
/// </summary>
public sealed class CasePrivacyApiTests(HotlineFixture fixture) : IClassFixture<HotlineFixture>
{
    private const string Url = "/api/hotline/cases";
    private const string School = "4107260001";

    private AppProcess App => fixture.App;

    private async Task<string> NewCaseAsync(string externalId, string category, string content)
    {
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
        var body = new
        {
            externalId,
            countyCode = "410726",
            receivedAt = "2026-10-09T09:30:00+08:00",
            category,
            callerName = "王女士",
            callerPhone = "13812345678",
            content,
            subject = new { schoolCode = School },
        };
        var (status, created) = await HotlineWebhook.PostAsync(App, body);
        Assert.Equal(201, status);
        return (string)created!["caseNumber"]!;
    }

    [Fact]
    public async Task FreeText_IdAndPhoneNumbersInAnySpelling_AreStoredMasked()
    {
        var number = await NewCaseAsync("privacy-text", "complaint", "孩子丁敏（身份证 4107 2620 1306 2800 25）的补助没到，回电１３９－１２３４－５６７８。");
        var officer = await App.ClientForRoleAsync("school_officer", School);

        Assert.Equal(200, (await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = $"school:{School}", note = "学生证号410726201306280025" })).Status);
        Assert.Equal(200, (await officer.PostAsync($"{Url}/{number}/progress", new { note = "已联系家长 139 1234 5678" })).Status);
        Assert.Equal(200, (await officer.PostAsync($"{Url}/{number}/extension", new { reason = "核实４１０７２６２０１３０６２８００２５的学籍", workingDays = 3 })).Status);
        Assert.Equal(200, (await App.Admin.PostAsync($"{Url}/{number}/extension/decision", new { decision = "refused", reason = "家长电话13912345678已接通" })).Status);
        var (replied, answer) = await officer.PostAsync($"{Url}/{number}/reply", new { reply = "已发放至41072620130628002X名下一卡通" });
        Assert.Equal(200, replied);

        var (_, detail) = await App.Admin.GetJsonAsync($"{Url}/{number}");
        Assert.Equal("孩子丁敏（身份证 410726********0025）的补助没到，回电139****5678。", (string?)detail!["content"]);
        Assert.Equal("已发放至410726********002X名下一卡通", (string?)answer!["reply"]);
        Assert.Equal("核实410726********0025的学籍", (string?)detail["extension"]!["reason"]);
        var text = detail.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("学生证号410726********0025", text, StringComparison.Ordinal);
        Assert.Contains("已联系家长 139****5678", text, StringComparison.Ordinal);
        Assert.Contains("家长电话139****5678已接通", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1234 5678", text, StringComparison.Ordinal);
        Assert.DoesNotContain("13912345678", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2800", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TipOff_SchoolItNamesAndInspector_NeverSeeTheCaller_TheBureauDoes()
    {
        var tipoff = await NewCaseAsync("privacy-tipoff", "tipoff", "举报学校虚报在校生。");
        var complaint = await NewCaseAsync("privacy-complaint", "complaint", "补助没到。");
        foreach (var number in new[] { tipoff, complaint })
        {
            Assert.Equal(200, (await App.Admin.PostAsync($"{Url}/{number}/assign", new { assignee = $"school:{School}" })).Status);
        }

        var officer = await App.ClientForRoleAsync("school_officer", School);
        var inspector = await App.ClientForRoleAsync("inspector");

        var (_, officerList) = await officer.GetJsonAsync($"{Url}?category=tipoff");
        var (_, officerDetail) = await officer.GetJsonAsync($"{Url}/{tipoff}");
        var (_, officerAction) = await officer.PostAsync($"{Url}/{tipoff}/progress", new { note = "正在核查" });
        var (_, inspectorDetail) = await inspector.GetJsonAsync($"{Url}/{tipoff}");
        var (_, officerComplaint) = await officer.GetJsonAsync($"{Url}/{complaint}");
        var (_, bureauDetail) = await App.Admin.GetJsonAsync($"{Url}/{tipoff}");
        var (_, bureauList) = await App.Admin.GetJsonAsync($"{Url}?category=tipoff");

        var officerViews = new[] { Assert.Single(officerList!["items"]!.AsArray())!, officerDetail!, officerAction!, inspectorDetail! };
        Assert.All(officerViews, v =>
        {
            Assert.Equal(tipoff, (string?)v["caseNumber"]);
            Assert.Null(v["callerName"]);
            Assert.Null(v["callerPhone"]);
            Assert.DoesNotContain("王女士", v.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("5678", v.ToJsonString(), StringComparison.Ordinal);
        });
        Assert.Equal("王女士", (string?)officerComplaint!["callerName"]);
        Assert.Equal("王女士", (string?)bureauDetail!["callerName"]);
        Assert.Equal("138****5678", (string?)bureauDetail["callerPhone"]);
        Assert.Contains(bureauList!["items"]!.AsArray(), i => (string?)i!["caseNumber"] == tipoff && (string?)i["callerName"] == "王女士");
    }
}
