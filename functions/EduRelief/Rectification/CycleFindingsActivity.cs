using System.Globalization;
using System.Text.Json.Nodes;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Counties;
using EduRelief.Eligibility;
using EduRelief.Workflow;

namespace EduRelief.Rectification;

/// <summary>
/// The cycle's own findings, opened as rectification items once the list is approved: every registered child of
/// school age found in no school (控辍保学, owned by the bureau's dropout-prevention section, with the township), every
/// child the comparison with the previous cycle finds absent (eligible then, of school age, in no roster now) whom the
/// registry no longer lists either (one still listed is the first kind already: one item per child), and every name
/// mismatch rejected or left undecided (owned by the school). Idempotent: each item's source key is its discrepancy
/// id, so a retried step opens nothing twice. A 控辍保学 item links the child's case (the one verification opened or
/// carried over in this cycle): the case drives it, and an item whose case closed before approval closes at once.
/// </summary>
public sealed class CycleFindingsActivity(EligibilityStore eligibility, RectificationStore rectification, DropoutCaseStore cases, DropoutCaseItems caseItems) : IActivity
{
    public const string KindName = "rectification.findings";

    /// <summary>The bureau section that follows up children found in no school.</summary>
    public const string DropoutSection = "控辍保学";

    public string Kind => KindName;

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var cycleId = context.InstanceId;
        var runId = (string)context.Input!["runId"]!;
        var opened = 0;
        var notEnrolled = new HashSet<long>();
        await foreach (var d in eligibility.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.NotEnrolled, cancellationToken))
        {
            if (d.IdNumber is { } id)
            {
                notEnrolled.Add(id.Key);
            }

            if (d.CompletedCompulsory)
            {
                continue; // compulsory education completed (a 两后生 is referred instead): never a 控辍保学 case
            }

            var place = $"{d.Township}{d.Village}";
            var age = d.Age is { } years ? $"（{years.ToString(CultureInfo.InvariantCulture)}岁）" : "";
            var dropoutCase = await CaseOfAsync(cycleId, d.IdNumber, cancellationToken);
            await OpenAsync(new RectificationItemInput(
                cycleId, RectificationSources.NotEnrolled, d.Id,
                $"控辍保学：{(place.Length > 0 ? place : "本县")}建档立卡适龄儿童{age}未见于学籍，核查就学情况",
                null, Assignees.ForSection(DropoutSection), Township: d.Township, StudentName: d.PovertyName, Village: d.Village, CaseId: dropoutCase?.Id), dropoutCase, cancellationToken);
            opened++;
        }

        await foreach (var d in eligibility.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.AbsentSchoolAge, cancellationToken))
        {
            if (d.IdNumber is not { } id || notEnrolled.Contains(id.Key))
            {
                continue;
            }

            var place = $"{d.Township}{d.Village}";
            var age = d.Age is { } years ? $"（{years.ToString(CultureInfo.InvariantCulture)}岁）" : "";
            var dropoutCase = await CaseOfAsync(cycleId, id, cancellationToken);
            await OpenAsync(new RectificationItemInput(
                cycleId, RectificationSources.NotEnrolled, d.Id,
                $"控辍保学：{(place.Length > 0 ? place : "本县")}上学期在{d.SchoolName}就读并享受资助的适龄儿童{age}本学期未见于学籍，核查就学情况",
                null, Assignees.ForSection(DropoutSection), SchoolCode: d.SchoolCode is { } code && SchoolCode.IsValid(code) ? code : null,
                Township: d.Township, StudentName: d.StudentName, Village: d.Village, CaseId: dropoutCase?.Id), dropoutCase, cancellationToken);
            opened++;
        }

        await foreach (var d in eligibility.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.NameMismatch, cancellationToken))
        {
            if (d.Decision == "confirm")
            {
                continue;
            }

            // A school code the roster got wrong leaves the follow-up with the bureau's aid section.
            var school = d.SchoolCode is { } code && SchoolCode.IsValid(code) ? code : null;
            await OpenAsync(new RectificationItemInput(
                cycleId, RectificationSources.Mismatch, d.Id,
                d.Decision is null ? "学籍与建档立卡姓名不一致，未作核定：核实学生身份" : "学籍与建档立卡姓名不一致，核定为非同一人：核实并更正学籍或台账",
                d.DecisionReason is { } reason && !SensitiveText.HasIdNumber(reason) ? $"核定意见：{reason}" : null,
                Assignees.SchoolOrAidSection(school), school, StudentName: d.StudentName), cancellationToken);
            opened++;
        }

        return new JsonObject { ["items"] = opened };
    }

    private async Task OpenAsync(RectificationItemInput input, CancellationToken cancellationToken) => await OpenAsync(input, null, cancellationToken);

    /// <summary>Opens the item; a 控辍保学 item whose case closed before the cycle's approval closes with it at once.</summary>
    private async Task OpenAsync(RectificationItemInput input, DropoutCase? dropoutCase, CancellationToken cancellationToken)
    {
        // A name from a file can be longer than an item allows: the item is opened without it rather than not at all.
        var item = input.Validate().Count == 0 ? input : input with { StudentName = null, Description = null, Township = null, Village = null };
        await rectification.OpenAsync(item, cancellationToken);
        if (dropoutCase is { IsOpen: false, Outcome: { } outcome })
        {
            await caseItems.CloseAsync(input.CycleId, dropoutCase, outcome, cancellationToken);
        }
    }

    /// <summary>The child's 控辍保学 case of this cycle (verification opened or carried it), which drives the item.</summary>
    private async Task<DropoutCase?> CaseOfAsync(string cycleId, Rosters.IdNumber? idNumber, CancellationToken cancellationToken) =>
        idNumber is { } id && Cycles.CycleIds.CountyOf(cycleId) is { } county ? await cases.CaseInCycleAsync(county, id, cycleId, cancellationToken) : null;
}
