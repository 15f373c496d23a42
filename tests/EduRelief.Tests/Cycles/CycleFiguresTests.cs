using EduRelief.Calendar;
using EduRelief.Hotline;
using EduRelief.Rectification;
using EduRelief.Storage;
using EduRelief.Tests.Disbursement;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// The hotline and rectification figures GET /api/cycles/{id} shows come from a figures row kept beside the cases and
/// items; a scan of them is the oracle. Each journey reads the figures first (so the row exists and a writer that forgot
/// to move it cannot hide behind the first read's scan), then compares after every step: county-wide, per assignee or
/// owner, and overdue now and once every deadline has passed.
/// </summary>
public sealed class CycleFiguresTests
{
    private const string County = "410726";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string SchoolA = EduRelief.Counties.Assignees.ForSchool("4107260001");
    private static readonly string SchoolB = EduRelief.Counties.Assignees.ForSchool("4107260002");
    private static readonly string Section = EduRelief.Counties.Assignees.ForSection(EduRelief.Counties.Assignees.AidSection);

    private sealed class TestDeadlines(TimeProvider clock) : ICaseDeadlines
    {
        public Task<CaseDeadline> ForNewCaseAsync(HotlineCaseInput input, CancellationToken cancellationToken) =>
            Task.FromResult(new CaseDeadline(EndOfDay(clock.GetUtcNow().AddDays(input.Category == HotlineCategories.Objection ? 3 : 10)), "test", false));

        public Task<Deadline> AfterAsync(DateTimeOffset from, int workingDays, CancellationToken cancellationToken) =>
            Task.FromResult(new Deadline(EndOfDay(from.AddDays(workingDays)), false));

        private static DateTimeOffset EndOfDay(DateTimeOffset at) => new(at.Year, at.Month, at.Day, 15, 59, 59, TimeSpan.Zero);
    }

    [Fact]
    public async Task SummarizeAsync_ItemsOpenedChangedAndWithdrawn_EqualsScanAfterEveryStep()
    {
        var world = await LedgerWorld.CreateAsync();
        var store = new RectificationStore(world.Storage, new WorkingCalendar(world.Storage, world.Clock), world.Clock);
        await store.CreateAsync(None);
        var cycle = LedgerWorld.CycleId;

        async Task AssertEqualsScanAsync()
        {
            foreach (var now in new[] { world.Clock.GetUtcNow(), world.Clock.GetUtcNow().AddDays(60) })
            {
                foreach (var owner in new[] { null, SchoolA, SchoolB, Section })
                {
                    Assert.Equal(await store.RecountSummaryAsync(cycle, now, None, owner), await store.SummarizeAsync(cycle, now, None, owner));
                }
            }
        }

        await AssertEqualsScanAsync();
        var opened = new List<RectificationItem>();
        foreach (var (key, owner) in new[] { ("k1", SchoolA), ("k2", SchoolA), ("k3", SchoolB), ("k4", Section) })
        {
            opened.Add((await store.OpenAsync(new RectificationItemInput(cycle, RectificationSources.Reconciliation, key, $"事项 {key}", null, owner), None)).Item);
            await AssertEqualsScanAsync();
        }

        // The same source key again opens nothing.
        await store.OpenAsync(new RectificationItemInput(cycle, RectificationSources.Reconciliation, "k1", "事项 k1", null, SchoolA), None);
        await AssertEqualsScanAsync();
        Assert.Equal(4, (await store.SummarizeAsync(cycle, world.Clock.GetUtcNow().AddDays(60), None)).Overdue);

        async Task<ChangeResult> ChangeAsync(RectificationItem item, Func<ItemState, (Change?, Refusal?)> rule)
        {
            var result = await store.ChangeAsync((await store.FindAsync(cycle, item.Id, None))!, "admin", rule, i => i, None);
            Assert.Equal(ChangeOutcome.Applied, result.Outcome);
            await AssertEqualsScanAsync();
            return result;
        }

        var file = new EvidenceFile(new string('a', 64), 10, "application/pdf", "证明.pdf", "school", world.Clock.GetUtcNow());
        foreach (var item in opened.Take(3))
        {
            Assert.Equal(ChangeOutcome.Applied, (await store.AddEvidenceAsync((await store.FindAsync(cycle, item.Id, None))!, file, None)).Outcome);
            await AssertEqualsScanAsync();
            await ChangeAsync(item, s => RectificationLifecycle.Submit(s, new SubmitRequest("已整改")));
        }

        await ChangeAsync(opened[0], s => RectificationLifecycle.Accept(s, "同意销号"));
        await ChangeAsync(opened[1], s => RectificationLifecycle.Return(s, "材料不全"));
        await store.WithdrawAsync(cycle, [opened[3].Id], null, None);
        await AssertEqualsScanAsync();

        var summary = await store.SummarizeAsync(cycle, world.Clock.GetUtcNow().AddDays(60), None);
        Assert.Equal(new RectificationSummary(3, 0, 1, 1, 1, 1, 0.3333m), summary);
    }

    [Fact]
    public async Task OpenAsync_ManyItemsAtOnce_FiguresEqualScan()
    {
        var world = await LedgerWorld.CreateAsync();
        var store = new RectificationStore(world.Storage, new WorkingCalendar(world.Storage, world.Clock), world.Clock);
        await store.CreateAsync(None);
        await store.SummarizeAsync(LedgerWorld.CycleId, world.Clock.GetUtcNow(), None);

        await Parallel.ForEachAsync(Enumerable.Range(1, 24), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
            await store.OpenAsync(new RectificationItemInput(LedgerWorld.CycleId, RectificationSources.Reconciliation, $"k{n}", $"事项 {n}", null, n % 2 == 0 ? SchoolA : SchoolB), ct));

        var now = world.Clock.GetUtcNow();
        Assert.Equal(await store.RecountSummaryAsync(LedgerWorld.CycleId, now, None), await store.SummarizeAsync(LedgerWorld.CycleId, now, None));
        Assert.Equal(24, (await store.SummarizeAsync(LedgerWorld.CycleId, now, None)).Open);
    }

    [Fact]
    public async Task FiguresAsync_CasesRegisteredAssignedRepliedClosedAndReopened_EqualsScanAfterEveryStep()
    {
        var world = await LedgerWorld.CreateAsync();
        var store = new HotlineStore(world.Storage, new TestDeadlines(world.Clock));
        await store.CreateTablesAsync(None);
        var cycle = LedgerWorld.CycleId;
        var other = "410726-2027-spring";

        async Task AssertEqualsScanAsync()
        {
            foreach (var id in new[] { cycle, other })
            {
                var (kept, scanned) = (await store.FiguresAsync(County, id, None), await store.RecountAsync(County, id, None));
                foreach (var group in new[] { null, "", SchoolA, SchoolB })
                {
                    Assert.Equal(scanned.ByStatus(group).OrderBy(s => s.Key, StringComparer.Ordinal), kept.ByStatus(group).OrderBy(s => s.Key, StringComparer.Ordinal));
                    foreach (var now in new[] { world.Clock.GetUtcNow(), world.Clock.GetUtcNow().AddDays(5), world.Clock.GetUtcNow().AddDays(60) })
                    {
                        Assert.Equal(scanned.Overdue(now, group), kept.Overdue(now, group));
                    }
                }
            }
        }

        await AssertEqualsScanAsync();
        var cases = new List<HotlineCase>();
        foreach (var (n, category, subjectCycle) in new[] { (1, HotlineCategories.Complaint, cycle), (2, HotlineCategories.Inquiry, cycle), (3, HotlineCategories.Help, other), (4, HotlineCategories.Inquiry, (string?)null) })
        {
            var input = new HotlineCaseInput($"ext-{n}", County, world.Clock.GetUtcNow(), category, "张先生", "13800000000", "询问资助发放",
                subjectCycle is null ? null : new HotlineSubject(subjectCycle, "4107260001", "学生1"));
            cases.Add((await store.RegisterAsync(input, world.Clock.GetUtcNow(), None)).Case);
            await AssertEqualsScanAsync();
        }

        async Task ChangeAsync(HotlineCase c, CaseAction action)
        {
            var change = await store.ChangeAsync(CaseNumber.TryParse(c.CaseNumber, out var number) ? number : throw new InvalidOperationException(c.CaseNumber), action, None);
            Assert.Null(change!.Refusal);
            await AssertEqualsScanAsync();
        }

        var at = world.Clock.GetUtcNow();
        await ChangeAsync(cases[0], new AssignCase("admin", at, SchoolA, null));
        await ChangeAsync(cases[1], new AssignCase("admin", at, SchoolB, null));
        await ChangeAsync(cases[2], new AssignCase("admin", at, SchoolA, null));
        await ChangeAsync(cases[0], new RecordProgress("school", at, "已联系家长"));
        await ChangeAsync(cases[0], new ReplyToCaller("school", at, "已发放"));
        await ChangeAsync(cases[0], new RecordSatisfaction("admin", at, Satisfaction.Unsatisfied, at.AddDays(20), false));
        await ChangeAsync(cases[1], new ReplyToCaller("school", at, "已答复"));
        await ChangeAsync(cases[1], new RecordSatisfaction("admin", at, Satisfaction.Satisfied, at.AddDays(20), false));

        var figures = await store.FiguresAsync(County, cycle, None);
        Assert.Equal(2, figures.ByStatus().Values.Sum());
        Assert.Equal(1, figures.ByStatus(SchoolA).GetValueOrDefault(HotlineStatuses.Reopened));
        Assert.Equal(1, figures.Overdue(at.AddDays(60)));
    }
}
