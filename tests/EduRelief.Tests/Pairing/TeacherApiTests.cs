using System.Text.Json.Nodes;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Pairing;

/// <summary>A school's teachers over HTTP against Azurite: upload (GBK CSV, XLSX), a bad file refused whole, list, deactivate, who may.</summary>
public sealed class TeacherApiTests : IAsyncLifetime
{
    public const string School = "4107260001";
    private const string Teachers = $"/api/counties/410726/schools/{School}/teachers";

    public static readonly string[] Header = ["姓名", "工号", "手机"];

    private AppProcess _app = null!;

    public async Task InitializeAsync() => _app = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Upload_GbkCsvWithFullWidthDigitsAndSpaces_ListsEachTeacherOnceWithPhoneMasked()
    {
        string[][] rows = [["王 老师", "ｔ００１", "138 1234 5678"], ["李老师", "T002", "１３９００００１１１１"]];

        var (status, body) = await _app.Admin.PutFileAsync(Teachers, SampleCounty.Csv(Header, rows, SampleCounty.Gbk), "text/csv");
        var (again, same) = await _app.Admin.PutFileAsync(Teachers, SampleCounty.Csv(Header, rows, SampleCounty.Gbk), "text/csv");
        var (_, list) = await _app.Admin.GetJsonAsync(Teachers);

        Assert.True(status == 200, $"{status} {body}");
        Assert.Equal((2, 2, 0), ((int)body!["rows"]!, (int)body["added"]!, (int)body["unchanged"]!));
        Assert.Equal((200, 0, 2), (again, (int)same!["added"]!, (int)same["unchanged"]!));
        var items = list!["items"]!.AsArray();
        Assert.Equal(["T001", "T002"], items.Select(t => (string)t!["id"]!).Order(StringComparer.Ordinal));
        var wang = items.Single(t => (string?)t!["id"] == "T001")!;
        Assert.Equal(("王老师", "138****5678", true), ((string)wang["name"]!, (string)wang["phone"]!, (bool)wang["active"]!));
        Assert.DoesNotContain("13812345678", list.ToJsonString(), StringComparison.Ordinal);
        Assert.True(list["continuationToken"] is null);
    }

    [Fact]
    public async Task Upload_Xlsx_AddsTeachers_KeptAcrossUploads_AndDeactivationStays()
    {
        var xlsx = SampleCounty.Xlsx(Header, [["赵老师", "T010", "13700001111"]], idColumn: 1, numericIds: false);
        Assert.Equal(200, (await _app.Admin.PutFileAsync(Teachers, xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).Status);
        Assert.Equal(200, (await _app.Admin.PutFileAsync(Teachers, SampleCounty.Csv(Header, [["钱老师", "T011", "13700002222"]], System.Text.Encoding.UTF8), "text/csv")).Status);

        var (deactivated, teacher) = await _app.Admin.PostAsync($"{Teachers}/T010/deactivate");
        var (_, list) = await _app.Admin.GetJsonAsync($"{Teachers}?pageSize=1");
        var (_, next) = await _app.Admin.GetJsonAsync($"{Teachers}?pageSize=1&continuationToken={Uri.EscapeDataString((string)list!["continuationToken"]!)}");

        Assert.Equal((200, false), (deactivated, (bool)teacher!["active"]!));
        Assert.NotNull((string?)teacher["deactivatedAt"]);
        var both = list["items"]!.AsArray().Concat(next!["items"]!.AsArray()).ToList();
        Assert.Equal(["T010", "T011"], both.Select(t => (string)t!["id"]!).Order(StringComparer.Ordinal));
        Assert.False((bool)both.Single(t => (string?)t!["id"] == "T010")!["active"]!);
        Assert.Equal(404, (await _app.Admin.PostAsync($"{Teachers}/T999/deactivate")).Status);
    }

    [Fact]
    public async Task Upload_BadRows_RefusesTheWholeFile_NamingRowAndColumn()
    {
        string[][] rows = [["周老师", "T020", "13800001111"], ["", "T021", "12345"], ["吴老师", "T020", "13800002222"]];

        var (status, problem) = await _app.Admin.PutFileAsync(Teachers, SampleCounty.Csv(Header, rows, SampleCounty.Gbk), "text/csv");
        var (missing, noColumn) = await _app.Admin.PutFileAsync(Teachers, SampleCounty.Csv(["姓名", "工号"], [["周老师", "T020"]], SampleCounty.Gbk), "text/csv");
        var (_, list) = await _app.Admin.GetJsonAsync(Teachers);

        Assert.Equal(400, status);
        var errors = problem!["errors"]!.AsObject();
        Assert.Equal(["row:3", "row:4"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        var row3 = string.Join(" ", errors["row:3"]!.AsArray().Select(m => (string)m!));
        Assert.Contains("姓名", row3, StringComparison.Ordinal);
        Assert.Contains("手机", row3, StringComparison.Ordinal);
        Assert.DoesNotContain("12345", row3, StringComparison.Ordinal);
        Assert.Contains("row 2", (string)errors["row:4"]![0]!, StringComparison.Ordinal);
        Assert.Equal(400, missing);
        Assert.True(noColumn!["errors"]!.AsObject().ContainsKey("column:手机"), noColumn.ToJsonString());
        Assert.Empty(list!["items"]!.AsArray());
    }

    [Fact]
    public async Task Roles_OfficerManagesOwnSchoolOnly_InspectorReads_TeacherAndOtherSchoolRefused()
    {
        using var own = await _app.ClientForRoleAsync("school_officer", School);
        using var other = await _app.ClientForRoleAsync("school_officer", "4107260002");
        using var inspector = await _app.ClientForRoleAsync("inspector");
        var key = await _app.Admin.PostAsync("/api/keys", new { name = "王老师", role = "teacher", schoolCode = School, teacherId = "T001", counties = new[] { "410726" } });
        Assert.Equal(201, key.Status);
        Assert.Equal("T001", (string?)key.Body!["teacherId"]);
        using var teacher = _app.CreateClient((string)key.Body["key"]!);
        var file = SampleCounty.Csv(Header, [["王老师", "T001", "13812345678"]], SampleCounty.Gbk);

        Assert.Equal(200, (await own.PutFileAsync(Teachers, file, "text/csv")).Status);
        Assert.Equal(403, (await other.PutFileAsync(Teachers, file, "text/csv")).Status);
        Assert.Equal(403, (await other.GetJsonAsync(Teachers)).Status);
        Assert.Equal(200, (await inspector.GetJsonAsync(Teachers)).Status);
        Assert.Equal(403, (await inspector.PutFileAsync(Teachers, file, "text/csv")).Status);
        Assert.Equal(403, (await teacher.GetJsonAsync(Teachers)).Status);
        Assert.Equal(403, (await teacher.PostAsync($"{Teachers}/T001/deactivate")).Status);
        Assert.Equal(400, (await _app.Admin.PostAsync("/api/keys", new { name = "x", role = "teacher", schoolCode = School, counties = new[] { "410726" } })).Status);
    }
}
