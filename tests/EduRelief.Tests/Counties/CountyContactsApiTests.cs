using System.Text.Json.Nodes;
using EduRelief.Counties;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Counties;

/// <summary>The county contacts directory over HTTP. Each test writes its own county of Henan (41xxxx).</summary>
public sealed class CountyContactsApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static object Contacts(string bureauEmail = "zizhu@yanjin.example.cn") => new
    {
        bureauName = "延津县教育局",
        hotlinePhone = "0373-7201234",
        objectionAddress = "延津县文化路 12 号教育局学生资助管理中心",
        bureauEmail,
        sections = new Dictionary<string, string> { ["资助股"] = "zizhugu@yanjin.example.cn" },
        schools = new Dictionary<string, string> { ["4107260001"] = "xiaoxue1@yanjin.example.cn" },
    };

    [Fact]
    public async Task PutContacts_ThenGet_ReturnsWhatWasStored()
    {
        var (put, stored) = await fixture.App.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410726/contacts", Contacts());
        var (get, read) = await fixture.App.Admin.GetJsonAsync("/api/counties/410726/contacts");

        Assert.Equal(200, put);
        Assert.Equal(200, get);
        Assert.Equal("0373-7201234", (string?)read!["hotlinePhone"]);
        Assert.Equal("zizhugu@yanjin.example.cn", (string?)read["sections"]!["资助股"]);
        Assert.Equal("xiaoxue1@yanjin.example.cn", (string?)read["schools"]!["4107260001"]);
        Assert.Equal((string?)stored!["updatedAt"], (string?)read["updatedAt"]);
    }

    [Fact]
    public async Task PutContacts_BadEmailAndSchoolKey_IsBadRequestNamingEachField()
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Contacts("not-an-address")))!.AsObject();
        body["schools"] = new JsonObject { ["41072600"] = "x@y.cn" };
        body.Remove("hotlinePhone");

        var (status, problem) = await fixture.App.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410725/contacts", body);

        Assert.Equal(400, status);
        var errors = problem!["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Equal(new HashSet<string> { "bureauEmail", "schools.41072600", "hotlinePhone" }, errors);
        var (get, _) = await fixture.App.Admin.GetJsonAsync("/api/counties/410725/contacts");
        Assert.Equal(404, get);
    }

    [Fact]
    public async Task PutContacts_NullMailbox_IsBadRequestNamingIt()
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Contacts()))!.AsObject();
        body["sections"] = new JsonObject { ["资助股"] = null };

        var (status, problem) = await fixture.App.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/410724/contacts", body);

        Assert.Equal(400, status);
        Assert.Contains("sections.资助股", problem!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task PutContacts_UnknownCountyOrNotAdmin_IsRefused()
    {
        // An officer of county 410727 itself: refused for the role, not the county.
        var officer = await fixture.App.ClientForRoleAsync("school_officer", "4107260001", ["410727"]);

        var (unknown, _) = await fixture.App.Admin.SendJsonAsync(HttpMethod.Put, "/api/counties/999999/contacts", Contacts());
        var (forbidden, _) = await officer.SendJsonAsync(HttpMethod.Put, "/api/counties/410727/contacts", Contacts());

        Assert.Equal(404, unknown);
        Assert.Equal(403, forbidden);
    }

    [Theory]
    [InlineData("school:4107260001", "xiaoxue1@yanjin.example.cn")]
    [InlineData("section:资助股", "zizhugu@yanjin.example.cn")]
    [InlineData("school:4107260002", "bureau@yanjin.example.cn")]
    [InlineData("section:财务股", "bureau@yanjin.example.cn")]
    [InlineData(null, "bureau@yanjin.example.cn")]
    [InlineData("school:41", "bureau@yanjin.example.cn")]
    public void EmailFor_Assignee_FallsBackToTheBureau(string? assignee, string expected)
    {
        var contacts = new CountyContacts(
            "410726", "延津县教育局", "0373-7201234", "地址", "bureau@yanjin.example.cn",
            new Dictionary<string, string> { ["资助股"] = "zizhugu@yanjin.example.cn" },
            new Dictionary<string, string> { ["4107260001"] = "xiaoxue1@yanjin.example.cn" },
            DateTimeOffset.UnixEpoch, "admin");

        Assert.Equal(expected, contacts.EmailFor(assignee));
    }
}
