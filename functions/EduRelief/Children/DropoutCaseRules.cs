using System.Globalization;
using EduRelief.Hosting;

namespace EduRelief.Children;

/// <summary>
/// The weekly check (周盘点, DOMAIN "控辍保学 cases"): weeks are calendar weeks, Monday to Sunday in China time. A case
/// owes a note for every week it was open from start to end: the week it was opened in is partly before it, so the
/// first week it owes is the next one. Pure: no storage, no clock.
/// </summary>
public static class DropoutWeeks
{
    /// <summary>The Monday of the China week <paramref name="date"/> falls in.</summary>
    public static DateOnly WeekOf(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    /// <summary>The Monday of the China week of an instant.</summary>
    public static DateOnly WeekOf(DateTimeOffset at) => WeekOf(ChinaTime.DateOf(at));

    /// <summary>The instant a China week ends (Sunday 23:59:59 +08:00).</summary>
    public static DateTimeOffset EndOf(DateOnly monday) =>
        new DateTimeOffset(monday.AddDays(7).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).AddSeconds(-1);

    /// <summary>The instant a China week starts (Monday 00:00:00 +08:00).</summary>
    public static DateTimeOffset StartOf(DateOnly monday) => new(monday.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));

    /// <summary>
    /// The weeks that ended by <paramref name="now"/> (or by <paramref name="closedAt"/>, when the case closed) and began
    /// after the case was opened, with no note: oldest first.
    /// </summary>
    public static IReadOnlyList<DateOnly> Missing(DateTimeOffset openedAt, DateTimeOffset? closedAt, IReadOnlySet<DateOnly> noted, DateTimeOffset now)
    {
        var first = WeekOf(openedAt).AddDays(7);
        var end = closedAt is { } closed && closed < now ? closed : now;
        var missing = new List<DateOnly>();
        for (var week = first; EndOf(week) < end; week = week.AddDays(7))
        {
            if (!noted.Contains(week))
            {
                missing.Add(week);
            }
        }

        return missing;
    }

    /// <summary>The week before the one <paramref name="now"/> falls in, when the case owed a note for it and has none.</summary>
    public static DateOnly? MissedLastWeek(DateTimeOffset openedAt, IReadOnlySet<DateOnly> noted, DateTimeOffset now)
    {
        var last = WeekOf(now).AddDays(-7);
        return StartOf(last) > openedAt && !noted.Contains(last) ? last : null;
    }

    /// <summary>Whether a case open at <paramref name="now"/> still owes this week's note (a case opened this week owes none yet).</summary>
    public static bool OwesThisWeek(DateTimeOffset openedAt, IReadOnlySet<DateOnly> noted, DateTimeOffset now)
    {
        var week = WeekOf(now);
        return StartOf(week) > openedAt && !noted.Contains(week);
    }

    public static string Format(DateOnly week) => week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The stored list of noted weeks ("2026-09-07,2026-09-14").</summary>
    public static IReadOnlySet<DateOnly> Parse(string? stored) =>
        (stored ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => DateOnly.ParseExact(w, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToHashSet();

    public static string Store(IEnumerable<DateOnly> weeks) => string.Join(",", weeks.Distinct().Order().Select(Format));
}

/// <summary>
/// The body of <c>POST …/dropout-cases/{id}/outcome</c>. For <c>returned</c>, <see cref="Stage"/>, <see cref="Grade"/>
/// and <see cref="Boarding"/> may give the class the child joined: they price the aid the cycle then owes (补发).
/// </summary>
public sealed record DropoutOutcomeRequest(
    string? Outcome, string? Date, string? SchoolName = null, string? SchoolCode = null, string? Teacher = null, string? VisitPlan = null,
    IReadOnlyList<string>? Evidence = null, string? Note = null, string? Stage = null, int? Grade = null, bool? Boarding = null);

/// <summary>A validated closing outcome: what happened, when, where or with whom, the evidence files named.</summary>
public sealed record DropoutOutcome(
    string Outcome, DateOnly Date, string? SchoolCode, string? SchoolName, string? Teacher, string? VisitPlan, IReadOnlyList<string> Evidence, string? Note)
{
    /// <summary>For <c>returned</c>: the 学段, 年级 and boarding of the class joined, when given.</summary>
    public string? Stage { get; init; }

    public int? Grade { get; init; }

    public bool? Boarding { get; init; }
}

/// <summary>
/// The case lifecycle (DOMAIN "控辍保学 cases"): <c>not_in_school → persuading → one closing outcome</c>; a note on an open
/// case (the first moves it to persuading); an outcome closes an open case once, validated per outcome; a
/// <c>returned</c> recorded by a person waits for the next roster or that school's officer to confirm it. Pure.
/// </summary>
public static class DropoutCaseRules
{
    public const int MaxNote = 500;
    public const int MaxName = 100;

    public static string Label(string status) => status switch
    {
        DropoutCaseStatuses.NotInSchool => "未入学",
        DropoutCaseStatuses.Persuading => "劝返中",
        DropoutCaseStatuses.Returned => "已返校",
        DropoutCaseStatuses.HomeSchooling => "送教上门",
        DropoutCaseStatuses.Deferred => "延缓入学或休学",
        DropoutCaseStatuses.OutsideCounty => "县外就学",
        DropoutCaseStatuses.MovedOut => "已迁出",
        DropoutCaseStatuses.Deceased => "已死亡",
        _ => status,
    };

    /// <summary>The status after a note: a note on <c>not_in_school</c> moves it to <c>persuading</c> unless the writer says it does not; null when the case is closed.</summary>
    public static string? AfterNote(string status, bool? persuading) => status switch
    {
        DropoutCaseStatuses.NotInSchool => persuading == false ? DropoutCaseStatuses.NotInSchool : DropoutCaseStatuses.Persuading,
        DropoutCaseStatuses.Persuading => DropoutCaseStatuses.Persuading,
        _ => null,
    };

    /// <summary>The note, or the field error (1 to 500 characters, no ID number).</summary>
    public static (string? Note, Dictionary<string, Text[]> Errors) ValidateNote(string? note)
    {
        var errors = new Dictionary<string, Text[]>();
        var trimmed = note?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNote)
        {
            errors["note"] = [new Text($"须填写进展情况，1 至 {MaxNote} 个字符。", $"note is 1 to {MaxNote} characters.")];
        }
        else if (Rectification.SensitiveText.HasIdNumber(trimmed))
        {
            errors["note"] = [new Text("note 中不得写身份证号。", "note must not hold an ID number.")];
        }

        return (errors.Count == 0 ? trimmed : null, errors);
    }

    /// <summary>
    /// The outcome, or the errors naming each field: <c>returned</c> needs the school (its 10-digit code) and the date;
    /// <c>home_schooling</c> the teacher and visit plan; <c>deferred</c> (a certificate), <c>moved_out</c> and
    /// <c>deceased</c> at least one evidence file; <c>outside_county</c> the school's name. Every outcome has a date no
    /// later than <paramref name="today"/>; every evidence file must be one uploaded to the case (<paramref name="uploaded"/>).
    /// </summary>
    public static (DropoutOutcome? Outcome, Dictionary<string, Text[]> Errors) Validate(DropoutOutcomeRequest request, DateOnly today, IReadOnlySet<string> uploaded)
    {
        var errors = new Dictionary<string, Text[]>();
        if (request.Outcome is null || !DropoutCaseStatuses.Outcomes.Contains(request.Outcome))
        {
            errors["outcome"] = [new Text($"outcome 应为以下之一：{string.Join(", ", DropoutCaseStatuses.Outcomes)}。", $"outcome is one of {string.Join(", ", DropoutCaseStatuses.Outcomes)}.")];
        }

        if (!DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) || date > today)
        {
            errors["date"] = [new Text("date 为不晚于今天的日期，格式 YYYY-MM-DD。", "date is a date no later than today, as YYYY-MM-DD.")];
        }

        var schoolName = Trimmed(request.SchoolName);
        var teacher = Trimmed(request.Teacher);
        var visitPlan = Trimmed(request.VisitPlan);
        var evidence = (request.Evidence ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        switch (request.Outcome)
        {
            case DropoutCaseStatuses.Returned:
                if (!EduRelief.Auth.SchoolCode.IsValid(request.SchoolCode))
                {
                    errors["schoolCode"] = [new Text("返校须填写就读学校的 10 位学校标识码。", "returned needs the 10-digit code of the school the child is back at.")];
                }

                if (request.Stage is not null || request.Grade is not null)
                {
                    Rectification.RectificationLifecycle.CheckClassJoined(request.Stage, request.Grade, errors);
                }

                break;
            case DropoutCaseStatuses.HomeSchooling:
                if (teacher is null)
                {
                    errors["teacher"] = [new Text("送教上门须填写送教教师。", "home_schooling needs the teacher.")];
                }

                if (visitPlan is null)
                {
                    errors["visitPlan"] = [new Text("送教上门须填写送教计划。", "home_schooling needs the visit plan.")];
                }

                break;
            case DropoutCaseStatuses.OutsideCounty:
                if (schoolName is null)
                {
                    errors["schoolName"] = [new Text("县外就学须填写就读学校名称。", "outside_county needs the school's name.")];
                }

                break;
            case DropoutCaseStatuses.Deferred or DropoutCaseStatuses.MovedOut or DropoutCaseStatuses.Deceased:
                if (evidence.Count == 0)
                {
                    errors["evidence"] = [request.Outcome == DropoutCaseStatuses.Deferred
                        ? new Text("延缓入学或休学须附证明材料（先上传佐证材料，再填写其 sha256）。", "deferred needs the certificate as evidence (upload it first, then name its sha256).")
                        : new Text("迁出或死亡须附证明材料（先上传佐证材料，再填写其 sha256）。", "moved_out and deceased need evidence (upload it first, then name its sha256).")];
                }

                break;
        }

        if (!errors.ContainsKey("evidence") && evidence.FirstOrDefault(e => !uploaded.Contains(e)) is { } unknown)
        {
            errors["evidence"] = [new Text($"佐证材料 {unknown} 不是本案件上传的文件。", $"Evidence {unknown} is no file uploaded to this case.")];
        }

        foreach (var (field, value) in new[] { ("schoolName", schoolName), ("teacher", teacher) })
        {
            if (value is { Length: > MaxName })
            {
                errors[field] = [new Text($"{field} 最多 {MaxName} 个字符。", $"{field} is at most {MaxName} characters.")];
            }
        }

        foreach (var (field, value) in new[] { ("visitPlan", visitPlan), ("note", Trimmed(request.Note)) })
        {
            if (value is { Length: > MaxNote })
            {
                errors[field] = [new Text($"{field} 最多 {MaxNote} 个字符。", $"{field} is at most {MaxNote} characters.")];
            }
            else if (value is not null && Rectification.SensitiveText.HasIdNumber(value))
            {
                errors[field] = [new Text($"{field} 中不得写身份证号。", $"{field} must not hold an ID number.")];
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var outcome = request.Outcome!;
        return (new DropoutOutcome(
            outcome, date,
            outcome == DropoutCaseStatuses.Returned ? request.SchoolCode : null,
            outcome is DropoutCaseStatuses.Returned or DropoutCaseStatuses.OutsideCounty ? schoolName : null,
            outcome == DropoutCaseStatuses.HomeSchooling ? teacher : null,
            outcome == DropoutCaseStatuses.HomeSchooling ? visitPlan : null,
            evidence, Trimmed(request.Note))
        {
            Stage = outcome == DropoutCaseStatuses.Returned ? request.Stage : null,
            Grade = outcome == DropoutCaseStatuses.Returned ? request.Grade : null,
            Boarding = outcome == DropoutCaseStatuses.Returned && request.Stage is not null ? request.Boarding ?? false : null,
        }, errors);
    }

    /// <summary>Whether a returned case waits for confirmation, and who may give it: that school's officer or the bureau.</summary>
    public static bool AwaitsConfirmation(string status, string? confirmedBy) => status == DropoutCaseStatuses.Returned && confirmedBy is null;

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The children a verification finds out of school: each a 控辍保学 case unless one is open already.</summary>
public static class DropoutCandidates
{
    /// <summary>
    /// Every <c>absentSchoolAge</c> child (at their previous school) and every <c>notEnrolled</c> child who has not
    /// completed compulsory education, once each (a child who is both keeps the previous school).
    /// </summary>
    public static IReadOnlyList<DropoutCandidate> Of(Eligibility.VerificationResult result) =>
    [
        .. result.Discrepancies
            .Where(d => d.IdNumber is not null && (d.Kind == Eligibility.DiscrepancyKinds.AbsentSchoolAge || (d.Kind == Eligibility.DiscrepancyKinds.NotEnrolled && !d.CompletedCompulsory)))
            .OrderBy(d => d.Kind == Eligibility.DiscrepancyKinds.AbsentSchoolAge ? 0 : 1)
            .Select(d => new DropoutCandidate(
                d.IdNumber!.Value, d.StudentName ?? d.PovertyName ?? "", Blank(d.Township), Blank(d.Village),
                d.Kind == Eligibility.DiscrepancyKinds.AbsentSchoolAge ? d.SchoolCode : null, d.Kind == Eligibility.DiscrepancyKinds.AbsentSchoolAge ? d.SchoolName : null, d.Kind, d.Age))
            .DistinctBy(c => c.IdNumber.Key),
    ];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
