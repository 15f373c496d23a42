using System.Globalization;
using System.Text.RegularExpressions;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;

namespace EduRelief.Hotline;

/// <summary>The webhook's JSON body as sent; every field is checked by <see cref="HotlineIntake"/> before anything is stored.</summary>
public sealed record HotlineCaseRequest(
    string? ExternalId,
    string? CountyCode,
    string? ReceivedAt,
    string? Category,
    string? CallerName,
    string? CallerPhone,
    string? Content,
    HotlineSubjectRequest? Subject);

public sealed record HotlineSubjectRequest(string? CycleId, string? SchoolCode, string? StudentName);

/// <summary>The person on a notice a case is about.</summary>
public sealed record HotlineSubject(string? CycleId, string? SchoolCode, string? StudentName);

/// <summary>A validated case, ready to be numbered and stored.</summary>
public sealed record HotlineCaseInput(
    string ExternalId,
    string CountyCode,
    DateTimeOffset ReceivedAt,
    string Category,
    string CallerName,
    string CallerPhone,
    string Content,
    HotlineSubject? Subject);

/// <summary>Checks a webhook body field by field; every fault is named, nothing is half-accepted.</summary>
public static partial class HotlineIntake
{
    public const int MaxExternalIdLength = 128;
    public const int MaxNameLength = 50;
    public const int MaxContentLength = 10_000;

    public static (HotlineCaseInput? Input, Dictionary<string, Text[]> Errors) Validate(HotlineCaseRequest body, CountyCatalog counties, DateTimeOffset now)
    {
        var errors = new Dictionary<string, Text[]>();

        var externalId = body.ExternalId?.Trim();
        if (string.IsNullOrEmpty(externalId) || externalId.Length > MaxExternalIdLength || externalId.Any(char.IsControl))
        {
            errors["externalId"] = [new Text($"externalId 为热线系统自己的工单编号，1 至 {MaxExternalIdLength} 个字符。", $"externalId is the hotline's own case id, 1 to {MaxExternalIdLength} characters.")];
        }

        if (!counties.TryGet(body.CountyCode, out _))
        {
            errors["countyCode"] = [new Text("countyCode 须为 GB/T 2260 中的 6 位县级行政区划代码，例如 410726。", "countyCode must be a 6-digit county-level code of GB/T 2260, e.g. 410726.")];
        }

        DateTimeOffset receivedAt = default;
        if (body.ReceivedAt is null || !OffsetTime().IsMatch(body.ReceivedAt)
            || !DateTimeOffset.TryParse(body.ReceivedAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out receivedAt))
        {
            errors["receivedAt"] = [new Text("receivedAt 为带时区偏移的 ISO 8601 时间，例如 2026-10-09T10:15:00+08:00。", "receivedAt is an ISO 8601 time with its offset, e.g. 2026-10-09T10:15:00+08:00.")];
        }
        else if (receivedAt > now + HotlineSignature.Window)
        {
            errors["receivedAt"] = [new Text("receivedAt 晚于当前时间。", "receivedAt is in the future.")];
        }
        else if (receivedAt.Year < 2000)
        {
            errors["receivedAt"] = [new Text("receivedAt 早于 2000 年。", "receivedAt is before 2000.")];
        }

        var category = body.Category;
        if (category is null || !HotlineCategories.All.Contains(category))
        {
            errors["category"] = [new Text($"category 须为以下之一：{HotlineCategories.ChineseList}。", $"category is one of {string.Join(", ", HotlineCategories.All)}.")];
        }

        var callerName = body.CallerName?.Trim();
        if (string.IsNullOrEmpty(callerName) || callerName.Length > MaxNameLength)
        {
            errors["callerName"] = [new Text($"callerName（来电人姓名）为 1 至 {MaxNameLength} 个字符。", $"callerName is 1 to {MaxNameLength} characters.")];
        }

        var callerPhone = body.CallerPhone is null ? "" : PhoneNumbers.Normalize(body.CallerPhone);
        if (!PhoneNumbers.IsValid(callerPhone))
        {
            errors["callerPhone"] = [new Text("callerPhone（联系电话）为 5 至 20 位数字，可以 + 开头。", "callerPhone is 5 to 20 digits, optionally after a +.")];
        }

        var content = body.Content?.Trim();
        if (string.IsNullOrEmpty(content) || content.Length > MaxContentLength)
        {
            errors["content"] = [new Text($"content（诉求内容）为 1 至 {MaxContentLength} 个字符。", $"content is 1 to {MaxContentLength} characters.")];
        }

        var subject = ValidateSubject(body.Subject, category == HotlineCategories.Objection, errors);
        if (subject?.CycleId is { } named && !errors.ContainsKey("subject.cycleId") && !errors.ContainsKey("countyCode") && !named.StartsWith(body.CountyCode + "-", StringComparison.Ordinal))
        {
            // A county's hotline speaks for that county: its cases and holds live with that county's cycles.
            errors["subject.cycleId"] = [new Text($"subject.cycleId 所指的资助周期不属于县 {body.CountyCode}。", $"subject.cycleId names a cycle of another county than {body.CountyCode}.")];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        // The content is free text the school may read: ID and phone numbers in it are masked before it is stored.
        return (new HotlineCaseInput(externalId!, body.CountyCode!, receivedAt, category!, callerName!, callerPhone, Rectification.SensitiveText.Mask(content!), subject), errors);
    }

    private static HotlineSubject? ValidateSubject(HotlineSubjectRequest? subject, bool required, Dictionary<string, Text[]> errors)
    {
        if (subject is null)
        {
            if (required)
            {
                errors["subject"] = [new Text("公示异议须写明涉及对象：cycleId（资助周期）、schoolCode（学校）和 studentName（学生姓名）。", "An objection names its subject: cycleId, schoolCode and studentName.")];
            }

            return null;
        }

        var cycleId = subject.CycleId?.Trim();
        if (string.IsNullOrEmpty(cycleId) ? required : !IsCycleId(cycleId))
        {
            errors["subject.cycleId"] = [CycleIdFormat("subject.cycleId")];
        }

        var schoolCode = subject.SchoolCode?.Trim();
        if (string.IsNullOrEmpty(schoolCode) ? required : !SchoolCode.IsValid(schoolCode))
        {
            errors["subject.schoolCode"] = [new Text("subject.schoolCode 为学校的 10 位学校标识码。", "subject.schoolCode is the school's 10-digit 学校标识码.")];
        }

        var studentName = subject.StudentName?.Trim();
        if (string.IsNullOrEmpty(studentName) ? required : studentName.Length > MaxNameLength)
        {
            errors["subject.studentName"] = [new Text($"subject.studentName（学生姓名）为 1 至 {MaxNameLength} 个字符。", $"subject.studentName is 1 to {MaxNameLength} characters.")];
        }
        else if (studentName is not null && studentName.Any(c => char.IsDigit(c)))
        {
            // A name has no digits; an ID number typed into it must not travel on to holds, items and schools.
            errors["subject.studentName"] = [new Text("subject.studentName 为公示名单上的学生姓名，不得含数字。", "subject.studentName is the child's name as the notice shows it, without numbers.")];
        }

        return new HotlineSubject(NullIfEmpty(cycleId), NullIfEmpty(schoolCode), NullIfEmpty(studentName));
    }

    /// <summary>"{field} is a cycle id, e.g. 410726-2026-autumn." in both languages.</summary>
    public static Text CycleIdFormat(string field) =>
        new($"{field} 为资助周期编号，例如 410726-2026-autumn。", $"{field} is a cycle id, e.g. 410726-2026-autumn.");

    public static bool IsCycleId(string? text) =>
        text is { Length: > 7 } && text[6] == '-' && text[..6].All(char.IsAsciiDigit) && Semester.TryParse(text[7..], out _);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetTime();
}
