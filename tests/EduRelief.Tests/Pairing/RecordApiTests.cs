using System.Net.Http.Headers;
using EduRelief.Tests.Hosting;
using Xunit;
using static EduRelief.Tests.Pairing.PairingSample;

namespace EduRelief.Tests.Pairing;

/// <summary>Records over HTTP: by two teachers, notes masked on write, a photo checked by its bytes, corrections as new records, who may.</summary>
public sealed class RecordApiTests : ApprovedSampleTests
{
    private const string Records = $"/api/cycles/{CycleId}/pairings/records";

    private string _li = "";
    private string _zhao = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var items = Items((await App.Admin.PostAsync($"{Pairings(Middle)}/propose")).Body);
        (_li, _zhao) = (ChildOf(items, "李四"), ChildOf(items, "赵六"));
        var (edited, body) = await App.Admin.SendJsonAsync(HttpMethod.Put, Pairings(Middle), new
        {
            items = new object[] { new { childId = _li, teacherIds = new[] { "T1" } }, new { childId = _zhao, teacherIds = new[] { "T2" } } },
        });
        Assert.True(edited == 200, $"{edited} {body}");
    }

    [Fact]
    public async Task TwoTeachers_RecordTheirOwnChildren_NotesMasked_CorrectionIsANewRecord()
    {
        using var t1 = await TeacherAsync(App, Middle, "T1");
        using var t2 = await TeacherAsync(App, Middle, "T2");

        var (visited, visit) = await t1.PostAsync(Records, new { childId = _li, kind = "home_visit", date = "2026-09-30", notes = "家长电话 138 1234 5678，身份证 410726201205050221 已核对" });
        var (helped, help) = await t2.PostAsync(Records, new { childId = _zhao, kind = "help", date = "2026-09-30", notes = "数学辅导" });
        var (corrected, correction) = await t1.PostAsync(Records, new { childId = _li, kind = "phone", date = "2026-09-30", notes = "实为电话联系", corrects = (string)visit!["id"]! });
        var (_, list) = await t1.GetJsonAsync($"{Records}?childId={_li}");

        Assert.True(visited == 201, $"{visited} {visit}");
        Assert.Equal(("T1", "王老师", "家访"), ((string)visit["teacherId"]!, (string)visit["teacherName"]!, (string)visit["kindLabel"]!));
        Assert.Equal("家长电话 138****5678，身份证 410726********0221 已核对", (string?)visit["notes"]);
        Assert.Equal((201, "T2"), (helped, (string)help!["teacherId"]!));
        Assert.Equal(201, corrected);
        var records = Items(list);
        Assert.Equal(2, records.Count);
        Assert.Equal((string?)correction!["id"], (string?)records[0]!["correctedBy"]);
        Assert.Equal((string?)visit["id"], (string?)records[1]!["corrects"]);
        Assert.Equal("home_visit", (string?)records[0]!["kind"]);
        Assert.DoesNotContain("13812345678", list!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roles_TeacherReachesOnlyTheirChild_OfficerOnlyTheirSchool_InspectorOnlyReads()
    {
        using var t1 = await TeacherAsync(App, Middle, "T1");
        using var officer = await App.ClientForRoleAsync("school_officer", Middle);
        using var otherOfficer = await App.ClientForRoleAsync("school_officer", Primary);
        using var inspector = await App.ClientForRoleAsync("inspector");
        var help = new { childId = _zhao, kind = "help", date = "2026-09-30" };

        Assert.Equal(403, (await t1.PostAsync(Records, help)).Status);
        Assert.Equal(403, (await t1.GetJsonAsync($"{Records}?childId={_zhao}")).Status);
        Assert.Equal(403, (await otherOfficer.PostAsync(Records, help)).Status);
        Assert.Equal(403, (await otherOfficer.GetJsonAsync($"{Records}?childId={_zhao}")).Status);
        var (byOfficer, record) = await officer.PostAsync(Records, help);
        Assert.Equal((201, "T2"), (byOfficer, (string)record!["teacherId"]!));
        Assert.Equal(400, (await officer.PostAsync(Records, new { childId = _zhao, kind = "help", date = "2026-09-30", teacherId = "T1" })).Status);
        Assert.Equal(200, (await inspector.GetJsonAsync($"{Records}?childId={_zhao}")).Status);
        Assert.Equal(403, (await inspector.PostAsync(Records, help)).Status);
    }

    [Fact]
    public async Task Validation_KindDateCorrectsPhoto_NamedByField_UnknownChild404()
    {
        var (bad, problem) = await App.Admin.PostAsync(Records, new { childId = _li, kind = "visit", date = "2026-09-29", corrects = "0000000000000000000-00000000", photoSha256 = new string('a', 64) });
        var (future, _) = await App.Admin.PostAsync(Records, new { childId = _li, kind = "help", date = "2027-01-01" });

        Assert.Equal(400, bad);
        Assert.Equal(["corrects", "date", "kind", "photoSha256"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(400, future);
        Assert.Equal(404, (await App.Admin.GetJsonAsync($"{Records}?childId={new string('A', 43)}")).Status);
        Assert.Equal(400, (await App.Admin.GetJsonAsync($"{Records}?childId=410726201205050221")).Status);
    }

    [Fact]
    public async Task Photo_CheckedByItsBytes_NamedByARecord_ServedToWhoReachesTheChild()
    {
        using var t1 = await TeacherAsync(App, Middle, "T1");
        using var t2 = await TeacherAsync(App, Middle, "T2");
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3];

        var (uploaded, photo) = await Upload(t1, png, "image/png");
        var (refused, _) = await Upload(t1, "not really an image"u8.ToArray(), "image/png");
        var (_, record) = await t1.PostAsync(Records, new { childId = _li, kind = "home_visit", date = "2026-09-30", photoSha256 = (string)photo!["sha256"]! });
        using var served = await t1.GetAsync($"{Records}/{(string)record!["id"]!}/photo?childId={_li}");
        using var other = await t2.GetAsync($"{Records}/{(string)record["id"]!}/photo?childId={_li}");

        Assert.Equal((201, "image/png"), (uploaded, (string)photo["contentType"]!));
        Assert.Equal(400, refused);
        Assert.Equal((string?)photo["sha256"], (string?)record["photo"]!["sha256"]);
        Assert.Equal(200, (int)served.StatusCode);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(403, (int)other.StatusCode);
    }

    private static async Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> Upload(HttpClient client, byte[] bytes, string type)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        using var response = await client.PostAsync($"/api/cycles/{CycleId}/pairings/photos", content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? System.Text.Json.Nodes.JsonNode.Parse(text) : null);
    }
}
