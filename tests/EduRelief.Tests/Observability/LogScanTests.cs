using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Infrastructure;
using EduRelief.Tests.Verification;
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
        var cycleRequestLines = entries.Where(e => e.Scope("RequestPath") is { } path && path.StartsWith($"/api/cycles/{id}", StringComparison.Ordinal)).ToList();
        Assert.True(cycleRequestLines.Count >= 5, $"expected the cycle's request lines, found {cycleRequestLines.Count}");
        Assert.Contains(cycleRequestLines, e => e.Message.Contains("moved review to notice", StringComparison.Ordinal));
        Assert.All(cycleRequestLines, e =>
        {
            Assert.True(e.Scope("CycleId") == id, $"no cycle id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}");
        });
        Assert.Contains(cycleRequestLines, e => e.Scope("CorrelationId") == "obs-scan-0001");

        var stepLines = entries.Where(e => e.Scope("RequestPath") == "/WorkflowSteps" && e.Message.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Contains(stepLines, e => e.Message.Contains("verification", StringComparison.Ordinal));
        Assert.All(stepLines, e =>
        {
            Assert.True(e.Scope("CycleId") == id, $"no cycle id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("StepId")), $"no step id: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("DequeueCount")), $"no dequeue count: {e.Line}");
            Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}");
        });

        // The verification step carries the correlation id of the roster upload that started it.
        var uploads = cycleRequestLines.Where(e => e.Scope("RequestPath")!.Contains("/rosters/", StringComparison.Ordinal)).Select(e => e.Scope("CorrelationId")).ToHashSet();
        var verification = stepLines.First(e => e.Message.Contains("verification", StringComparison.Ordinal));
        Assert.Contains(verification.Scope("CorrelationId"), uploads);

        Assert.All(entries.Where(e => e.Scope("RequestPath") is not null), e => Assert.False(string.IsNullOrEmpty(e.Scope("CorrelationId")), $"no correlation id: {e.Line}"));
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

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumber();

    [GeneratedRegex(@"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")]
    private static partial Regex Phone();
}
