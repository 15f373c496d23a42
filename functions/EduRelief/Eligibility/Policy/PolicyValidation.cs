using System.Text.Json.Serialization;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

/// <summary>A policy document as it arrives (a PUT body or a shipped file): nothing is trusted until validated.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PolicyDocumentInput(int? SchoolYear, IReadOnlyList<ProgramRuleInput?>? Programs, IReadOnlyList<string?>? Notes);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProgramRuleInput(
    string? Code,
    string? Stage,
    decimal? Amount,
    decimal? BoardingAmount,
    decimal? NonBoardingAmount,
    IReadOnlyList<int>? Grades,
    string? Note);

/// <summary>The outcome of validating a document: either the document or the errors, keyed by field (programs[2].amount).</summary>
public sealed record PolicyValidationResult(PolicyDocument? Document, IReadOnlyDictionary<string, Text[]> Errors)
{
    public bool IsValid => Document is not null;
}

public static class PolicyValidation
{
    public const int MaxPrograms = 50;
    public const int MaxNoteLength = 1000;

    /// <summary>
    /// Checks a document for <paramref name="schoolYear"/>: known programme codes and stages, amounts ≥ 0 with at most
    /// 2 decimals (either <c>amount</c>, or both <c>boardingAmount</c> and <c>nonBoardingAmount</c>), grades within the
    /// stage, and no programme paid twice to the same student. The document's own schoolYear may be omitted, else must match.
    /// </summary>
    public static PolicyValidationResult Validate(int schoolYear, PolicyDocumentInput? input)
    {
        var errors = new Errors();
        if (input is null)
        {
            errors.Add("body", new Text("需要提交资助政策文件。", "A policy document is required."));
            return errors.Result();
        }

        if (input.SchoolYear is { } year && year != schoolYear)
        {
            errors.Add("schoolYear", new Text($"文件所属学年为 {year}，请求的学年为 {schoolYear}，两者不一致。", $"The document is for {year}, the request for {schoolYear}."));
        }

        if (input.Programs is not { Count: > 0 } programs)
        {
            errors.Add("programs", new Text("至少需要一个资助项目。", "At least one programme is required."));
            programs = [];
        }
        else if (programs.Count > MaxPrograms)
        {
            errors.Add("programs", new Text($"资助项目最多 {MaxPrograms} 个。", $"At most {MaxPrograms} programmes."));
        }

        var rules = new List<ProgramRule?>();
        for (var i = 0; i < programs.Count; i++)
        {
            rules.Add(ValidateRule($"programs[{i}]", programs[i], errors));
        }

        for (var k = 0; k < rules.Count; k++)
        {
            for (var i = 0; i < k; i++)
            {
                if (rules[i] is { } a && rules[k] is { } b && a.Code == b.Code && a.Stage == b.Stage && Overlap(a, b))
                {
                    errors.Add($"programs[{k}]", new Text($"{ProgramName(b.Code)}（{SchoolStages.Chinese(b.Stage)}）已由 programs[{i}] 对相同年级规定；同一资助项目对每名学生只发放一次。", $"{b.Code} for {SchoolStages.Chinese(b.Stage)} is already given by programs[{i}] for the same grades; a programme is paid once per student."));
                }
            }
        }

        var notes = new List<string>();
        for (var i = 0; i < (input.Notes?.Count ?? 0); i++)
        {
            var note = input.Notes![i]?.Trim();
            if (string.IsNullOrEmpty(note) || note.Length > MaxNoteLength)
            {
                errors.Add($"notes[{i}]", NoteLength);
            }
            else
            {
                notes.Add(note);
            }
        }

        return errors.Any ? errors.Result() : new(new PolicyDocument(schoolYear, rules.Select(r => r!).ToList(), notes), Errors.None);
    }

    private static ProgramRule? ValidateRule(string at, ProgramRuleInput? input, Errors errors)
    {
        if (input is null)
        {
            errors.Add(at, new Text("每个资助项目须为一个 JSON 对象。", "A programme is an object."));
            return null;
        }

        var before = errors.Count;
        if (input.Code is null || !ProgramCodes.All.Contains(input.Code))
        {
            errors.Add($"{at}.code", new Text($"code 须为以下之一：{string.Join("、", ProgramCodes.All.Select(c => $"{c}（{ProgramName(c)}）"))}。", $"code is one of {string.Join(", ", ProgramCodes.All)}."));
        }

        if (!SchoolStages.TryParse(input.Stage, out var stage))
        {
            errors.Add($"{at}.stage", new Text($"stage 须为以下之一：{string.Join("、", SchoolStages.All.Select(SchoolStages.Chinese))}。", $"stage is one of {string.Join(", ", SchoolStages.All.Select(SchoolStages.Chinese))}."));
        }

        if (input.Amount is null && input.BoardingAmount is null && input.NonBoardingAmount is null)
        {
            errors.Add($"{at}.amount", new Text("须填写 amount（标准金额）；区分寄宿的，填写 boardingAmount（寄宿生）和 nonBoardingAmount（非寄宿生）。", "amount is required, or boardingAmount and nonBoardingAmount where boarding matters."));
        }
        else if (input.Amount is not null && (input.BoardingAmount is not null || input.NonBoardingAmount is not null))
        {
            errors.Add($"{at}.amount", new Text("amount 与 boardingAmount、nonBoardingAmount 只能二选一。", "Give amount, or boardingAmount and nonBoardingAmount, not both."));
        }
        else if (input.Amount is null)
        {
            if (input.BoardingAmount is null)
            {
                errors.Add($"{at}.boardingAmount", new Text("填写了 nonBoardingAmount 的，须同时填写 boardingAmount。", "boardingAmount is required with nonBoardingAmount."));
            }

            if (input.NonBoardingAmount is null)
            {
                errors.Add($"{at}.nonBoardingAmount", new Text("填写了 boardingAmount 的，须同时填写 nonBoardingAmount。", "nonBoardingAmount is required with boardingAmount."));
            }
        }

        CheckMoney($"{at}.amount", input.Amount, errors);
        CheckMoney($"{at}.boardingAmount", input.BoardingAmount, errors);
        CheckMoney($"{at}.nonBoardingAmount", input.NonBoardingAmount, errors);

        if (input.Grades is { } grades)
        {
            if (grades.Count == 0)
            {
                errors.Add($"{at}.grades", new Text("适用全部年级的，请不填 grades；空列表意味着不向任何学生发放。", "Leave grades out for every grade; an empty list pays nobody."));
            }

            var stageKnown = SchoolStages.TryParse(input.Stage, out _);
            var max = stageKnown ? SchoolStages.MaxGrade(stage) : int.MaxValue;
            for (var j = 0; j < grades.Count; j++)
            {
                if (grades[j] < 1 || grades[j] > max)
                {
                    errors.Add($"{at}.grades[{j}]", stageKnown ? new Text($"{SchoolStages.Chinese(stage)}的年级为 1 至 {max}。", $"{SchoolStages.Chinese(stage)} has grades 1 to {max}.") : new Text("年级须为 1 或以上。", "A grade is 1 or more."));
                }
            }

            if (grades.Distinct().Count() != grades.Count)
            {
                errors.Add($"{at}.grades", new Text("年级有重复。", "A grade is listed twice."));
            }
        }

        var note = input.Note?.Trim();
        if (note is { Length: 0 or > MaxNoteLength })
        {
            errors.Add($"{at}.note", NoteLength);
        }

        return errors.Count > before
            ? null
            : new ProgramRule(
                input.Code!,
                stage,
                Money(input.Amount),
                Money(input.BoardingAmount),
                Money(input.NonBoardingAmount),
                input.Grades?.Order().ToList(),
                note);
    }

    private static void CheckMoney(string field, decimal? value, Errors errors)
    {
        if (value is { } v && (v < 0m || decimal.Round(v, 2) != v))
        {
            errors.Add(field, new Text("金额以元为单位，不小于 0，最多两位小数。", "An amount is yuan ≥ 0 with at most 2 decimals."));
        }
    }

    private static readonly Text NoteLength = new($"说明为 1 至 {MaxNoteLength} 个字符。", $"A note is 1 to {MaxNoteLength} characters.");

    private static string ProgramName(string code) => LedgerWorkbook.ProgramSheets.TryGetValue(code, out var name) ? name : code;

    /// <summary>Two decimal places always (500.00, 312.50): one canonical form for equal amounts.</summary>
    private static decimal? Money(decimal? value) => value is { } v ? decimal.Round(v, 2) + 0.00m : null;

    private static bool Overlap(ProgramRule a, ProgramRule b) =>
        a.Grades is null || b.Grades is null || a.Grades.Intersect(b.Grades).Any();

    private sealed class Errors
    {
        public static readonly IReadOnlyDictionary<string, Text[]> None = new Dictionary<string, Text[]>();

        private readonly Dictionary<string, List<Text>> _errors = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public bool Any => Count > 0;

        public void Add(string field, Text message)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(message);
            Count++;
        }

        public PolicyValidationResult Result() => new(null, _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}
