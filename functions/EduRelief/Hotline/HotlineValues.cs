using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EduRelief.Hotline;

/// <summary>What a caller wants; each category has its own deadline rule.</summary>
public static class HotlineCategories
{
    public const string Inquiry = "inquiry";
    public const string Complaint = "complaint";
    public const string Help = "help";
    public const string TipOff = "tipoff";
    public const string Objection = "objection";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Inquiry, Complaint, Help, TipOff, Objection };

    /// <summary>The codes with their Chinese names, as a problem lists them: inquiry（咨询）、complaint（投诉）…</summary>
    public const string ChineseList = "inquiry（咨询）、complaint（投诉）、help（求助）、tipoff（举报）、objection（公示异议）";

    /// <summary>A category as a person reads it (咨询, 投诉 …).</summary>
    public static string Chinese(string category) => category switch
    {
        Inquiry => "咨询",
        Complaint => "投诉",
        Help => "求助",
        TipOff => "举报",
        Objection => "公示异议",
        _ => category,
    };
}

/// <summary>Where a case stands: <c>new → assigned → in_progress → replied → closed</c>, plus <c>reopened</c> once.</summary>
public static class HotlineStatuses
{
    public const string New = "new";
    public const string Assigned = "assigned";
    public const string InProgress = "in_progress";
    public const string Replied = "replied";
    public const string Closed = "closed";
    public const string Reopened = "reopened";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { New, Assigned, InProgress, Replied, Closed, Reopened };

    /// <summary>Statuses in which the bureau or a school still owes the caller an answer: these run against the deadline.</summary>
    public static readonly IReadOnlySet<string> Open = new HashSet<string>(StringComparer.Ordinal) { New, Assigned, InProgress, Reopened };

    public const string ChineseList = "new（待分派）、assigned（已分派）、in_progress（办理中）、replied（已答复）、closed（已办结）、reopened（已重办）";

    /// <summary>A status as the console names it (待分派, 办理中 …).</summary>
    public static string Chinese(string status) => status switch
    {
        New => "待分派",
        Assigned => "已分派",
        InProgress => "办理中",
        Replied => "已答复",
        Closed => "已办结",
        Reopened => "已重办",
        _ => status,
    };
}

/// <summary>The caller's verdict on the reply.</summary>
public static class Satisfaction
{
    public const string Satisfied = "satisfied";
    public const string Basically = "basically";
    public const string Unsatisfied = "unsatisfied";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Satisfied, Basically, Unsatisfied };

    public const string ChineseList = "satisfied（满意）、basically（基本满意）、unsatisfied（不满意）";

    public static string Chinese(string level) => level switch
    {
        Satisfied => "满意",
        Basically => "基本满意",
        Unsatisfied => "不满意",
        _ => level,
    };
}

/// <summary>How an objection to a notice is decided: upheld takes the person off the payable list, dismissed releases the hold.</summary>
public static class ObjectionDecisions
{
    public const string Upheld = "upheld";
    public const string Dismissed = "dismissed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Upheld, Dismissed };
}

/// <summary>
/// A readable case number, sequential per county and year: <c>410726-2026-000123</c>.
/// </summary>
public sealed record CaseNumber(string CountyCode, int Year, long Sequence)
{
    public override string ToString() => $"{CountyCode}-{Year.ToString("D4", CultureInfo.InvariantCulture)}-{Sequence.ToString("D6", CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out CaseNumber? number)
    {
        number = null;
        var parts = text?.Split('-');
        if (parts is not { Length: 3 }
            || parts[0] is not { Length: 6 } county || !county.All(char.IsAsciiDigit)
            || parts[1] is not { Length: 4 } year || !year.All(char.IsAsciiDigit)
            || parts[2].Length < 6 || !parts[2].All(char.IsAsciiDigit)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
        {
            return false;
        }

        number = new CaseNumber(county, int.Parse(year, CultureInfo.InvariantCulture), sequence);
        // Only the canonical spelling is a case number: 000123, not 0000123.
        if (number.ToString() != text)
        {
            number = null;
            return false;
        }

        return true;
    }
}

/// <summary>Caller phone numbers are personal data: answers show only the first 3 and last 4 digits.</summary>
public static class PhoneNumbers
{
    /// <summary>Removes spaces and dashes; a valid number is then an optional leading + and 5 to 20 digits.</summary>
    public static string Normalize(string phone) =>
        new(phone.Trim().Where(c => c is not (' ' or '-' or '\u3000')).ToArray());

    public static bool IsValid(string normalized)
    {
        var digits = normalized.StartsWith('+') ? normalized[1..] : normalized;
        return digits.Length is >= 5 and <= 20 && digits.All(char.IsAsciiDigit);
    }

    /// <summary><c>13812345678</c> → <c>138****5678</c>; numbers too short to keep both ends are masked entirely.</summary>
    public static string Mask(string phone)
    {
        var normalized = Normalize(phone);
        return normalized.Length < 8 ? "****" : string.Concat(normalized.AsSpan(0, 3), "****", normalized.AsSpan(normalized.Length - 4));
    }
}
