using EduRelief.Children;
using EduRelief.Rosters;
using EduRelief.Storage;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>The case store against Azurite: one open case per child, whatever runs at once.</summary>
public sealed class DropoutCaseStoreTests
{
    private const string County = "410726";

    private static async Task<(DropoutCaseStore First, DropoutCaseStore Second)> TwoInstancesAsync()
    {
        var storage = new StorageAccount((await Azurite.SharedAsync()).ConnectionString, Repo.NewPrefix(), new RequestCounter());
        await storage.Table("dropoutcases").CreateIfNotExistsAsync();
        var ids = new ChildIds(Options.Create(new ChildIdOptions()));
        return (new DropoutCaseStore(storage, ids, TimeProvider.System), new DropoutCaseStore(storage, ids, TimeProvider.System));
    }

    private static List<DropoutCandidate> Children(int count) =>
    [
        .. Enumerable.Range(1, count).Select(i => new DropoutCandidate(
            IdNumber.FromStored(SampleCounty.Id("410726", "20160601", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))),
            $"儿童{i}", "东屯镇", "后屯村", null, null, "notEnrolled", 10)),
    ];

    [Fact]
    public async Task TwoVerificationsAtOnce_OpenOneCasePerChild_AndTheOtherCarriesIt()
    {
        var (first, second) = await TwoInstancesAsync();
        var children = Children(30);

        var opened = await Task.WhenAll(
            first.OpenOrCarryAsync(County, "410726-2026-autumn", children, CancellationToken.None),
            second.OpenOrCarryAsync(County, "410726-2027-spring", children.AsEnumerable().Reverse(), CancellationToken.None));

        var cases = await first.AllAsync(County, CancellationToken.None).ToListAsync();
        Assert.Equal(30, opened.Sum());
        Assert.Equal(30, cases.Count);
        Assert.Equal(30, cases.Select(c => c.ChildKey).Distinct().Count());
        Assert.All(cases, c => Assert.Equal(["410726-2026-autumn", "410726-2027-spring"], c.Cycles.Order(StringComparer.Ordinal)));
        Assert.All(cases, c => Assert.Equal(c.OpenedCycleId, c.Cycles[0]));
    }

    [Fact]
    public async Task AClosedCase_FreesTheChild_TheNextVerificationOpensANewOne_AndAStaleCloseIsAConflict()
    {
        var (store, _) = await TwoInstancesAsync();
        var child = Children(1);
        Assert.Equal(1, await store.OpenOrCarryAsync(County, "410726-2026-autumn", child, CancellationToken.None));
        var open = (await store.OpenCaseOfAsync(County, child[0].IdNumber, CancellationToken.None))!;
        Assert.Equal(DropoutChange.Applied, await store.AddNoteAsync(open, "入户走访", null, "admin", CancellationToken.None));

        var outcome = new DropoutOutcome(DropoutCaseStatuses.MovedOut, new DateOnly(2026, 9, 20), null, null, null, null, [], null);
        Assert.Equal(DropoutChange.Conflict, await store.CloseAsync(open, outcome, "admin", null, CancellationToken.None));
        var fresh = (await store.GetAsync(County, open.Id, CancellationToken.None))!;
        Assert.Equal(DropoutChange.Applied, await store.CloseAsync(fresh, outcome, "admin", null, CancellationToken.None));
        Assert.Null(await store.OpenCaseOfAsync(County, child[0].IdNumber, CancellationToken.None));
        Assert.Equal(DropoutChange.Refused, await store.AddNoteAsync((await store.GetAsync(County, open.Id, CancellationToken.None))!, "再次走访", null, "admin", CancellationToken.None));

        Assert.Equal(1, await store.OpenOrCarryAsync(County, "410726-2027-spring", child, CancellationToken.None));
        var again = (await store.OpenCaseOfAsync(County, child[0].IdNumber, CancellationToken.None))!;
        Assert.NotEqual(open.Id, again.Id);
        var facts = await store.ListAsync(County, CancellationToken.None).ToListAsync();
        var closed = facts.Single(f => f.CaseId == open.Id);
        Assert.Equal(["not_in_school", "persuading", "moved_out"], closed.History.Select(h => h.Status));
        Assert.Equal("persuading", closed.StatusAt(closed.History[^1].At.AddTicks(-1)));
    }

    [Fact]
    public async Task NextRoster_ClosesAnOpenCaseReturned_AndConfirmsAReturnAPersonRecorded_OnlyForChildrenItLists()
    {
        var (store, _) = await TwoInstancesAsync();
        var children = Children(3);
        await store.OpenOrCarryAsync(County, "410726-2026-autumn", children, CancellationToken.None);
        var reported = (await store.OpenCaseOfAsync(County, children[1].IdNumber, CancellationToken.None))!;
        var back = new DropoutOutcome(DropoutCaseStatuses.Returned, new DateOnly(2026, 9, 20), "4107260002", "第一初级中学", null, null, [], "家长电话告知已返校");
        Assert.Equal(DropoutChange.Applied, await store.CloseAsync(reported, back, "admin", null, CancellationToken.None));
        Assert.Contains(children[1].IdNumber.Key, await store.AwaitingRosterAsync(County, CancellationToken.None));

        var listed = new Dictionary<long, EduRelief.Eligibility.ListedStudent>
        {
            [children[0].IdNumber.Key] = new(12, "儿童1", "4107260001", "城关镇第一小学"),
            [children[1].IdNumber.Key] = new(13, "儿童2", "4107260002", "第一初级中学"),
        };
        var closed = await store.ApplyRosterAsync(County, "410726-2027-spring", listed, CancellationToken.None);

        var first = Assert.Single(closed);
        Assert.Equal((DropoutCaseStatuses.Returned, "4107260001", "roster:410726-2027-spring"), (first.Status, first.Outcome!.SchoolCode, first.ConfirmedBy));
        var confirmed = (await store.GetAsync(County, reported.Id, CancellationToken.None))!;
        Assert.Equal(("roster:410726-2027-spring", "admin"), (confirmed.ConfirmedBy, confirmed.ClosedBy));
        Assert.NotNull((await store.OpenCaseOfAsync(County, children[2].IdNumber, CancellationToken.None))?.Id);
        Assert.Equal([children[2].IdNumber.Key], await store.AwaitingRosterAsync(County, CancellationToken.None));
        Assert.Empty(await store.ApplyRosterAsync(County, "410726-2027-spring", listed, CancellationToken.None));
    }
}
