using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Observability;

/// <summary>
/// A short real flow (kick-off, both sample rosters, review, approval, the notice documents, a signed objection about a
/// child) against the app process, then a scan of everything it wrote: no ID number, no phone number, no student's or
/// caller's name; every line is JSON, and every line written while handling a cycle's request or one of its steps
/// carries the cycle id and a correlation id.
/// </summary>
public sealed partial class LogScanTests
{
    private static readonly string[] SampleIds =
    [
        SampleCounty.A, SampleCounty.B, SampleCounty.C, SampleCounty.D, SampleCounty.E, SampleCounty.F,
        SampleCounty.G, SampleCounty.H, SampleCounty.I, SampleCounty.J, SampleCounty.BadCheck(SampleCounty.A),
    ];

    [Fact]
    public async Task Logs_ShortCycleWithHotlineCase_CarryNoPersonalDataAndEveryCycleLineHasCycleAndCorrelation()
    {
        await using var app = await AppProcess.StartAsync();
        var admin = app.Admin;
        var id = await SampleCycle.ToReviewAsync(admin);
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "the notice documents");
        await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-08T15:00:00+08:00" });
        var (created, _) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
            "obs-objection-1", "objection", new { cycleId = id, schoolCode = "4107260001", studentName = "张三" }, "2026-10-08T14:55:00+08:00"));
        Assert.Equal(201, created);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cycles/{id}");
        request.Headers.Add("X-Correlation-Id", "obs-scan-0001");
        using var response = await admin.SendAsync(request);
        Assert.Equal("obs-scan-0001", response.Headers.GetValues("X-Correlation-Id").Single());
        await Eventually.UntilAsync(() => Task.FromResult(app.Output), o => o.Contains("obs-scan-0001", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the request's log line");

        var output = app.Output;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var parsed = lines.Select(l => (Line: l, Json: TryParse(l))).ToList();
        Assert.All(parsed, p => Assert.True(p.Json is not null, $"not a JSON log line: {p.Line}"));
        var text = output + "\n" + string.Join('\n', parsed.SelectMany(p => Strings(p.Json!)));

        Assert.All(SampleIds, n => Assert.DoesNotContain(n, text, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotMatch(IdNumber(), text);
        Assert.DoesNotMatch(Phone(), text);
        Assert.All(Names(), n => Assert.DoesNotContain(n, text, StringComparison.Ordinal));

        var entries = parsed.Select(p => new Entry(p.Line, p.Json!)).ToList();
        var cycleRequestLines = entries.Where(e => e.Scope("Route") is { } route && route.StartsWith("/api/cycles/{id}", StringComparison.Ordinal)).ToList();
        Assert.True(cycleRequestLines.Count >= 5, $"expected the cycle's request lines, found {cycleRequestLines.Count}");
        Assert.Contains(cycleRequestLines, e => e.Message.Contains("moved review to notice", StringComparison.Ordinal));
        Assert.All(cycleRequestLines, e =>
        {
            Assert.True(e.Scope("CycleId") == id, $"no cycle id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}");
        });
        Assert.Contains(cycleRequestLines, e => e.Scope("CorrelationId") == "obs-scan-0001");

        var stepLines = entries.Where(e => e.Scope("Route") == "/WorkflowSteps" && e.Message.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Contains(stepLines, e => e.Message.Contains("verification", StringComparison.Ordinal));
        Assert.All(stepLines, e =>
        {
            Assert.True(e.Scope("CycleId") == id, $"no cycle id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("StepId")), $"no step id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("DequeueCount")), $"no dequeue count: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}");
        });

        // The verification step carries the correlation id of the roster upload that started it.
        var uploads = cycleRequestLines.Where(e => e.Scope("Route")!.Contains("/rosters/", StringComparison.Ordinal)).Select(e => e.Scope("CorrelationId")).ToHashSet();
        var verification = stepLines.First(e => e.Message.Contains("verification", StringComparison.Ordinal));
        var correlation = verification.Scope("CorrelationId");
        // On failure, every line of that correlation id says where the step message came from (the lines were checked
        // for personal data above).
        Assert.True(correlation is not null && uploads.Contains(correlation),
            $"the verification step's correlation id {correlation} is none of the uploads' ({string.Join(", ", uploads)}); its lines:\n"
            + string.Join('\n', entries.Where(e => e.Scope("CorrelationId") == correlation).Select(e => e.Line)));

        Assert.All(entries.Where(e => e.Scope("Route") is not null), e => Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}"));
    }

    private const string Child = "丁敏";
    private const string ChildId = "410726201306280025";
    private const string Mobile = "13812345678";

    /// <summary>
    /// The app as run.sh runs it (its own log levels, not the harness's quieter ones), exporting spans and logs to a local
    /// collector. Every route it serves is called with a child's name, ID number and a phone in every path value and in
    /// the query string (as a school officer's upload names its file), once with made-up ids and once with a real cycle
    /// and item; then neither the output nor what the collector received holds them, and each request wrote one line
    /// naming its route template.
    /// </summary>
    [Fact]
    public async Task Logs_EveryEndpointWithHostilePathsAndQueries_NeverCarryTheNameIdNumberOrPhone()
    {
        await using var collector = new FakeCollector();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "",
            ["Logging__LogLevel__System.Net.Http"] = "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Host,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        var admin = app.Admin;
        var (kicked, cycle) = await admin.PostAsync("/api/cycles", new { countyCode = "410726", semester = "2026-autumn", noticeDays = 5 });
        Assert.Equal(201, kicked);
        var cycleId = (string)cycle!["id"]!;
        var (inspected, inspection) = await admin.PostAsync($"/api/cycles/{cycleId}/inspections", new
        {
            inspectionId = "insp-logscan",
            team = "督导室",
            inspectedAt = "2026-09-01T09:00:00+08:00",
            findings = new[] { new { title = "缺少在读证明", owner = "school:4107260001" } },
        });
        Assert.Equal(201, inspected);
        var itemId = (string)inspection!["items"]![0]!["id"]!;

        // The issue's own example: an evidence upload whose file is named after the child.
        using (var pdf = new ByteArrayContent(EduRelief.Tests.Rectification.EvidenceSamples.Pdf()))
        {
            pdf.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
            using var uploaded = await admin.PostAsync($"/api/cycles/{cycleId}/rectification/{itemId}/evidence?fileName={Uri.EscapeDataString($"{Child}-{ChildId}-在读证明.pdf")}", pdf);
            Assert.Equal(System.Net.HttpStatusCode.Created, uploaded.StatusCode);
        }

        var hostile = Uri.EscapeDataString($"{Child}-{ChildId}-{Mobile}");
        var query = $"?fileName={Uri.EscapeDataString($"{Child}-{ChildId}-在读证明.pdf")}&continuationToken={Mobile}&pageSize=10"
            + $"&status={ChildId}&schoolCode={hostile}&name={Uri.EscapeDataString(Child)}&idNumber={ChildId}&phone={Mobile}";
        var (listed, endpoints) = await admin.GetJsonAsync("/api/dev/endpoints");
        Assert.Equal(200, listed);
        var routes = endpoints!["items"]!.AsArray().Select(e => ("/" + ((string)e!["pattern"]!).Trim('/'), e["methods"]!.AsArray().Select(m => (string)m!).DefaultIfEmpty("GET").ToList())).ToList();
        Assert.Contains(routes, r => r.Item1 == "/api/cycles/{id}/rectification/{itemId}/evidence");
        Assert.True(routes.Count > 60, $"expected every route, found {routes.Count}");

        var calls = 0;
        foreach (var (route, methods) in routes)
        {
            foreach (var method in methods)
            {
                foreach (var real in new[] { false, true })
                {
                    var path = RouteParameter().Replace(route, m => real ? m.Groups[1].Value switch
                    {
                        "id" => cycleId,
                        "itemId" => itemId,
                        "countyCode" => "410726",
                        _ => hostile,
                    } : hostile);
                    using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
                    if (method is "POST" or "PUT" or "PATCH" or "DELETE")
                    {
                        request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                    }

                    using var response = await admin.SendAsync(request);
                    calls++;
                }
            }
        }

        using var last = new HttpRequestMessage(HttpMethod.Get, $"/api/cycles/{cycleId}{query}");
        last.Headers.Add("X-Correlation-Id", "obs-hostile-last");
        using var lastResponse = await admin.SendAsync(last);
        await Eventually.UntilAsync(() => Task.FromResult(app.Output), o => o.Contains("obs-hostile-last", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the last request's log line");
        var traces = await Eventually.UntilAsync(
            () => Task.FromResult(collector.Received("/v1/traces")), t => t.Contains("obs-hostile-last", StringComparison.Ordinal) || t.Contains("/api/cycles/{id}/rectification/{itemId}/evidence", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the request spans at the collector");
        var exported = traces + "\n" + collector.Received("/v1/logs");

        var output = app.Output;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var parsed = lines.Select(TryParse).ToList();
        var text = output + "\n" + string.Join('\n', parsed.Where(p => p is not null).SelectMany(p => Strings(p!)));
        foreach (var secret in new[] { Child, ChildId, Mobile, "在读证明", hostile, Uri.EscapeDataString(Child) })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, exported, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(IdNumber(), text);
        Assert.DoesNotMatch(Phone(), text);
        Assert.DoesNotMatch(IdNumber(), exported);
        Assert.DoesNotMatch(Phone(), exported);

        // One line per request, by route template.
        var requestLines = parsed.Where(p => p?["Category"]?.ToString() == "EduRelief.Requests").Select(p => (string?)p!["Message"] ?? "").ToList();
        Assert.Contains(requestLines, l => l.StartsWith("POST /api/cycles/{id}/rectification/{itemId}/evidence answered 201 in ", StringComparison.Ordinal));
        Assert.True(requestLines.Count >= calls / 2, $"expected a line per /api and /notices request, found {requestLines.Count} for {calls} calls");
        Assert.Contains("/api/cycles/{id}/rectification/{itemId}/evidence", traces, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Names() =>
        SampleCounty.Students().Select(r => r[0]).Concat(SampleCounty.Poverty().Select(r => r[2])).Append("王女士").Distinct();

    private static JsonNode? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every string in the line, unescaped, so a name written as \uXXXX is found too.</summary>
    private static IEnumerable<string> Strings(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : Strings(p.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : Strings(v)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    private sealed record Entry(string Line, JsonNode Json)
    {
        public string Message => (string?)Json[nameof(Message)] ?? "";

        /// <summary>A value from any of the line's scopes.</summary>
        public string? Scope(string name) =>
            Json["Scopes"] is JsonArray scopes
                ? scopes.OfType<JsonObject>().Select(s => s[name]).FirstOrDefault(v => v is not null)?.ToString()
                : null;
    }

    [GeneratedRegex(@"\{\*?([A-Za-z]+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumber();

    [GeneratedRegex(@"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")]
    private static partial Regex Phone();
}
