using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Reminders;
using Xunit;

namespace EduRelief.Tests.Observability;

/// <summary>The outbox's instruments: each failed attempt and each delivery counted once, through the fake SendGrid.</summary>
public sealed class MailMetricsTests : IAsyncLifetime
{
    private MailApp _mail = null!;

    public async Task InitializeAsync() => _mail = await MailApp.StartAsync();

    public async Task DisposeAsync() => await _mail.DisposeAsync();

    [Fact]
    public async Task MailMetrics_SendGridFailsTwiceThenAccepts_CountsTwoPassingFailuresAndOneSent()
    {
        await _mail.SetClockAsync("2026-10-15T09:00:00+08:00");
        await _mail.PutContactsAsync();
        await _mail.PostCaseAsync("metrics-mail", "2026-10-09T09:30:00+08:00");
        _mail.SendGrid.FailNext(1, 500);
        _mail.SendGrid.FailNext(1, 429);

        await _mail.FireAsync();
        await Eventually.UntilAsync(
            async () =>
            {
                await _mail.SweepAsync();
                return await _mail.MailAsync("sent");
            },
            s => s.Count == 1,
            TimeSpan.FromSeconds(60),
            "the sweep to deliver the digest");

        var (status, body) = await _mail.App.Admin.GetJsonAsync("/api/dev/metrics");
        Assert.Equal(200, status);
        var meters = body!["meters"]!;
        Assert.Equal(1, Sum(meters, "mail.sent"));
        Assert.Equal(2, Sum(meters, "mail.failed", ("final", "False")));
        Assert.Equal(0, Sum(meters, "mail.failed", ("final", "True")));
    }

    private static double Sum(JsonNode meters, string name, params (string Key, string Value)[] tags) =>
        meters[name] is JsonArray points
            ? points.Where(p => tags.All(t => string.Equals((string?)p!["tags"]![t.Key], t.Value, StringComparison.OrdinalIgnoreCase))).Sum(p => (double)p!["value"]!)
            : 0;
}
