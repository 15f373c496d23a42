using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Reminders;

/// <summary>An app wired to a fake SendGrid, with a known invocation token and a reminder schedule that never fires on its own.</summary>
public sealed class MailApp : IAsyncDisposable
{
    public const string Token = "reminder-test-token";
    public const string County = "410726";
    public const string School = "2141007261";
    public const string BureauEmail = "bureau@example.gov.cn";
    public const string SchoolEmail = "school1@example.cn";
    public const string SectionEmail = "aid@example.gov.cn";
    public const string CallerName = "王女士";
    public const string CallerPhone = "13812345678";
    public const string Content = "孩子的生活补助还没有到账，请尽快核实。";

    private MailApp(AppProcess app, FakeSendGrid sendGrid)
    {
        App = app;
        SendGrid = sendGrid;
        Invoker = app.CreateClient(null);
        Invoker.DefaultRequestHeaders.Add("X-EduRelief-Invocation", Token);
    }

    public AppProcess App { get; }

    public FakeSendGrid SendGrid { get; }

    public HttpClient Invoker { get; }

    public static Dictionary<string, string> Environment(FakeSendGrid sendGrid)
    {
        var env = sendGrid.Environment;
        env["EDURELIEF_INVOCATION_TOKEN"] = Token;
        // 1 January only: the test fires the function itself; the runner must not fire it in between.
        env["EDURELIEF_REMINDER_SCHEDULE"] = "0 0 1 1 1 *";
        // Likewise the sweep, which also sends due mail: a runner-fired sweep racing the test's own sends would make
        // "sent by now?" a matter of luck. Tests sweep explicitly (SweepAsync).
        env["EDURELIEF_SWEEP_SCHEDULE"] = "0 0 1 1 1 *";
        env["EDURELIEF_MAIL_RETRY_BASE"] = "00:00:01";
        return env;
    }

    public static async Task<MailApp> StartAsync(string? prefix = null, FakeSendGrid? sendGrid = null)
    {
        sendGrid ??= new FakeSendGrid();
        return new MailApp(await AppProcess.StartAsync(prefix, Environment(sendGrid)), sendGrid);
    }

    /// <summary>An app started with settings of its own (e.g. the default reminder schedule); disposing this disposes both.</summary>
    public static MailApp Wrap(AppProcess app, FakeSendGrid sendGrid) => new(app, sendGrid);

    public Task SetClockAsync(string iso) => SetClockAsync(App, iso);

    public static async Task SetClockAsync(AppProcess app, string iso)
    {
        var (status, _) = await app.Admin.PostAsync("/api/dev/clock", new { setTo = iso });
        Assert.Equal(200, status);
    }

    public async Task PutContactsAsync(string county = County)
    {
        var (status, body) = await App.Admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{county}/contacts", new
        {
            bureauName = "测试县教育局",
            hotlinePhone = "0373-1234567",
            objectionAddress = "测试县人民路1号",
            bureauEmail = BureauEmail,
            sections = new Dictionary<string, string> { ["资助股"] = SectionEmail },
            schools = new Dictionary<string, string> { [School] = SchoolEmail },
        });
        Assert.True(status is 200 or 201, $"contacts: {status} {body}");
    }

    /// <summary>POST /Reminders as the runner would; returns the log line.</summary>
    public async Task<string> FireAsync(HttpClient? invoker = null)
    {
        var response = await (invoker ?? Invoker).PostAsync("/Reminders", JsonContent(new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /Reminders answered {(int)response.StatusCode}: {text}");
        return string.Join(" ", JsonNode.Parse(text)!["Logs"]!.AsArray().Select(l => (string?)l));
    }

    /// <summary>POST /WorkflowSweep as the runner would (the sweep also retries mail).</summary>
    public async Task SweepAsync()
    {
        var response = await Invoker.PostAsync("/WorkflowSweep", JsonContent(new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }));
        Assert.True(response.IsSuccessStatusCode);
    }

    /// <summary>Registers a case over the signed webhook and returns its case number.</summary>
    public async Task<string> PostCaseAsync(string externalId, string receivedAt, string category = "complaint", string county = County, string? studentName = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            externalId,
            countyCode = county,
            receivedAt,
            category,
            callerName = CallerName,
            callerPhone = CallerPhone,
            content = Content,
            subject = studentName is null ? null : new { cycleId = $"{county}-2026-autumn", schoolCode = School, studentName },
        });
        var (status, created) = await Hotline.HotlineWebhook.PostRawAsync(App, body);
        Assert.True(status == 201, $"webhook: {status} {created}");
        return (string)created!["caseNumber"]!;
    }

    public async Task<TableClient> CasesAsync() =>
        new TableServiceClient((await Azurite.SharedAsync()).ConnectionString).GetTableClient(App.Prefix + "hotlinecases");

    public async Task<TableClient> MailTableAsync() =>
        new TableServiceClient((await Azurite.SharedAsync()).ConnectionString).GetTableClient(App.Prefix + "mail");

    /// <summary>Sets columns on a case row as the lifecycle would (Assignee, Status, Deadline).</summary>
    public async Task MergeCaseAsync(string caseNumber, IDictionary<string, object?> values, string county = County)
    {
        var entity = new TableEntity(county, caseNumber);
        foreach (var (k, v) in values)
        {
            entity[k] = v;
        }

        await (await CasesAsync()).UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge);
    }

    public async Task<TableEntity> CaseRowAsync(string caseNumber, string county = County) =>
        (await (await CasesAsync()).GetEntityAsync<TableEntity>(county, caseNumber)).Value;

    public async Task<List<JsonNode>> MailAsync(string? status = null)
    {
        var (code, page) = await App.Admin.GetJsonAsync("/api/mail?pageSize=1000" + (status is null ? "" : "&status=" + status));
        Assert.Equal(200, code);
        return page!["items"]!.AsArray().Select(i => i!).ToList();
    }

    /// <summary>The accepted emails to one address.</summary>
    public List<JsonNode> SentTo(string address) => SendGrid.Accepted.Where(m => FakeSendGrid.To(m).Contains(address)).ToList();

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        Invoker.Dispose();
        await App.DisposeAsync();
        await SendGrid.DisposeAsync();
    }
}
