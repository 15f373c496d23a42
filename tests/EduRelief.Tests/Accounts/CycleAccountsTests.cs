using EduRelief.Accounts;
using EduRelief.Disbursement;
using EduRelief.Eligibility;
using EduRelief.Rectification;
using EduRelief.Tests.Disbursement;
using Xunit;

namespace EduRelief.Tests.Accounts;

/// <summary>Which eligible children a cycle can pay, and that the cut pays no one else (DOMAIN "Accounts").</summary>
public sealed class CycleAccountsTests
{
    private const string Program = "living_subsidy";
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("学生1", "withAccount")]
    [InlineData("父亲", "withAccount")]
    [InlineData("邻居", "holderMismatch")]
    public void Classify_ValidAccount_NamesTheStateAsTheApiDoes(string holder, string expected) =>
        Assert.Equal(expected, AccountRules.Name(AccountRules.Classify(new AccountRecord("k", "6217000000000000001", holder, "农行", true, DateTimeOffset.UnixEpoch, "t", "f", 2), "学生1", ["父亲", "学生1"])));

    [Fact]
    public async Task Refresh_MixedAccounts_CountsEachEligibleChildOnceAndListsHolderMismatches()
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync([LedgerWorld.Student(1), LedgerWorld.Student(2), LedgerWorld.Student(3), LedgerWorld.Student(4), LedgerWorld.Student(5)], withAccounts: false);
        world.Registry.Give(LedgerWorld.IdFor(1), "学生1");
        world.Registry.Give(LedgerWorld.IdFor(2), "学生2", valid: false);
        world.Registry.Give(LedgerWorld.IdFor(3), "陌生人");
        world.Registry.Give(LedgerWorld.IdFor(4), "另一个人");

        var figures = await world.CheckAccountsAsync();

        Assert.Equal(new AccountFigures(WithAccount: 1, NoAccount: 2, InvalidAccount: 1, HolderMismatch: 2, PendingReview: 2), figures);
        Assert.Equal(figures, await world.Accounts.FiguresAsync(LedgerWorld.CycleId, null, None));
        var listed = new List<DiscrepancyRow>();
        await foreach (var d in world.Ledger.AllDiscrepanciesAsync(LedgerWorld.CycleId, LedgerWorld.RunId, DiscrepancyKinds.HolderMismatch, None))
        {
            listed.Add(d);
        }

        Assert.Equal(["学生3", "学生4"], listed.Select(d => d.StudentName).Order());
        Assert.All(listed, d => Assert.Matches(@"^6217\*{8}[0-9]{4}$", d.MaskedAccount!));
        Assert.All(listed, d => Assert.DoesNotContain(LedgerWorld.IdFor(3)[6..14], d.MaskedId!));

        // A decision on the account it was made on holds; the other mismatch stays pending.
        var third = listed.Single(d => d.StudentName == "学生3");
        Assert.True(await world.Ledger.RecordDecisionAsync(LedgerWorld.CycleId, LedgerWorld.RunId, third, "confirm", "admin", "监护人", world.Clock.GetUtcNow(), None));
        Assert.Equal(new AccountFigures(2, 2, 1, 1, 1), await world.CheckAccountsAsync());

        // The mismatched child's new account, in the child's own name, settles it: the row leaves the list.
        world.Registry.Give(LedgerWorld.IdFor(4), "学生4");
        Assert.Equal(new AccountFigures(3, 2, 1, 0, 0), await world.CheckAccountsAsync());
        var left = new List<string?>();
        await foreach (var d in world.Ledger.AllDiscrepanciesAsync(LedgerWorld.CycleId, LedgerWorld.RunId, DiscrepancyKinds.HolderMismatch, None))
        {
            left.Add(d.StudentName);
        }

        Assert.Equal(["学生3"], left);
    }

    [Fact]
    public async Task Cut_ChildrenWithoutUsableAccount_AreNeverCutAndTheNextBackPayBatchPaysThemOnceTheAccountArrives()
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync([LedgerWorld.Student(1), LedgerWorld.Student(2), LedgerWorld.Student(3), LedgerWorld.Student(4)], withAccounts: false);
        world.Registry.Give(LedgerWorld.IdFor(1), "学生1");
        world.Registry.Give(LedgerWorld.IdFor(2), "学生2", valid: false);
        world.Registry.Give(LedgerWorld.IdFor(3), "陌生人");
        await world.CheckAccountsAsync();
        var service = world.Service();
        await service.PrepareAsync(LedgerWorld.CycleId, LedgerWorld.RunId, None);

        var regular = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.Regular, null, "admin", null, None)).Batch!;
        var items = await service.ListItemsAsync(LedgerWorld.CycleId, regular.Id, None);

        Assert.Equal(["学生1"], items.Select(i => i.Name));
        // All four stay owed: one in the batch, three waiting for an account.
        Assert.Equal(new Figure(4, new Yuan(2500m)), (await service.TotalsAsync(LedgerWorld.CycleId, None)).Single().Pending);
        // Nobody else is payable: another cut writes nothing.
        Assert.Null((await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.BackPay, "补发", "admin", null, None)).Batch);

        world.Registry.Give(LedgerWorld.IdFor(2), "学生2");
        world.Registry.Give(LedgerWorld.IdFor(4), "学生4的母亲");
        await world.CheckAccountsAsync();
        var backPay = (await service.CutBatchAsync(LedgerWorld.CycleId, Program, BatchKinds.BackPay, "补发：账户补齐", "admin", null, None)).Batch!;
        var paidLate = await service.ListItemsAsync(LedgerWorld.CycleId, backPay.Id, None);

        // 学生4's holder is not of the household: still not paid; 学生3's holder mismatch is undecided: not paid.
        Assert.Equal(["学生2"], paidLate.Select(i => i.Name));
        Assert.Equal("no usable account when the regular batch was cut", paidLate.Single().BackPayReason);
        Assert.Equal("学生2", paidLate.Single().Account!.Holder);
    }

    [Fact]
    public async Task Refresh_InDisbursement_OpensOneItemPerSchoolAndUpdatesItAsAccountsArrive()
    {
        var world = await LedgerWorld.CreateAsync();
        await world.AddLedgerAsync([LedgerWorld.Student(1), LedgerWorld.Student(2), LedgerWorld.Student(3, school: "4107260002")], withAccounts: false);

        await world.CheckAccountsAsync("disbursement");
        await world.CheckAccountsAsync("disbursement");
        var store = new RectificationStore(world.Storage, new EduRelief.Calendar.WorkingCalendar(world.Storage, world.Clock), world.Clock);
        var first = await ItemsAsync(store);
        Assert.Equal(2, first.Count);
        var school1 = first.Single(i => i.SchoolCode == "4107260001");
        Assert.Equal("城关镇第一小学：2名学生缺少可用的代发账户", school1.Title);
        Assert.Contains("学生1、学生2", school1.Description);
        Assert.Equal("school:4107260001", school1.Owner);

        world.Registry.Give(LedgerWorld.IdFor(1), "学生1");
        await world.CheckAccountsAsync("disbursement");

        var second = await ItemsAsync(store);
        Assert.Equal(2, second.Count);
        var updated = second.Single(i => i.SchoolCode == "4107260001");
        Assert.Equal(school1.Id, updated.Id);
        Assert.Equal("城关镇第一小学：1名学生缺少可用的代发账户", updated.Title);
        Assert.DoesNotContain("学生1、", updated.Description);
        Assert.Contains("学生2", updated.Description);
    }

    private static async Task<List<RectificationItem>> ItemsAsync(RectificationStore store)
    {
        var page = await store.ListAsync(LedgerWorld.CycleId, new RectificationFilter(null, RectificationSources.NoAccount, null, false), DateTimeOffset.UtcNow, null, 100, None);
        return [.. page.Items];
    }
}
