using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Calendar;
using EduRelief.Rectification;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Rectification;

/// <summary>One app process for the rectification tests; each test opens its own cycle (another semester).</summary>
public sealed class RectificationFixture : IAsyncLifetime
{
    private int _semester;

    public AppProcess App { get; private set; } = null!;

    public StorageAccount Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await AppProcess.StartAsync();
        Storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, App.Prefix, new RequestCounter());
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A fresh cycle of county 410726: 2040-spring, 2040-autumn, 2041-spring, …</summary>
    public async Task<string> NewCycleAsync()
    {
        var n = Interlocked.Increment(ref _semester) - 1;
        var semester = $"{2040 + (n / 2)}-{(n % 2 == 0 ? "spring" : "autumn")}";
        var (status, body) = await App.Admin.PostAsync("/api/cycles", new { countyCode = "410726", semester, noticeDays = 5 });
        Assert.Equal(201, status);
        return (string)body!["id"]!;
    }

    /// <summary>The store as other features call it, on the app's storage, with the real clock.</summary>
    public RectificationStore Store() => new(Storage, new WorkingCalendar(Storage, TimeProvider.System), TimeProvider.System);
}

public sealed class RectificationApiTests(RectificationFixture fixture) : IClassFixture<RectificationFixture>
{
    private const string School = "4107260001";
    private const string OtherSchool = "4107260002";

    private AppProcess App => fixture.App;

    private static object Finding(string title, string owner = "school:" + School, int? deadlineWorkingDays = null) =>
        new { title, description = "督导组现场检查发现", owner, deadlineWorkingDays };

    private static object Inspection(string inspectionId, params object[] findings) =>
        new { inspectionId, team = "县教育局督导室第一组", inspectedAt = "2026-10-09T09:00:00+08:00", findings };

    /// <summary>Records an inspection with one finding and answers the item's id.</summary>
    private async Task<string> NewItemAsync(string cycleId, string owner = "school:" + School, int? days = null)
    {
        var (status, body) = await App.Admin.PostAsync($"/api/cycles/{cycleId}/inspections", Inspection(Guid.NewGuid().ToString("N"), Finding("资助政策宣传不到位", owner, days)));
        Assert.Equal(201, status);
        return (string)body!["items"]![0]!["id"]!;
    }

    private static async Task<(int Status, JsonNode? Body)> UploadAsync(HttpClient client, string url, byte[] bytes, string contentType, string? fileName)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(fileName is null ? url : $"{url}?fileName={Uri.EscapeDataString(fileName)}", content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static string[] Keys(JsonNode? problem) => problem!["errors"]!.AsObject().Select(e => e.Key).Order().ToArray();

    private async Task<JsonNode> ItemAsync(string cycleId, string itemId)
    {
        var (status, body) = await App.Admin.GetJsonAsync($"/api/cycles/{cycleId}/rectification/{itemId}");
        Assert.Equal(200, status);
        return body!;
    }

    [Fact]
    public async Task Inspection_SameIdPostedInParallel_OpensEachFindingOnce()
    {
        var cycle = await fixture.NewCycleAsync();
        var body = Inspection("2026-督导-007", Finding("公示未张贴"), Finding("台账缺少签字", "section:资助股", 10));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => App.Admin.PostAsync($"/api/cycles/{cycle}/inspections", body)));

        Assert.Equal(1, answers.Count(a => a.Status == 201));
        Assert.Equal(7, answers.Count(a => a.Status == 200));
        var ids = answers.Select(a => string.Join(",", a.Body!["items"]!.AsArray().Select(i => (string)i!["id"]!))).Distinct().ToList();
        Assert.Equal(["R-000001,R-000002"], ids);
        var (_, list) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification");
        var items = list!["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.Equal("section:资助股", (string?)items[1]!["owner"]);
        Assert.Equal(10, (int)items[1]!["deadlineWorkingDays"]!);
        Assert.Equal("inspection", (string?)items[0]!["source"]);
    }

    [Fact]
    public async Task Inspection_SameIdOtherContent_IsConflict()
    {
        var cycle = await fixture.NewCycleAsync();
        Assert.Equal(201, (await App.Admin.PostAsync($"/api/cycles/{cycle}/inspections", Inspection("insp-x", Finding("公示未张贴")))).Status);

        var (status, problem) = await App.Admin.PostAsync($"/api/cycles/{cycle}/inspections", Inspection("insp-x", Finding("另一个问题")));

        Assert.Equal(409, status);
        Assert.Equal(["inspectionId"], Keys(problem));
    }

    [Fact]
    public async Task OpenAsync_SameSourceKeyConcurrently_OpensOneItem()
    {
        var cycle = await fixture.NewCycleAsync();
        var store = fixture.Store();
        var input = new RectificationItemInput(cycle, RectificationSources.Objection, "410726-2026-000123", "异议成立：王小明不符合资助条件", null, "section:资助股", StudentName: "王小明");

        var opened = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.OpenAsync(input, CancellationToken.None)));

        Assert.Single(opened, o => o.Created);
        Assert.Single(opened.Select(o => o.Item.Id).Distinct());
        var (_, list) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification?source=objection");
        Assert.Single(list!["items"]!.AsArray());
        var history = (await ItemAsync(cycle, opened[0].Item.Id))["history"]!.AsArray();
        Assert.Equal("opened", (string?)Assert.Single(history)!["action"]);
    }

    [Fact]
    public async Task Inspection_BadFindings_IsBadRequestNamingEachAndOpensNothing()
    {
        var cycle = await fixture.NewCycleAsync();
        var body = Inspection("insp-bad", Finding(""), Finding("公示未张贴"), Finding("台账不全", "school:41072600"), Finding("x", deadlineWorkingDays: 0));

        var (status, problem) = await App.Admin.PostAsync($"/api/cycles/{cycle}/inspections", body);

        Assert.Equal(400, status);
        Assert.Equal(["findings[0].title", "findings[2].owner", "findings[3].deadlineWorkingDays"], Keys(problem));
        var (_, list) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification");
        Assert.Empty(list!["items"]!.AsArray());
    }

    [Fact]
    public async Task Inspection_IdAndPhoneNumbersInFindings_AreStoredMasked()
    {
        var cycle = await fixture.NewCycleAsync();
        var finding = new
        {
            title = "学生 4107 2620 1001 0112 3X 未入学",
            description = "家长电话１３８－１２３４－５６７８，身份证４１０７２６２０１００１０１１２３Ｘ",
            owner = "school:" + School,
        };

        var (status, body) = await App.Admin.PostAsync($"/api/cycles/{cycle}/inspections", Inspection("insp-masked", finding));

        Assert.Equal(201, status);
        var item = (await ItemAsync(cycle, (string)body!["items"]![0]!["id"]!))["item"]!;
        Assert.Equal("学生 410726********123X 未入学", (string?)item["title"]);
        Assert.Equal("家长电话138****5678，身份证410726********123X", (string?)item["description"]);
    }

    [Fact]
    public async Task Inspection_BySchoolOfficer_IsForbidden()
    {
        var cycle = await fixture.NewCycleAsync();
        var officer = await App.ClientForRoleAsync("school_officer", School);

        Assert.Equal(403, (await officer.PostAsync($"/api/cycles/{cycle}/inspections", Inspection("insp-o", Finding("x")))).Status);
    }

    [Fact]
    public async Task Evidence_GoodPdfTwice_RecordsOnceAndStoresOneBlob()
    {
        var cycle = await fixture.NewCycleAsync();
        var item = await NewItemAsync(cycle);
        var officer = await App.ClientForRoleAsync("school_officer", School);
        var pdf = EvidenceSamples.Pdf($"cycle {cycle}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var url = $"/api/cycles/{cycle}/rectification/{item}/evidence";

        var (first, recorded) = await UploadAsync(officer, url, pdf, "application/pdf", "整改报告.pdf");
        var (second, _) = await UploadAsync(officer, url, pdf, "application/pdf", "整改报告.pdf");

        Assert.Equal(201, first);
        Assert.Equal(200, second);
        Assert.Equal(hash, (string?)recorded!["evidence"]!["sha256"]);
        var detail = await ItemAsync(cycle, item);
        var evidence = Assert.Single(detail["evidence"]!.AsArray())!;
        Assert.Equal(pdf.Length, (long)evidence["size"]!);
        Assert.Equal("application/pdf", (string?)evidence["contentType"]);
        Assert.Equal("整改报告.pdf", (string?)evidence["fileName"]);
        Assert.EndsWith("+08:00", (string?)evidence["uploadedAt"]);
        Assert.Equal(1, (int)detail["item"]!["evidenceCount"]!);
        var container = fixture.Storage.Blobs.GetBlobContainerClient(fixture.Storage.ContainerName("evidence"));
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"sha256/{hash}", CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal([$"sha256/{hash}"], blobs);
        using var download = await officer.GetAsync($"{url}/{hash}");
        Assert.Equal(200, (int)download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Evidence_PngRenamedAsPdf_IsBadRequestNamingFile()
    {
        var cycle = await fixture.NewCycleAsync();
        var item = await NewItemAsync(cycle);
        var url = $"/api/cycles/{cycle}/rectification/{item}/evidence";

        var (declaredPdf, problem) = await UploadAsync(App.Admin, url, EvidenceSamples.Png(), "application/pdf", "scan.pdf");
        var (namedPdf, _) = await UploadAsync(App.Admin, url, EvidenceSamples.Png(), "image/png", "scan.pdf");
        var (unknown, _) = await UploadAsync(App.Admin, url, "MZ\x90\0"u8.ToArray(), "application/pdf", "scan.pdf");

        Assert.Equal(400, declaredPdf);
        Assert.Equal(["file"], Keys(problem));
        Assert.Equal(400, namedPdf);
        Assert.Equal(400, unknown);
        Assert.Equal(0, (int)(await ItemAsync(cycle, item))["item"]!["evidenceCount"]!);
    }

    [Fact]
    public async Task Evidence_XlsxAsMultipart_IsRecordedWithIdNumbersInItsNameMasked()
    {
        var cycle = await fixture.NewCycleAsync();
        var item = await NewItemAsync(cycle);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(EvidenceSamples.Xlsx());
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(EvidenceFormats.Xlsx);
        form.Add(file, "file", "41072620100101123X 入学证明.xlsx");

        using var response = await App.Admin.PostAsync($"/api/cycles/{cycle}/rectification/{item}/evidence", form);

        Assert.Equal(201, (int)response.StatusCode);
        var evidence = Assert.Single((await ItemAsync(cycle, item))["evidence"]!.AsArray())!;
        Assert.Equal(EvidenceFormats.Xlsx, (string?)evidence["contentType"]);
        Assert.Equal("410726********123X 入学证明.xlsx", (string?)evidence["fileName"]);
    }

    [Fact]
    public async Task Evidence_Over20MiB_Returns413AndRecordsNothing()
    {
        var cycle = await fixture.NewCycleAsync();
        var item = await NewItemAsync(cycle);
        var big = new byte[21 * 1024 * 1024];
        "%PDF-1.4\n"u8.CopyTo(big);

        var (status, _) = await UploadAsync(App.Admin, $"/api/cycles/{cycle}/rectification/{item}/evidence", big, "application/pdf", "big.pdf");

        Assert.Equal(413, status);
        Assert.Equal(0, (int)(await ItemAsync(cycle, item))["item"]!["evidenceCount"]!);
    }

    [Fact]
    public async Task Lifecycle_SubmitReturnSubmitAccept_RecordsEveryChangeInHistory()
    {
        var cycle = await fixture.NewCycleAsync();
        var item = await NewItemAsync(cycle);
        var officer = await App.ClientForRoleAsync("school_officer", School);
        var baseUrl = $"/api/cycles/{cycle}/rectification/{item}";

        var (noEvidence, problem) = await officer.PostAsync($"{baseUrl}/submit", new { note = "已整改" });
        Assert.Equal(400, noEvidence);
        Assert.Equal(["evidence"], Keys(problem));
        Assert.Equal(201, (await UploadAsync(officer, $"{baseUrl}/evidence", EvidenceSamples.Pdf("一"), "application/pdf", "一.pdf")).Status);
        var (submitted, afterSubmit) = await officer.PostAsync($"{baseUrl}/submit", new { note = "已在校门口张贴公示" });
        Assert.Equal(200, submitted);
        Assert.Equal("submitted", (string?)afterSubmit!["status"]);
        Assert.Equal(409, (await UploadAsync(officer, $"{baseUrl}/evidence", EvidenceSamples.Png(), "image/png", "二.png")).Status);
        Assert.Equal(403, (await officer.PostAsync($"{baseUrl}/accept")).Status);
        var (noReason, reasonProblem) = await App.Admin.PostAsync($"{baseUrl}/return", new { reason = "" });
        Assert.Equal(400, noReason);
        Assert.Equal(["reason"], Keys(reasonProblem));
        var (returned, afterReturn) = await App.Admin.PostAsync($"{baseUrl}/return", new { reason = "缺少现场照片（学生410726201503010118）" });
        Assert.Equal(200, returned);
        Assert.Equal("returned", (string?)afterReturn!["status"]);
        // An ID number typed into free text is kept masked: the reason goes to the 整改台账 inspectors receive.
        Assert.Equal("缺少现场照片（学生410726********0118）", (string?)afterReturn["returnReason"]);
        Assert.Equal(201, (await UploadAsync(officer, $"{baseUrl}/evidence", EvidenceSamples.Png(), "image/png", "现场.png")).Status);
        Assert.Equal(200, (await officer.PostAsync($"{baseUrl}/submit", new { note = "补充现场照片" })).Status);
        var (accepted, afterAccept) = await App.Admin.PostAsync($"{baseUrl}/accept", new { note = "验收通过" });
        Assert.Equal(200, accepted);
        Assert.Equal("accepted", (string?)afterAccept!["status"]);
        Assert.NotNull((string?)afterAccept["acceptedAt"]);
        Assert.Equal(409, (await App.Admin.PostAsync($"{baseUrl}/accept")).Status);

        var history = (await ItemAsync(cycle, item))["history"]!.AsArray();
        Assert.Equal(["opened", "evidence", "submitted", "returned", "evidence", "submitted", "accepted"], history.Select(h => (string)h!["action"]!).ToArray());
        Assert.Equal(["open", "open", "submitted", "returned", "returned", "submitted", "accepted"], history.Select(h => (string)h!["to"]!).ToArray());
        Assert.Equal("submitted", (string?)history[3]!["from"]);
        Assert.Equal("缺少现场照片（学生410726********0118）", (string?)history[3]!["note"]);
        Assert.Equal("验收通过", (string?)history[6]!["note"]);
        Assert.Equal("bootstrap administrator", (string?)history[6]!["actor"]);
        Assert.Equal("school_officer test", (string?)history[2]!["actor"]);
        Assert.All(history, h => Assert.EndsWith("+08:00", (string?)h!["at"]));
    }

    [Fact]
    public async Task Decision_AcceptAndReturnAtOnce_OneWinsTheOtherIsConflict()
    {
        var cycle = await fixture.NewCycleAsync();
        for (var round = 0; round < 3; round++)
        {
            var item = await NewItemAsync(cycle);
            var baseUrl = $"/api/cycles/{cycle}/rectification/{item}";
            Assert.Equal(201, (await UploadAsync(App.Admin, $"{baseUrl}/evidence", EvidenceSamples.Pdf(item), "application/pdf", null)).Status);
            Assert.Equal(200, (await App.Admin.PostAsync($"{baseUrl}/submit", new { note = "资助股已整改" })).Status);

            var answers = await Task.WhenAll(App.Admin.PostAsync($"{baseUrl}/accept"), App.Admin.PostAsync($"{baseUrl}/return", new { reason = "材料不全" }));

            Assert.Equal([200, 409], answers.Select(a => a.Status).Order().ToArray());
            var winner = answers.Single(a => a.Status == 200).Body!;
            var detail = await ItemAsync(cycle, item);
            Assert.Equal((string?)winner["status"], (string?)detail["item"]!["status"]);
            Assert.Single(detail["history"]!.AsArray(), h => (string?)h!["action"] is "accepted" or "returned");
        }
    }

    [Fact]
    public async Task SchoolOfficer_OtherSchoolsItems_AreHiddenAndRefused()
    {
        var cycle = await fixture.NewCycleAsync();
        var mine = await NewItemAsync(cycle);
        var theirs = await NewItemAsync(cycle, "school:" + OtherSchool);
        var officer = await App.ClientForRoleAsync("school_officer", School);
        var inspector = await App.ClientForRoleAsync("inspector");

        var (_, list) = await officer.GetJsonAsync($"/api/cycles/{cycle}/rectification");
        Assert.Equal([mine], list!["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray());
        Assert.Equal(403, (await officer.GetJsonAsync($"/api/cycles/{cycle}/rectification?owner=school:{OtherSchool}")).Status);
        Assert.Equal(404, (await officer.GetJsonAsync($"/api/cycles/{cycle}/rectification/{theirs}")).Status);
        Assert.Equal(404, (await UploadAsync(officer, $"/api/cycles/{cycle}/rectification/{theirs}/evidence", EvidenceSamples.Pdf(), "application/pdf", null)).Status);
        Assert.Equal(404, (await officer.PostAsync($"/api/cycles/{cycle}/rectification/{theirs}/submit", new { note = "x" })).Status);
        Assert.Equal(200, (await inspector.GetJsonAsync($"/api/cycles/{cycle}/rectification/{theirs}")).Status);
        Assert.Equal(403, (await UploadAsync(inspector, $"/api/cycles/{cycle}/rectification/{theirs}/evidence", EvidenceSamples.Pdf(), "application/pdf", null)).Status);
        Assert.Equal(0, (int)(await ItemAsync(cycle, theirs))["item"]!["evidenceCount"]!);
    }

    [Fact]
    public async Task Dropout_EnrolledWithoutEvidence_IsSubmittedWithTheSchool()
    {
        var cycle = await fixture.NewCycleAsync();
        var opened = await fixture.Store().OpenAsync(
            new RectificationItemInput(cycle, RectificationSources.NotEnrolled, "d-000042", "控辍保学：李小花未在学籍名册中", "城关镇东村，12 岁", "school:" + School, School, "城关镇", "李小花"),
            CancellationToken.None);
        var officer = await App.ClientForRoleAsync("school_officer", School);
        var url = $"/api/cycles/{cycle}/rectification/{opened.Item.Id}/submit";

        var (noOutcome, problem) = await officer.PostAsync(url, new { note = "已劝返" });
        var (noClass, classProblem) = await officer.PostAsync(url, new { note = "已劝返入学", outcome = "enrolled", schoolCode = OtherSchool, stage = "初中", grade = 4 });
        var (status, item) = await officer.PostAsync(url, new { note = "已劝返入学", outcome = "enrolled", schoolCode = OtherSchool, stage = "小学", grade = 6, boarding = true });

        Assert.Equal(400, noOutcome);
        Assert.Equal(["outcome"], Keys(problem));
        Assert.Equal(400, noClass); // the class prices the aid the child is owed: 初中 has grades 1 to 3
        Assert.Equal(["grade"], Keys(classProblem));
        Assert.Equal(200, status);
        Assert.Equal("enrolled", (string?)item!["outcome"]);
        Assert.Equal(OtherSchool, (string?)item["outcomeSchoolCode"]);
        Assert.Equal("小学", (string?)item["outcomeStage"]);
        Assert.Equal(6, (int)item["outcomeGrade"]!);
        Assert.True((bool)item["outcomeBoarding"]!);
        Assert.Equal("李小花", (string?)item["studentName"]);
    }

    [Fact]
    public async Task Summary_CountsByStatusRateAndOverdueOnTheDevClock()
    {
        var cycle = await fixture.NewCycleAsync();
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" }); // a Friday
        var items = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            items.Add(await NewItemAsync(cycle, days: 5));
        }

        var longer = await NewItemAsync(cycle, days: 15);
        var baseUrl = $"/api/cycles/{cycle}/rectification";
        Assert.Equal(201, (await UploadAsync(App.Admin, $"{baseUrl}/{items[0]}/evidence", EvidenceSamples.Pdf("s"), "application/pdf", null)).Status);
        Assert.Equal(200, (await App.Admin.PostAsync($"{baseUrl}/{items[0]}/submit", new { note = "已整改" })).Status);
        Assert.Equal(200, (await App.Admin.PostAsync($"{baseUrl}/{items[0]}/accept")).Status);
        Assert.Equal(201, (await UploadAsync(App.Admin, $"{baseUrl}/{items[1]}/evidence", EvidenceSamples.Pdf("t"), "application/pdf", null)).Status);
        Assert.Equal(200, (await App.Admin.PostAsync($"{baseUrl}/{items[1]}/submit", new { note = "已整改" })).Status);
        Assert.Equal("2026-10-15T23:59:59+08:00", (string?)(await ItemAsync(cycle, items[2]))["item"]!["dueAt"]); // DOMAIN.md: Friday 10-09 + 5 → 10-15

        var (_, before) = await App.Admin.GetJsonAsync($"{baseUrl}/summary");
        await App.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-16T00:00:01+08:00" });
        var (status, after) = await App.Admin.GetJsonAsync($"{baseUrl}/summary");
        var (_, overdue) = await App.Admin.GetJsonAsync($"{baseUrl}?overdue=true");

        Assert.Equal(0, (int)before!["overdue"]!);
        Assert.Equal(200, status);
        Assert.Equal(4, (int)after!["items"]!);
        Assert.Equal(2, (int)after["open"]!);
        Assert.Equal(1, (int)after["submitted"]!);
        Assert.Equal(1, (int)after["accepted"]!);
        Assert.Equal(0.25m, (decimal)after["rate"]!);
        Assert.Equal(1, (int)after["overdue"]!); // items[2]; items[1] is with the bureau, the 15-day one is not due yet
        Assert.Equal([items[2]], overdue!["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray());
        Assert.True((bool)overdue["items"]![0]!["overdue"]!);
        Assert.DoesNotContain(longer, overdue["items"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public async Task Summary_NoItems_RateIsNull()
    {
        var cycle = await fixture.NewCycleAsync();

        var (status, summary) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification/summary");

        Assert.Equal(200, status);
        Assert.Equal(0, (int)summary!["items"]!);
        Assert.Null(summary["rate"]);
    }

    [Fact]
    public async Task Workbook_OpensAndListsEveryItemWithChineseHeaders()
    {
        var cycle = await fixture.NewCycleAsync();
        var first = await NewItemAsync(cycle);
        await NewItemAsync(cycle, "section:资助股");
        var inspector = await App.ClientForRoleAsync("inspector");
        var officer = await App.ClientForRoleAsync("school_officer", School);

        using var response = await inspector.GetAsync($"/api/cycles/{cycle}/rectification.xlsx");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(403, (int)(await officer.GetAsync($"/api/cycles/{cycle}/rectification.xlsx")).StatusCode);
        var rows = WorkbookRows(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, rows.Count);
        Assert.Equal(["序号", "整改编号", "问题来源", "问题描述"], rows[0][..4]);
        Assert.Contains("整改时限", rows[0]);
        Assert.Contains("佐证材料数", rows[0]);
        Assert.Equal(["1", first, "督导检查"], rows[1][..3]);
        Assert.Contains("资助政策宣传不到位", rows[1][3]);
        Assert.Contains("资助股", rows[2]);
        Assert.Contains("待整改", rows[2]);
    }

    /// <summary>The 整改台账's one sheet, each row's cells as text (the header first).</summary>
    public static List<string[]> WorkbookRows(byte[] xlsx)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var workbook = document.WorkbookPart!;
        var sheet = Assert.Single(workbook.Workbook.Sheets!.Elements<Sheet>());
        Assert.Equal("整改台账", sheet.Name?.Value);
        return ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>()
            .Select(r => r.Elements<Cell>().Select(c => c.InlineString?.InnerText ?? c.CellValue?.Text ?? "").ToArray()).ToList();
    }

    [Fact]
    public async Task List_PageSizeOne_PagesThroughItemsInIdOrder()
    {
        var cycle = await fixture.NewCycleAsync();
        var first = await NewItemAsync(cycle);
        var second = await NewItemAsync(cycle, "section:资助股");

        var (_, page1) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification?pageSize=1");
        var token = (string?)page1!["continuationToken"];
        Assert.NotNull(token);
        var (_, page2) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification?pageSize=1&continuationToken={Uri.EscapeDataString(token)}");

        Assert.Equal(first, (string?)Assert.Single(page1["items"]!.AsArray())!["id"]);
        Assert.Equal(second, (string?)page2!["items"]![0]!["id"]);
        Assert.Equal(400, (await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification?pageSize=0")).Status);
    }

    [Fact]
    public async Task List_BadFilter_IsBadRequestNamingIt()
    {
        var cycle = await fixture.NewCycleAsync();

        var (status, problem) = await App.Admin.GetJsonAsync($"/api/cycles/{cycle}/rectification?status=closed&overdue=yes");

        Assert.Equal(400, status);
        Assert.Equal(["overdue", "status"], Keys(problem));
        Assert.Equal(404, (await App.Admin.GetJsonAsync("/api/cycles/410726-2099-spring/rectification")).Status);
    }
}
