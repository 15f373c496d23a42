using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Counties;

/// <summary>
/// The 七长制 people in the county's contacts over HTTP, and the chain a 控辍保学 item shows: the sample's 郑十 (age 10,
/// in no school) lives in 东屯镇 后屯村.
/// </summary>
public sealed class ResponsibilityChainApiTests
{
    private static JsonObject ContactsWithChain(string? villageHead)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(SampleCycle.Contacts))!.AsObject();
        var villages = new JsonObject { ["东屯村"] = "周平" };
        if (villageHead is not null)
        {
            villages["后屯村"] = villageHead;
        }

        body["townships"] = new JsonObject
        {
            ["东屯镇"] = new JsonObject { ["head"] = "陈立", ["centralSchoolPrincipal"] = "吴刚", ["email"] = "dongtun@yanjin.example.cn", ["villages"] = villages },
            ["城关镇"] = new JsonObject { ["head"] = "李建国" },
        };
        body["principals"] = new JsonObject { ["4107260001"] = "刘洋" };
        return body;
    }

    private static string[] Links(JsonNode line) =>
        [.. line.AsArray().Select(l => $"{(string)l!["title"]!}:{(string?)l["unit"]}:{(string?)l["name"]}")];

    [Fact]
    public async Task DropoutItem_ShowsItsChainFromTheContacts_AndWhoIsMissingOnceAHeadIsRemoved()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        var (put, stored) = await admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", ContactsWithChain("孙丽"));
        Assert.Equal(200, put);
        Assert.Equal("孙丽", (string?)stored!["townships"]!["东屯镇"]!["villages"]!["后屯村"]);
        Assert.Equal("刘洋", (string?)(await admin.GetJsonAsync("/api/counties/410726/contacts")).Body!["principals"]!["4107260001"]);

        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        var dropout = (await Eventually.UntilAsync(
            () => admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=notEnrolled"),
            r => r.Body!["items"]!.AsArray().Count == 1,
            TimeSpan.FromSeconds(60),
            "the 控辍保学 item")).Body!["items"]![0]!;
        Assert.Equal(("东屯镇", "后屯村"), ((string)dropout["township"]!, (string)dropout["village"]!));

        var url = $"/api/cycles/{id}/rectification/{(string)dropout["id"]!}";
        var chain = (await admin.GetJsonAsync(url)).Body!["chain"]!;
        Assert.Equal(["乡镇长:东屯镇:陈立", "村委会主任:后屯村:孙丽"], Links(chain["administrative"]!));
        Assert.Equal(["中心校校长:东屯镇:吴刚"], Links(chain["education"]!));
        Assert.Empty(chain["missing"]!.AsArray());

        Assert.Equal(200, (await admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", ContactsWithChain(villageHead: null))).Status);
        var after = (await admin.GetJsonAsync(url)).Body!["chain"]!;
        Assert.Equal(["村委会主任（后屯村）"], after["missing"]!.AsArray().Select(m => (string)m!));
        Assert.Equal(["乡镇长:东屯镇:陈立", "村委会主任:后屯村:"], Links(after["administrative"]!));
    }

    [Fact]
    public async Task PutContacts_BadChainEntries_IsBadRequestNamingEachField()
    {
        await using var app = await AppProcess.StartAsync();
        var body = ContactsWithChain("孙丽");
        body["townships"]!["东屯镇"]!["email"] = "not-an-address";
        body["townships"]!["东屯镇"]!["villages"]![" 后屯村"] = "某某";
        body["townships"]![" 城关镇"] = new JsonObject { ["head"] = "某某" };
        body["townships"]!["石婆固镇"] = null;
        body["principals"]!["41072600"] = "某某";
        body["principals"]!["4107260002"] = new string('长', 51);

        var (status, problem) = await app.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", body);

        Assert.Equal(400, status);
        Assert.Equal(
            ["principals.41072600", "principals.4107260002", "townships. 城关镇", "townships.东屯镇.email", "townships.东屯镇.villages. 后屯村", "townships.石婆固镇"],
            problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PutContacts_VillageWithoutAHead_IsLeftOut_ChainTooLongForOneRow_Is400()
    {
        await using var app = await AppProcess.StartAsync();
        var body = ContactsWithChain("孙丽");
        body["townships"]!["东屯镇"]!["villages"]!["前屯村"] = null;
        body["townships"]!["东屯镇"]!["villages"]!["西屯村"] = "  ";

        var (status, stored) = await app.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", body);

        Assert.Equal(200, status);
        Assert.Equal(["东屯村", "后屯村"], stored!["townships"]!["东屯镇"]!["villages"]!.AsObject().Select(v => v.Key).Order(StringComparer.Ordinal));

        var principals = new JsonObject();
        for (var i = 0; i < 2_000; i++)
        {
            principals[$"41072{i:D5}"] = "欧阳校长某某";
        }

        body["principals"] = principals;
        var (tooLong, problem) = await app.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", body);
        Assert.Equal(400, tooLong);
        Assert.Equal(["principals"], problem!["errors"]!.AsObject().Select(e => e.Key));
    }
}
