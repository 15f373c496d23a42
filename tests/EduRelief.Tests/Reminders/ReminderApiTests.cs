using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Reminders;

/// <summary>
/// The Reminders timer function end to end: hotline cases registered over the signed webhook, the dev clock on a known
/// day, POST /Reminders as the runner posts it, and a fake SendGrid that records what was sent. One app per test.
/// </summary>
public sealed class ReminderApiTests : IAsyncLifetime
{
    // Thursday 2026-10-15, a working day. Complaints received Friday 10-09 are due at its end (DOMAIN.md).
    private const string Thursday = "2026-10-15T09:00:00+08:00";

    private MailApp _mail = null!;

    public async Task InitializeAsync() => _mail = await MailApp.StartAsync();

    public async Task DisposeAsync() => await _mail.DisposeAsync();

    [Fact]
    public async Task Fire_WorkingDay_OneDigestPerRecipientWithTheirCasesAndNoCallerData()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PutContactsAsync();
        var schoolCase = await _mail.PostCaseAsync("a", "2026-10-09T09:30:00+08:00", studentName: "李明");
        var sectionCase = await _mail.PostCaseAsync("b", "2026-10-09T10:00:00+08:00");
        var bureauCase = await _mail.PostCaseAsync("c", "2026-10-09T11:00:00+08:00");
        var overdueCase = await _mail.PostCaseAsync("d", "2026-10-09T11:30:00+08:00", category: "inquiry"); // due 10-12
        var notDueYet = await _mail.PostCaseAsync("e", "2026-10-09T12:00:00+08:00", category: "tipoff");
        var closed = await _mail.PostCaseAsync("f", "2026-10-09T12:30:00+08:00");
        await _mail.MergeCaseAsync(schoolCase, new Dictionary<string, object?> { ["Assignee"] = $"school:{MailApp.School}", ["Status"] = "assigned" });
        await _mail.MergeCaseAsync(sectionCase, new Dictionary<string, object?> { ["Assignee"] = "section:资助股", ["Status"] = "in_progress" });
        await _mail.MergeCaseAsync(closed, new Dictionary<string, object?> { ["Status"] = "closed" });

        var log = await _mail.FireAsync();

        Assert.Contains("3 due soon, 1 overdue, 4 digests", log);
        var toSchool = Assert.Single(_mail.SentTo(MailApp.SchoolEmail));
        var toSection = Assert.Single(_mail.SentTo(MailApp.SectionEmail));
        var toBureau = _mail.SentTo(MailApp.BureauEmail);
        Assert.Equal(2, toBureau.Count);
        Assert.Equal(4, _mail.SendGrid.Accepted.Count);

        var schoolText = FakeSendGrid.Text(toSchool);
        Assert.Contains(schoolCase, schoolText);
        Assert.Contains("李明", schoolText);
        Assert.Contains(MailApp.School, schoolText);
        Assert.Contains("类别 投诉", schoolText);
        Assert.DoesNotContain("complaint", schoolText);
        Assert.Contains("2026-10-15 23:59:59", schoolText);
        Assert.DoesNotContain(sectionCase, schoolText);
        Assert.Contains(sectionCase, FakeSendGrid.Text(toSection));
        var dueSoonToBureau = Assert.Single(toBureau, m => FakeSendGrid.Text(m).Contains(bureauCase, StringComparison.Ordinal));
        Assert.DoesNotContain(overdueCase, FakeSendGrid.Text(dueSoonToBureau));
        var escalation = Assert.Single(toBureau, m => FakeSendGrid.Text(m).Contains(overdueCase, StringComparison.Ordinal));
        Assert.Contains("超期", FakeSendGrid.Subject(escalation));
        foreach (var mail in _mail.SendGrid.Accepted)
        {
            var text = FakeSendGrid.Subject(mail) + FakeSendGrid.Text(mail);
            Assert.DoesNotContain(MailApp.CallerName, text);
            Assert.DoesNotContain(MailApp.CallerPhone, text);
            Assert.DoesNotContain(MailApp.Content, text);
            Assert.DoesNotContain(notDueYet, text);
            Assert.DoesNotContain(closed, text);
        }

        Assert.NotNull((await _mail.CaseRowAsync(schoolCase)).GetDateTimeOffset("RemindedAt"));
        Assert.Null((await _mail.CaseRowAsync(schoolCase)).GetDateTimeOffset("EscalatedAt"));
        Assert.NotNull((await _mail.CaseRowAsync(overdueCase)).GetDateTimeOffset("EscalatedAt"));
        Assert.Null((await _mail.CaseRowAsync(notDueYet)).GetDateTimeOffset("RemindedAt"));
        var sent = await _mail.MailAsync("sent");
        Assert.Equal(4, sent.Count);
        Assert.Contains(sent, m => m["to"]!.AsArray().Select(t => (string?)t).Contains(MailApp.SchoolEmail));
        Assert.All(sent, m => Assert.Null(m["body"]));
        Assert.All(sent, m => Assert.Matches(@"^2026-10-15T09:\d\d:\d\d\+08:00$", (string?)m["createdAt"]));
        Assert.DoesNotContain(MailApp.CallerPhone, _mail.App.Output);
    }

    [Fact]
    public async Task Fire_Again_SendsNothingNew_UntilAnExtensionMakesTheCaseDueAgain()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PutContactsAsync();
        var number = await _mail.PostCaseAsync("again", "2026-10-09T09:30:00+08:00");
        await _mail.FireAsync();
        Assert.Single(_mail.SendGrid.Accepted);

        var second = await _mail.FireAsync();
        await _mail.SweepAsync();

        Assert.Contains("0 digests", second);
        Assert.Single(_mail.SendGrid.Accepted);
        Assert.Single(await _mail.MailAsync());

        // A crash between the digest's commit and the case showing it: the next run shows it, and sends nothing.
        var row = await _mail.CaseRowAsync(number);
        var remindedAt = row.GetDateTimeOffset("RemindedAt");
        Assert.NotNull(remindedAt);
        row.Remove("RemindedAt");
        await (await _mail.CasesAsync()).UpdateEntityAsync(row, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Replace);
        var marker = new Azure.Data.Tables.TableEntity(MailApp.County, EduRelief.Reminders.ReminderService.MarkerKey("hotline", number, row.GetDateTimeOffset("Deadline")!.Value, "dueSoon")) { ["Recorded"] = false };
        await (await _mail.MailTableAsync()).UpdateEntityAsync(marker, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        Assert.Null((await _mail.CaseRowAsync(number)).GetDateTimeOffset("RemindedAt"));
        await _mail.FireAsync();
        Assert.Equal(remindedAt, (await _mail.CaseRowAsync(number)).GetDateTimeOffset("RemindedAt"));
        Assert.Single(_mail.SendGrid.Accepted);

        // An extension to the end of Friday 10-16 (still the next working day): reminded once more, for the new deadline.
        await _mail.MergeCaseAsync(number, new Dictionary<string, object?> { ["Deadline"] = new DateTimeOffset(2026, 10, 16, 23, 59, 59, TimeSpan.FromHours(8)) });
        await _mail.FireAsync();
        await _mail.FireAsync();
        Assert.Equal(2, _mail.SendGrid.Accepted.Count);
        Assert.Contains("2026-10-16 23:59:59", FakeSendGrid.Text(_mail.SendGrid.Accepted[1]));
    }

    [Fact]
    public async Task Fire_NotAWorkingDay_SendsNothing_ThenTheNextWorkingDaySends()
    {
        await _mail.SetClockAsync("2026-09-29T09:00:00+08:00");
        await _mail.PutContactsAsync();
        await _mail.PostCaseAsync("holiday", "2026-09-28T09:30:00+08:00", category: "inquiry"); // due 09-30
        await _mail.SetClockAsync("2026-10-03T09:00:00+08:00"); // National Day holiday (a Saturday)

        var log = await _mail.FireAsync();

        Assert.Contains("not a working day", log);
        Assert.Empty(_mail.SendGrid.Accepted);
        Assert.Empty(await _mail.MailAsync());

        await _mail.SetClockAsync("2026-10-10T09:00:00+08:00"); // make-up Saturday: a working day
        await _mail.FireAsync();
        var escalation = Assert.Single(_mail.SendGrid.Accepted);
        Assert.Equal([MailApp.BureauEmail], FakeSendGrid.To(escalation));
    }

    [Fact]
    public async Task Fire_CountyWithoutContacts_SkipsItsItemsUntilContactsExist()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PostCaseAsync("nocontacts", "2026-10-09T09:30:00+08:00");

        var log = await _mail.FireAsync();

        Assert.Contains("1 counties without contacts", log);
        Assert.Empty(_mail.SendGrid.Accepted);
        Assert.Contains("county 410726 has no contacts; 1 due or overdue items were not reminded", _mail.App.Output);

        await _mail.PutContactsAsync();
        await _mail.FireAsync();
        Assert.Equal([MailApp.BureauEmail], FakeSendGrid.To(Assert.Single(_mail.SendGrid.Accepted)));
    }

    [Fact]
    public async Task Fire_TwoInstancesConcurrently_EachDigestSentOnce()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PutContactsAsync();
        var numbers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            numbers.Add(await _mail.PostCaseAsync($"twice-{i}", "2026-10-09T09:30:00+08:00"));
        }

        await _mail.MergeCaseAsync(numbers[0], new Dictionary<string, object?> { ["Assignee"] = $"school:{MailApp.School}" });
        await using var other = await AppProcess.StartAsync(_mail.App.Prefix, MailApp.Environment(_mail.SendGrid));
        await MailApp.SetClockAsync(other, Thursday);
        using var otherInvoker = other.CreateClient(null);
        otherInvoker.DefaultRequestHeaders.Add("X-EduRelief-Invocation", MailApp.Token);

        await Task.WhenAll(
            _mail.FireAsync(), _mail.FireAsync(), _mail.FireAsync(otherInvoker), _mail.FireAsync(otherInvoker));
        await _mail.SweepAsync();

        Assert.Equal(2, _mail.SendGrid.Accepted.Count);
        Assert.Equal(2, _mail.SendGrid.Requests);
        var bureau = FakeSendGrid.Text(Assert.Single(_mail.SentTo(MailApp.BureauEmail)));
        Assert.All(numbers.Skip(1), n => Assert.Contains(n, bureau));
        Assert.Contains(numbers[0], FakeSendGrid.Text(Assert.Single(_mail.SentTo(MailApp.SchoolEmail))));
    }

    [Fact]
    public async Task Send_SendGridFailsTwice_TheSweepDeliversExactlyOnce()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PutContactsAsync();
        await _mail.PostCaseAsync("retry", "2026-10-09T09:30:00+08:00");
        _mail.SendGrid.FailNext(1, 500);
        _mail.SendGrid.FailNext(1, 429);

        await _mail.FireAsync();
        var pending = Assert.Single(await _mail.MailAsync("pending"));
        Assert.Contains("500", (string?)pending["lastError"]);
        Assert.Empty(_mail.SendGrid.Accepted);

        // The sweep (fired here as the runner would) retries once each attempt's backoff has passed.
        var sent = await Eventually.UntilAsync(
            async () =>
            {
                await _mail.SweepAsync();
                return await _mail.MailAsync("sent");
            },
            s => s.Count == 1,
            TimeSpan.FromSeconds(60),
            "the sweep to deliver the digest");

        Assert.Equal(3, (int)sent[0]["attempts"]!);
        Assert.Single(_mail.SendGrid.Accepted);
        Assert.Equal(3, _mail.SendGrid.Requests);
        await _mail.SweepAsync();
        Assert.Single(_mail.SendGrid.Accepted);
        Assert.Empty(await _mail.MailAsync("pending"));
    }

    [Fact]
    public async Task Send_SendGridAnswers400_FailedAtOnceWithTheReason()
    {
        await _mail.SetClockAsync(Thursday);
        await _mail.PutContactsAsync();
        await _mail.PostCaseAsync("bad", "2026-10-09T09:30:00+08:00");
        _mail.SendGrid.FailNext(1, 400);

        await _mail.FireAsync();
        await _mail.SweepAsync();

        var failed = Assert.Single(await _mail.MailAsync("failed"));
        Assert.Contains("400", (string?)failed["lastError"]);
        Assert.Equal(1, (int)failed["attempts"]!);
        Assert.Equal(1, _mail.SendGrid.Requests);
        Assert.Empty(await _mail.MailAsync("pending"));
    }
}

/// <summary>The Reminders function as the local trigger runner fires it: functions/Reminders/function.json at 01:00 UTC.</summary>
public sealed class ReminderTimerTests
{
    [Fact]
    public async Task Runner_ClockPasses0900ChinaTime_FiresTheRemindersFunction()
    {
        var sendGrid = new FakeSendGrid();
        await using var mail = MailApp.Wrap(await AppProcess.StartAsync(environment: sendGrid.Environment), sendGrid); // the default schedule, 0 0 1 * * *
        await mail.SetClockAsync("2026-10-15T08:58:00+08:00");
        await mail.PutContactsAsync();
        var number = await mail.PostCaseAsync("timer", "2026-10-09T09:30:00+08:00");
        Assert.Empty(sendGrid.Accepted);

        var (status, _) = await mail.App.Admin.PostAsync("/api/dev/clock", new { advanceBy = "PT3M" });
        Assert.Equal(200, status);

        await Eventually.UntilAsync(() => Task.FromResult(sendGrid.Accepted.Count), n => n >= 1, TimeSpan.FromSeconds(60), "the 09:00 reminder");
        var digest = Assert.Single(sendGrid.Accepted);
        Assert.Contains(number, FakeSendGrid.Text(digest));
    }
}
