using System.Text.RegularExpressions;
using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Hosting;

namespace EduRelief.Rectification;

/// <summary>Where an item came from; each has its own <c>sourceKey</c> space within a cycle.</summary>
public static class RectificationSources
{
    /// <summary>A registered child of school age in no school: a 控辍保学 follow-up.</summary>
    public const string NotEnrolled = "notEnrolled";
    public const string Mismatch = "mismatch";
    public const string Objection = "objection";
    public const string Reconciliation = "reconciliation";
    public const string PaymentFailed = "paymentFailed";
    public const string Inspection = "inspection";

    /// <summary>A school's eligible children who cannot be paid for want of a usable account (one item per school).</summary>
    public const string NoAccount = "noAccount";

    /// <summary>A paired child with no home visit in a whole calendar month (结对帮扶; one item per child and month).</summary>
    public const string HomeVisit = "homeVisit";

    public static readonly IReadOnlyList<string> All = [NotEnrolled, Mismatch, Objection, Reconciliation, PaymentFailed, Inspection, NoAccount, HomeVisit];

    public static string Label(string source) => source switch
    {
        NotEnrolled => "控辍保学",
        Mismatch => "数据比对",
        Objection => "公示异议",
        Reconciliation => "对账异常",
        PaymentFailed => "发放失败",
        Inspection => "督导检查",
        NoAccount => "账户缺失",
        HomeVisit => "结对帮扶",
        _ => source,
    };
}

public static class RectificationStatuses
{
    public const string Open = "open";
    public const string Submitted = "submitted";
    public const string Accepted = "accepted";
    public const string Returned = "returned";

    public static readonly IReadOnlyList<string> All = [Open, Submitted, Accepted, Returned];

    /// <summary>The owner still has to act: these count as overdue once past the deadline.</summary>
    public static bool AwaitsOwner(string status) => status is Open or Returned;

    public static string Label(string status) => status switch
    {
        Open => "待整改",
        Submitted => "已提交待验收",
        Accepted => "已销号",
        Returned => "已退回",
        _ => status,
    };
}

/// <summary>
/// How a name-mismatch item closes: without an outcome (the school put its records right; nobody is owed more), or
/// <see cref="Corrected"/>: the roster's name was wrong and the student is the registered child, so accepting the item
/// makes their entitlements owed, paid by the next 补发 batch (<see cref="LateEntitlements"/>).
/// </summary>
public static class MismatchOutcomes
{
    public const string Corrected = "corrected";
}

/// <summary>How a 控辍保学 item closes.</summary>
public static class DropoutOutcomes
{
    public const string Enrolled = "enrolled";
    public const string StudyingElsewhere = "studying_elsewhere";
    public const string Exempt = "exempt";

    public static readonly IReadOnlyList<string> All = [Enrolled, StudyingElsewhere, Exempt];

    public static string Label(string? outcome) => outcome switch
    {
        Enrolled => "已入学",
        StudyingElsewhere => "异地就读",
        Exempt => "免予入学",
        _ => "",
    };
}

/// <summary>
/// What a caller gives <see cref="RectificationStore.OpenAsync"/>. <see cref="SourceKey"/> identifies the problem within
/// the cycle and source (a discrepancy id, an objection's case number, a payment's ledger key, an inspection finding):
/// opening the same source and key again returns the same item. Title and description must not hold ID numbers; a
/// student's name may be given in <see cref="StudentName"/>. <see cref="Owner"/> is an assignee (<c>school:4107260001</c>
/// or <c>section:资助股</c>, see <see cref="Assignees"/>).
/// </summary>
public sealed record RectificationItemInput(
    string CycleId,
    string Source,
    string SourceKey,
    string Title,
    string? Description,
    string Owner,
    string? SchoolCode = null,
    string? Township = null,
    string? StudentName = null,
    int? DeadlineWorkingDays = null,
    string Actor = "system",
    string? Village = null,
    string? CaseId = null)
{
    public const int DefaultWorkingDays = 15;
    public const int MaxWorkingDays = 250;
    public const int MaxTitle = 200;
    public const int MaxDescription = 2000;
    public const int MaxSourceKey = 200;

    /// <summary>Field errors (camelCase names, prefixed with <paramref name="prefix"/>); empty when the input can be opened.</summary>
    /// <summary>"owner is school:{…} or section:{…}." in both languages.</summary>
    public static readonly Text OwnerFormat = new("owner 为 school:{10 位学校标识码} 或 section:{股室名称}。", "owner is school:{10-digit school code} or section:{name}.");

    public Dictionary<string, Text[]> Validate(string prefix = "")
    {
        var errors = new Dictionary<string, Text[]>();
        void Add(string field, Text message) => errors[prefix + field] = [message];

        if (!RectificationSources.All.Contains(Source))
        {
            Add("source", new Text($"source 须为以下之一：{string.Join("、", RectificationSources.All.Select(s => $"{s}（{RectificationSources.Label(s)}）"))}。", $"source is one of {string.Join(", ", RectificationSources.All)}."));
        }

        if (string.IsNullOrWhiteSpace(SourceKey) || SourceKey.Length > MaxSourceKey)
        {
            Add("sourceKey", new Text($"须填写 sourceKey，1 至 {MaxSourceKey} 个字符。", $"A sourceKey of 1 to {MaxSourceKey} characters is required."));
        }

        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > MaxTitle)
        {
            Add("title", new Text($"须填写标题，1 至 {MaxTitle} 个字符。", $"A title of 1 to {MaxTitle} characters is required."));
        }
        else if (SensitiveText.HasIdNumber(Title))
        {
            Add("title", new Text("标题中不得含有身份证号。", "The title must not contain an ID number."));
        }

        if (Description is { } d && (d.Length > MaxDescription || SensitiveText.HasIdNumber(d)))
        {
            Add("description", new Text($"问题描述最多 {MaxDescription} 个字符，且不得含有身份证号。", $"The description is at most {MaxDescription} characters and must not contain an ID number."));
        }

        if (!Assignees.TryParse(Owner, out _, out _))
        {
            Add("owner", OwnerFormat);
        }

        if (SchoolCode is not null && !Auth.SchoolCode.IsValid(SchoolCode))
        {
            Add("schoolCode", new Text("schoolCode 为 10 位学校标识码。", "schoolCode has 10 digits."));
        }

        if (DeadlineWorkingDays is < 1 or > MaxWorkingDays)
        {
            Add("deadlineWorkingDays", new Text($"deadlineWorkingDays（整改时限）为 1 至 {MaxWorkingDays} 个工作日。", $"deadlineWorkingDays is 1 to {MaxWorkingDays}."));
        }

        if (StudentName is { Length: > 50 })
        {
            Add("studentName", new Text("studentName（学生姓名）最多 50 个字符。", "studentName is at most 50 characters."));
        }

        if (Village is { Length: > 50 })
        {
            Add("village", new Text("village 最多 50 个字符。", "village is at most 50 characters."));
        }

        if (Township is { Length: > 50 })
        {
            Add("township", new Text("township（乡镇）最多 50 个字符。", "township is at most 50 characters."));
        }

        return errors;
    }
}

/// <summary>
/// A rectification item (整改事项) as stored. <see cref="ReturnedAt"/> is when it was last returned; the reminder run
/// sets <see cref="RemindedAt"/> (owner told it is due within 3 working days), <see cref="EscalatedAt"/> (bureau told it
/// is overdue) and <see cref="ReturnRemindedAt"/> (owner told it was returned).
/// </summary>
public sealed record RectificationItem(
    string Id,
    string CycleId,
    string Source,
    string SourceKey,
    string Title,
    string? Description,
    string Owner,
    string? SchoolCode,
    string? Township,
    string? StudentName,
    string Status,
    int DeadlineWorkingDays,
    DateTimeOffset DueAt,
    bool CalendarMissing,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    int EvidenceCount,
    string? Note,
    string? Outcome,
    string? OutcomeSchoolCode,
    string? OutcomeReason,
    DateTimeOffset? SubmittedAt,
    string? ReturnReason,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset UpdatedAt,
    int Version,
    DateTimeOffset? ReturnedAt = null,
    DateTimeOffset? RemindedAt = null,
    DateTimeOffset? EscalatedAt = null,
    DateTimeOffset? ReturnRemindedAt = null)
{
    /// <summary>For a 控辍保学 child found enrolled: the 学段, 年级 and boarding the school gave (they price the aid owed).</summary>
    public string? OutcomeStage { get; init; }

    public int? OutcomeGrade { get; init; }

    public bool? OutcomeBoarding { get; init; }

    /// <summary>For a 控辍保学 child: the village the registry places the household in (its head is in the child's chain).</summary>
    public string? Village { get; init; }

    /// <summary>
    /// For a 控辍保学 item: the child's case (<c>/api/counties/{county}/dropout-cases/{id}</c>), which drives it: the item
    /// closes when the case closes, with the case's outcome, and takes no submission or decision of its own.
    /// </summary>
    public string? CaseId { get; init; }

    public bool IsDropout => Source == RectificationSources.NotEnrolled;

    public bool IsMismatch => Source == RectificationSources.Mismatch;

    public bool IsOverdue(DateTimeOffset now) => RectificationStatuses.AwaitsOwner(Status) && now > DueAt;
}

/// <summary>One evidence file recorded on an item; the bytes are the blob <c>evidence/sha256/{Sha256}</c>.</summary>
public sealed record EvidenceFile(string Sha256, long Size, string ContentType, string? FileName, string UploadedBy, DateTimeOffset UploadedAt);

/// <summary>One change of an item: who, when, the status before and after, and the note.</summary>
public sealed record RectificationChange(int Sequence, DateTimeOffset At, string Actor, string Action, string? From, string To, string? Note);

/// <summary>
/// A cycle's rectification figures. <see cref="Rate"/> is accepted over all items, rounded to 4 decimals; null when the
/// cycle has no items (nothing to rectify is not a rate). Overdue counts items still with their owner (open or
/// returned) past their deadline.
/// </summary>
public sealed record RectificationSummary(int Items, int Open, int Submitted, int Accepted, int Returned, int Overdue, decimal? Rate);

public sealed record RectificationFilter(string? Status, string? Source, string? Owner, bool Overdue);

/// <summary>
/// Personal numbers in free text (inspection findings, notes, reasons, replies, hotline content, file names): ID numbers
/// (18 characters, the last a digit or X; or the old 15 digits) and 11-digit mobile numbers, found however they were
/// typed: ASCII or full-width digits, with spaces (also U+3000) or dashes between them. Masked on write in the shapes
/// answers use elsewhere: <c>410726********0025</c> and <c>138****5678</c>.
/// </summary>
public static partial class SensitiveText
{
    /// <summary>An ID number in any of the spellings above.</summary>
    public static bool HasIdNumber(string text) => IdLike().IsMatch(text);

    /// <summary>The text with every ID number and mobile number masked; null stays null.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Mask(string? text) => text is null ? null :
        MobileLike().Replace(MaskIdNumbers(text), m => Hotline.PhoneNumbers.Mask(Digits(m.Value)));

    /// <summary>The text with every ID number masked to its first 6 and last 4 characters (<c>410726********123X</c>).</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? MaskIdNumbers(string? text) => text is null ? null :
        IdLike().Replace(text, m =>
        {
            var id = Digits(m.Value);
            return string.Concat(id.AsSpan(0, 6), new string('*', id.Length - 10), id.AsSpan(id.Length - 4));
        });

    /// <summary>The number as ASCII digits (and X), without the spaces and dashes it was typed with (as rosters normalise IDs).</summary>
    private static string Digits(string typed) => Rosters.IdNumbers.Normalize(new string(typed.Where(c => !Separator(c)).ToArray()));

    private static bool Separator(char c) => c is ' ' or '\u3000' or '\u00A0' or '\t' or '-' or '－' or '‐' or '‑' or '–' or '—';

    // D is a digit (ASCII or full-width), S at most two spaces or dashes between digits.
    private const string D = "[0-9０-９]";
    private const string S = "[ \u3000\u00A0\t\\-－‐‑–—]{0,2}";

    [GeneratedRegex($"(?<![0-9０-９])(?:{D}(?:{S}{D}){{16}}{S}[0-9０-９XxＸｘ]|{D}(?:{S}{D}){{14}})(?![0-9０-９XxＸｘ])")]
    private static partial Regex IdLike();

    [GeneratedRegex($"(?<![0-9０-９])[1１]{S}[3-9３-９](?:{S}{D}){{9}}(?![0-9０-９])")]
    private static partial Regex MobileLike();
}
