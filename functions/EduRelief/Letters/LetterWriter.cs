using EduRelief.Accounts;
using EduRelief.Calendar;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Notices;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Letters;

/// <summary>
/// Renders and stores the 告知书 of a shard of schools after approval, beside their notices and from the same ledger
/// rows (<see cref="NoticeRenderActivity"/> calls it per shard): each school's letters as one content-addressed HTML
/// document, its figures and its children's rows. Idempotent like the notices: a retry renders the same bytes and keeps
/// the deliveries recorded. The accounts are the cycle's usable ones at render time; a child without one is told to
/// register it (the letter says it will be back-paid).
/// </summary>
public sealed class LetterWriter(StorageAccount storage, LetterStore letters, ChildIds childIds, ILogger<LetterWriter> logger)
{
    public async Task WriteAsync(InstanceSnapshot cycle, string runId, NoticeHeading notice, IReadOnlyDictionary<string, List<LedgerRow>> rowsBySchool, CancellationToken cancellationToken)
    {
        var state = CycleState.Of(cycle);
        var endsAt = state.Notice?.EndsAt ?? throw new InvalidOperationException($"Cycle {cycle.Id} has no notice period.");
        var heading = new LetterHeading(notice.CountyName, notice.SemesterTitle, WorkingDays.ChinaDate(endsAt), notice.BureauName, notice.HotlinePhone, notice.ObjectionAddress);
        var personKeys = rowsBySchool.Values.SelectMany(r => r).Select(r => r.IdNumber.PersonKey).ToHashSet(StringComparer.Ordinal);
        var accounts = await CycleAccounts.LoadPayableAsync(storage, cycle.Id, cancellationToken, personKeys);

        var schools = 0;
        var written = 0;
        foreach (var (schoolCode, rows) in rowsBySchool.Where(s => s.Value.Count > 0).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var school = SchoolLetters.Create(heading, schoolCode, rows, accounts, id => ChildIds.ApiId(childIds.RowKey(id)));
            var rowKeys = school.Letters.Select(l => ChildIds.RowKeyOf(l.ChildId)!).ToList();
            var html = await letters.SaveDocumentAsync(LetterRenderer.Html(school), LetterRenderer.HtmlType, cancellationToken);
            await letters.SaveSchoolAsync(cycle.Id, runId, school, rowKeys, html, cancellationToken);
            schools++;
            written += school.Letters.Count;
        }

        logger.LogInformation("{CycleId}: letters of {Schools} schools rendered, {Letters} letters", cycle.Id, schools, written);
    }
}
