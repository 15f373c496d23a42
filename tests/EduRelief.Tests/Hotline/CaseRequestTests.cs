using EduRelief.Hotline;
using Microsoft.AspNetCore.Http.HttpResults;
using Xunit;

namespace EduRelief.Tests.Hotline;

/// <summary>Each hotline action's request checks its own fields: the problem names the field, or there is none.</summary>
public sealed class CaseRequestTests
{
    /// <summary>The one field a 400 names in its <c>errors</c>; null for no problem.</summary>
    private static string? FieldOf(ProblemHttpResult? problem)
    {
        if (problem is null)
        {
            return null;
        }

        Assert.Equal(400, problem.StatusCode);
        return Assert.Single(Assert.IsType<Dictionary<string, string[]>>(problem.ProblemDetails.Extensions["errors"])).Key;
    }

    public static TheoryData<ICaseRequest, string?> Requests => new()
    {
        { new AssignRequest("school:4107260001", null), null },
        { new AssignRequest("school:4107260001", new string('注', 2001)), "note" },
        { new NoteRequest("  "), "note" },
        { new NoteRequest("已联系家长"), null },
        { new ExtensionRequest("需核实", null), "workingDays" },
        { new ExtensionRequest(null, 3), "reason" },
        { new ExtensionRequest("需核实", 3), null },
        { new ExtensionDecisionRequest("maybe", "x"), "decision" },
        { new ExtensionDecisionRequest(CaseExtension.Refused, null), "reason" },
        { new ExtensionDecisionRequest(CaseExtension.Approved, null), null },
        { new ObjectionDecisionRequest("approved", "x"), "decision" },
        { new ObjectionDecisionRequest(ObjectionDecisions.Dismissed, ""), "reason" },
        { new ObjectionDecisionRequest(ObjectionDecisions.Upheld, "该生已迁出"), null },
        { new ReplyRequest(null), "reply" },
        { new ReplyRequest("已答复"), null },
        { new SatisfactionRequest("happy"), "satisfaction" },
        { new SatisfactionRequest(Satisfaction.All.First()), null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Problem_NamesTheBadField_OrIsNull(ICaseRequest request, string? field)
    {
        Assert.Equal(field, FieldOf(request.Problem()));
    }

    [Fact]
    public void CaseText_CleansAndBoundsFreeText()
    {
        Assert.Null(CaseText.Check(new string('字', CaseText.MaxLength), "note"));
        Assert.NotNull(CaseText.Check(new string('字', CaseText.MaxLength + 1), "note"));
        Assert.Equal("电话 138****5678", CaseText.Clean("  电话 13812345678 "));
    }
}
