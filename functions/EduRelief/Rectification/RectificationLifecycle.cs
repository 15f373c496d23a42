using EduRelief.Auth;
using EduRelief.Hosting;

namespace EduRelief.Rectification;

/// <summary>What a rule needs to know of an item.</summary>
public sealed record ItemState(string Status, bool IsDropout, int EvidenceCount, bool IsMismatch = false);

/// <summary>
/// The owner's submission: a note, and for a 控辍保学 item its outcome (a school with the child's 学段, 年级 and 是否住校,
/// which price the aid the child is now owed; or a reason for an exemption).
/// </summary>
public sealed record SubmitRequest(string? Note, string? Outcome = null, string? SchoolCode = null, string? Reason = null, string? Stage = null, int? Grade = null, bool? Boarding = null);

public enum RefusalKind
{
    /// <summary>The request itself is incomplete or wrong: 400 naming the fields.</summary>
    Invalid,

    /// <summary>The item is not in a status that allows this: 409.</summary>
    Conflict,
}

/// <summary>A refused change: why, and which fields are at fault.</summary>
public sealed record Refusal(RefusalKind Kind, IReadOnlyDictionary<string, Text[]> Errors, Text Detail);

/// <summary>An allowed change: the status after it, and the note to record.</summary>
public sealed record Change(string Action, string To, string? Note);

/// <summary>
/// The item lifecycle <c>open → submitted → accepted | returned</c>, and <c>returned → submitted</c> again. The owner adds
/// evidence while the item is open or returned and submits with a note and at least one file; a 控辍保学 item submits an
/// outcome: <c>enrolled</c> (with the school, no file needed), <c>studying_elsewhere</c> (with evidence) or <c>exempt</c>
/// (with evidence and a reason). The bureau accepts, or returns with a reason. Pure: no storage, no clock.
/// </summary>
public static class RectificationLifecycle
{
    public const int MaxNote = 1000;

    public const string Opened = "opened";
    public const string EvidenceAdded = "evidence";
    public const string SubmittedAction = "submitted";
    public const string AcceptedAction = "accepted";
    public const string ReturnedAction = "returned";

    public static (Change? Change, Refusal? Refusal) AddEvidence(ItemState item) =>
        RectificationStatuses.AwaitsOwner(item.Status)
            ? (new Change(EvidenceAdded, item.Status, null), null)
            : (null, Conflict(new Text($"只有“待整改”或“已退回”的整改事项才能添加佐证材料；该事项当前为“{RectificationStatuses.Label(item.Status)}”。", $"Evidence is added while the item is open or returned; it is {item.Status}.")));

    public static (Change? Change, Refusal? Refusal) Submit(ItemState item, SubmitRequest request)
    {
        var errors = new Dictionary<string, Text[]>();
        var note = request.Note?.Trim();
        if (string.IsNullOrEmpty(note) || note.Length > MaxNote)
        {
            errors["note"] = [new Text($"须填写整改说明，1 至 {MaxNote} 个字符。", $"A note of 1 to {MaxNote} characters is required.")];
        }

        var evidenceNeeded = true;
        if (item.IsDropout)
        {
            switch (request.Outcome)
            {
                case DropoutOutcomes.Enrolled:
                    evidenceNeeded = false;
                    if (!SchoolCode.IsValid(request.SchoolCode))
                    {
                        errors["schoolCode"] = [new Text("须填写该生就读学校的 10 位学校标识码。", "The 10-digit code of the school the child is enrolled in is required.")];
                    }

                    // The child is owed aid from now on: the class they joined prices it.
                    CheckClassJoined(request.Stage, request.Grade, errors);

                    break;
                case DropoutOutcomes.StudyingElsewhere:
                    break;
                case DropoutOutcomes.Exempt:
                    if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Trim().Length > MaxNote)
                    {
                        errors["reason"] = [new Text($"免予入学须填写理由，1 至 {MaxNote} 个字符。", $"An exemption needs a reason of 1 to {MaxNote} characters.")];
                    }

                    break;
                default:
                    errors["outcome"] = [new Text("控辍保学事项须填写处理结果：enrolled（已入学）、studying_elsewhere（异地就读）或 exempt（免予入学）。", $"A 控辍保学 item closes with an outcome: {string.Join(", ", DropoutOutcomes.All)}.")];
                    evidenceNeeded = false;
                    break;
            }
        }
        else if (item.IsMismatch && request.Outcome is not null && request.Outcome != MismatchOutcomes.Corrected)
        {
            errors["outcome"] = [new Text(
                $"姓名不一致事项不填写处理结果；若名册姓名已更正且该生确为建档立卡学生，填写“{MismatchOutcomes.Corrected}”（验收后予以补发）。",
                $"A name-mismatch item closes without an outcome, or with \"{MismatchOutcomes.Corrected}\" when the roster's name was corrected and the student is the registered child (accepting it pays them by 补发).")];
        }
        else if (!item.IsMismatch && request.Outcome is not null)
        {
            errors["outcome"] = [new Text("只有控辍保学或姓名不一致事项才填写处理结果。", "Only a 控辍保学 or a name-mismatch item has an outcome.")];
        }

        if (!RectificationStatuses.AwaitsOwner(item.Status))
        {
            return (null, Conflict(new Text($"只有“待整改”或“已退回”的整改事项才能提交；该事项当前为“{RectificationStatuses.Label(item.Status)}”。", $"Only an open or returned item can be submitted; it is {item.Status}.")));
        }

        if (evidenceNeeded && item.EvidenceCount == 0)
        {
            errors["evidence"] = [new Text("提交前须至少添加一份佐证材料。", "Add at least one evidence file before submitting.")];
        }

        return errors.Count > 0
            ? (null, new Refusal(RefusalKind.Invalid, errors, new Text(string.Join(" ", errors.SelectMany(e => e.Value.Select(m => m.Zh))), string.Join(" ", errors.SelectMany(e => e.Value.Select(m => m.En))))))
            : (new Change(SubmittedAction, RectificationStatuses.Submitted, note), null);
    }

    public static (Change? Change, Refusal? Refusal) Accept(ItemState item, string? note)
    {
        if (note is { Length: > MaxNote })
        {
            return (null, Invalid("note", new Text($"说明最多 {MaxNote} 个字符。", $"The note is at most {MaxNote} characters.")));
        }

        return item.Status == RectificationStatuses.Submitted
            ? (new Change(AcceptedAction, RectificationStatuses.Accepted, string.IsNullOrWhiteSpace(note) ? null : note.Trim()), null)
            : (null, Conflict(new Text($"只有“已提交待验收”的整改事项才能验收销号；该事项当前为“{RectificationStatuses.Label(item.Status)}”。", $"Only a submitted item can be accepted; it is {item.Status}.")));
    }

    public static (Change? Change, Refusal? Refusal) Return(ItemState item, string? reason)
    {
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNote)
        {
            return (null, Invalid("reason", new Text($"须填写退回理由，1 至 {MaxNote} 个字符。", $"A reason of 1 to {MaxNote} characters is required.")));
        }

        return item.Status == RectificationStatuses.Submitted
            ? (new Change(ReturnedAction, RectificationStatuses.Returned, trimmed), null)
            : (null, Conflict(new Text($"只有“已提交待验收”的整改事项才能退回；该事项当前为“{RectificationStatuses.Label(item.Status)}”。", $"Only a submitted item can be returned; it is {item.Status}.")));
    }

    /// <summary>The 学段 and 年级 a child back at school joined (they price the aid then owed): a stage, and a grade it has.</summary>
    public static void CheckClassJoined(string? stageName, int? grade, Dictionary<string, Text[]> errors)
    {
        if (!Eligibility.SchoolStages.TryParse(stageName, out var stage))
        {
            errors["stage"] = [new Text($"须填写该生的学段，为以下之一：{string.Join("、", Eligibility.SchoolStages.All.Select(Eligibility.SchoolStages.Chinese))}。", $"The child's 学段 is required: one of {string.Join(", ", Eligibility.SchoolStages.All.Select(Eligibility.SchoolStages.Chinese))}.")];
        }
        else if (grade is not { } g || g < 1 || g > Eligibility.SchoolStages.MaxGrade(stage))
        {
            errors["grade"] = [new Text($"该生在{stageName}的年级为 1 至 {Eligibility.SchoolStages.MaxGrade(stage)}。", $"The child's 年级 in {stageName} is 1 to {Eligibility.SchoolStages.MaxGrade(stage)}.")];
        }
    }

    /// <summary>
    /// A 控辍保学 item linked to a case closes when the case closes, with the case's outcome, from whatever status it is
    /// in (the bureau recorded the outcome on the case, or the roster confirmed the return); an accepted one stays as it is.
    /// </summary>
    public static (Change? Change, Refusal? Refusal) CloseWithCase(ItemState item, string note) =>
        item.Status != RectificationStatuses.Accepted
            ? (new Change(AcceptedAction, RectificationStatuses.Accepted, note), null)
            : (null, Conflict(new Text("该整改事项已验收销号。", "The item is accepted already.")));

    private static Refusal Invalid(string field, Text message) =>
        new(RefusalKind.Invalid, new Dictionary<string, Text[]> { [field] = [message] }, message);

    private static Refusal Conflict(Text detail) =>
        new(RefusalKind.Conflict, new Dictionary<string, Text[]> { ["status"] = [detail] }, detail);
}
