using EduRelief.Hotline;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>The case lifecycle as a pure function: every allowed step, and the refusals that keep it honest.</summary>
public sealed class CaseLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 9, 9, 30, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset Due = new(2026, 10, 15, 23, 59, 59, TimeSpan.FromHours(8));

    private static HotlineCase NewCase(string category = HotlineCategories.Complaint) =>
        new("410726-2026-000001", "ext-1", "410726", category, HotlineStatuses.New, T0, T0, Due, "working_days", "王女士", "13812345678", "内容", null)
        {
            HistoryCount = 1,
        };

    private static HotlineCase Step(HotlineCase c, CaseAction action)
    {
        var change = CaseLifecycle.Apply(c, action);
        Assert.Null(change.Refusal);
        Assert.Equal(c.HistoryCount + 1, change.Entry!.Sequence);
        Assert.Equal(c.Status, change.Entry.From);
        Assert.Equal(change.Case!.Status, change.Entry.To);
        return change.Case;
    }

    private static string Refusal(HotlineCase c, CaseAction action) => CaseLifecycle.Apply(c, action).Refusal?.En ?? throw new Xunit.Sdk.XunitException("The action was allowed.");

    [Fact]
    public void Apply_WholePath_NewToClosedWithOneReopening()
    {
        var c = Step(NewCase(), new AssignCase("admin", T0, "school:4107260001", "请核实"));
        Assert.Equal(HotlineStatuses.Assigned, c.Status);
        c = Step(c, new RecordProgress("officer", T0.AddHours(1), "已联系家长"));
        Assert.Equal(HotlineStatuses.InProgress, c.Status);
        c = Step(c, new ReplyToCaller("officer", T0.AddHours(2), "补助已于10月8日发放"));
        Assert.Equal(HotlineStatuses.Replied, c.Status);

        var reopenDue = Due.AddDays(7);
        c = Step(c, new RecordSatisfaction("admin", T0.AddDays(1), Satisfaction.Unsatisfied, reopenDue, false));
        Assert.Equal(HotlineStatuses.Reopened, c.Status);
        Assert.Equal(reopenDue, c.Deadline);
        Assert.Equal(1, c.Reopened);

        c = Step(c, new RecordProgress("officer", T0.AddDays(2), "再次核实"));
        c = Step(c, new ReplyToCaller("officer", T0.AddDays(3), "已补发"));
        c = Step(c, new RecordSatisfaction("admin", T0.AddDays(4), Satisfaction.Unsatisfied, reopenDue.AddDays(7), false));

        // Reopened once only: a second unsatisfied verdict closes the case with that verdict on record.
        Assert.Equal(HotlineStatuses.Closed, c.Status);
        Assert.Equal(Satisfaction.Unsatisfied, c.Satisfaction);
        Assert.Equal(reopenDue, c.Deadline);
        Assert.Equal(8, c.HistoryCount);
    }

    [Theory]
    [InlineData(Satisfaction.Satisfied)]
    [InlineData(Satisfaction.Basically)]
    public void Apply_SatisfiedOrBasically_Closes(string level)
    {
        var c = Step(Step(NewCase(), new AssignCase("admin", T0, "section:资助股", null)), new ReplyToCaller("admin", T0, "答复"));

        c = Step(c, new RecordSatisfaction("admin", T0, level, Due.AddDays(7), false));

        Assert.Equal(HotlineStatuses.Closed, c.Status);
        Assert.Equal(T0, c.ClosedAt);
    }

    [Fact]
    public void Apply_BeforeAssignment_ProgressAndReplyAreRefused()
    {
        Assert.Contains("Assign", Refusal(NewCase(), new RecordProgress("officer", T0, "x")), StringComparison.Ordinal);
        Assert.Contains("Assign", Refusal(NewCase(), new ReplyToCaller("officer", T0, "x")), StringComparison.Ordinal);
        Assert.Contains("after the reply", Refusal(NewCase(), new RecordSatisfaction("admin", T0, Satisfaction.Satisfied, Due, false)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("school:41072600")]
    [InlineData("department:资助股")]
    [InlineData("section:")]
    [InlineData("")]
    public void Apply_AssignToUnknownKindOfAssignee_IsRefusedNamingAssignee(string assignee)
    {
        var change = CaseLifecycle.Apply(NewCase(), new AssignCase("admin", T0, assignee, null));

        Assert.NotNull(change.Refusal);
        Assert.Equal("assignee", change.Field);
    }

    [Fact]
    public void Apply_Extension_OncePerCaseAndApprovalMovesTheDeadline()
    {
        var c = Step(NewCase(), new AssignCase("admin", T0, "school:4107260001", null));
        c = Step(c, new RequestExtension("officer", T0, "需要走访核实", 5));
        Assert.Equal(CaseExtension.Requested, c.Extension!.Status);
        Assert.Equal(Due, c.Deadline);
        Assert.Contains("already", Refusal(c, new RequestExtension("officer", T0, "再延期", 3)), StringComparison.Ordinal);

        var extended = Due.AddDays(7);
        c = Step(c, new DecideExtension("admin", T0.AddHours(1), true, "同意", extended, false));

        Assert.Equal(CaseExtension.Approved, c.Extension!.Status);
        Assert.Equal("admin", c.Extension.DecidedBy);
        Assert.Equal(extended, c.Deadline);
        Assert.Contains("already", Refusal(c, new RequestExtension("officer", T0, "再延期", 3)), StringComparison.Ordinal);
        Assert.Contains("no extension request", Refusal(c, new DecideExtension("admin", T0, true, null, extended, false)), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_RefusedExtension_KeepsTheDeadlineAndUsesTheOneExtension()
    {
        var c = Step(Step(NewCase(), new AssignCase("admin", T0, "school:4107260001", null)), new RequestExtension("officer", T0, "理由", 5));

        c = Step(c, new DecideExtension("admin", T0, false, "可按期办结", null, false));

        Assert.Equal(CaseExtension.Refused, c.Extension!.Status);
        Assert.Equal(Due, c.Deadline);
        Assert.NotNull(CaseLifecycle.Apply(c, new RequestExtension("officer", T0, "再申请", 5)).Refusal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Apply_ExtensionOutOfRange_IsRefusedNamingWorkingDays(int days)
    {
        var change = CaseLifecycle.Apply(NewCase(), new RequestExtension("officer", T0, "理由", days));

        Assert.Equal("workingDays", change.Field);
    }

    [Fact]
    public void Apply_Objection_IsDecidedBeforeTheReplyAndNeverExtended()
    {
        var c = Step(NewCase(HotlineCategories.Objection), new AssignCase("admin", T0, "school:4107260001", null));
        Assert.Contains("Decide the objection", Refusal(c, new ReplyToCaller("officer", T0, "x")), StringComparison.Ordinal);
        Assert.Contains("cannot be extended", Refusal(c, new RequestExtension("officer", T0, "x", 3)), StringComparison.Ordinal);

        c = Step(c, new DecideObjection("admin", T0, ObjectionDecisions.Upheld, "该生已转学外县"));
        Assert.Equal(ObjectionDecisions.Upheld, c.ObjectionDecision);
        Assert.Contains("already", Refusal(c, new DecideObjection("admin", T0, ObjectionDecisions.Dismissed, "x")), StringComparison.Ordinal);

        c = Step(c, new ReplyToCaller("admin", T0, "异议成立，已取消资助资格"));
        Assert.Equal(HotlineStatuses.Replied, c.Status);
    }

    [Fact]
    public void Apply_OnlyObjectionsAreUpheldOrDismissed()
    {
        Assert.Contains("Only an objection", Refusal(NewCase(), new DecideObjection("admin", T0, ObjectionDecisions.Dismissed, "x")), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ClosedCase_TakesNothingMore()
    {
        var c = Step(Step(Step(NewCase(), new AssignCase("admin", T0, "section:资助股", null)), new ReplyToCaller("admin", T0, "答复")),
            new RecordSatisfaction("admin", T0, Satisfaction.Satisfied, Due, false));

        Assert.NotNull(CaseLifecycle.Apply(c, new AssignCase("admin", T0, "section:资助股", null)).Refusal);
        Assert.NotNull(CaseLifecycle.Apply(c, new RecordProgress("admin", T0, "x")).Refusal);
        Assert.NotNull(CaseLifecycle.Apply(c, new ReplyToCaller("admin", T0, "x")).Refusal);
        Assert.NotNull(CaseLifecycle.Apply(c, new RequestExtension("admin", T0, "x", 2)).Refusal);
    }

    [Fact]
    public void IsOverdue_OnlyOpenCasesPastTheirDeadline()
    {
        var c = NewCase();

        Assert.False(c.IsOverdue(Due));
        Assert.True(c.IsOverdue(Due.AddSeconds(1)));
        Assert.False((c with { Status = HotlineStatuses.Replied }).IsOverdue(Due.AddDays(1)));
        Assert.False((c with { Deadline = null }).IsOverdue(Due.AddDays(1)));
    }
}
