using System.Globalization;
using System.Text.Json;
using EduRelief.Hosting;

namespace EduRelief.Calendar;

/// <summary>A named day of the published calendar: {"date": "2026-10-01", "name": "国庆节"}.</summary>
public sealed record CalendarDay(DateOnly Date, string Name);

/// <summary>A year's published calendar as people read it: holidays and make-up working days, each with its festival.</summary>
public sealed record CalendarDocument(int Year, IReadOnlyList<CalendarDay> Holidays, IReadOnlyList<CalendarDay> Workdays)
{
    public YearCalendar ToYearCalendar() =>
        new(Year, Holidays.Select(d => d.Date).ToHashSet(), Workdays.Select(d => d.Date).ToHashSet());
}

/// <summary>What GET /api/calendar/{year} answers: the calendar in force and where it comes from.</summary>
public sealed record CalendarView(
    int Year,
    string Source,
    IReadOnlyList<CalendarDay> Holidays,
    IReadOnlyList<CalendarDay> Workdays,
    DateTimeOffset? UpdatedAt = null,
    string? UpdatedBy = null)
{
    public const string StateCouncil = "state-council";
    public const string Override = "override";
}

/// <summary>The body of PUT /api/calendar/{year}; dates as text so a bad one is named, not thrown.</summary>
public sealed record CalendarInput(IReadOnlyList<CalendarDayInput?>? Holidays, IReadOnlyList<CalendarDayInput?>? Workdays);

public sealed record CalendarDayInput(string? Date, string? Name);

/// <summary>The outcome of validating a calendar: the document, or the errors keyed by field (holidays[3].date …).</summary>
public sealed record CalendarValidation(CalendarDocument? Document, IReadOnlyDictionary<string, Text[]> Errors)
{
    public bool IsValid => Document is not null;
}

public static class CalendarJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

/// <summary>The rules a published calendar keeps, for the shipped file and for overrides alike.</summary>
public static class CalendarRules
{
    public const int MaxDays = 366;
    public const int MaxNameLength = 50;

    public static CalendarValidation Validate(int year, CalendarInput? input)
    {
        var errors = new Dictionary<string, List<Text>>(StringComparer.Ordinal);
        void Add(string field, Text message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (input is null)
        {
            Add("body", new Text("需要一个含 holidays（节假日）和 workdays（调休上班日）的 JSON 对象。", "A JSON object with holidays and workdays is required."));
            return Result(year, errors, [], []);
        }

        var holidays = Days("holidays", input.Holidays, year, Add, required: true);
        var workdays = Days("workdays", input.Workdays, year, Add, required: false);

        var holidayIndex = new Dictionary<DateOnly, int>();
        foreach (var (day, index) in holidays)
        {
            if (!holidayIndex.TryAdd(day.Date, index))
            {
                Add($"holidays[{index}].date", new Text($"{Iso(day.Date)} 重复列出（另见 holidays[{holidayIndex[day.Date]}]）。", $"{Iso(day.Date)} is listed more than once (also holidays[{holidayIndex[day.Date]}])."));
            }
        }

        var workdayIndex = new Dictionary<DateOnly, int>();
        foreach (var (day, index) in workdays)
        {
            if (!workdayIndex.TryAdd(day.Date, index))
            {
                Add($"workdays[{index}].date", new Text($"{Iso(day.Date)} 重复列出（另见 workdays[{workdayIndex[day.Date]}]）。", $"{Iso(day.Date)} is listed more than once (also workdays[{workdayIndex[day.Date]}])."));
            }

            if (day.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                Add($"workdays[{index}].date", new Text($"{Iso(day.Date)} 是{ChineseWeekday(day.Date.DayOfWeek)}；调休上班日只能是星期六或星期日。", $"{Iso(day.Date)} is a {day.Date.DayOfWeek}; a make-up working day (调休) is a Saturday or Sunday."));
            }

            if (holidayIndex.TryGetValue(day.Date, out var h))
            {
                Add($"workdays[{index}].date", new Text($"{Iso(day.Date)} 同时列为节假日（holidays[{h}]）；同一天只能是其中之一。", $"{Iso(day.Date)} is also a holiday (holidays[{h}]); a day is one or the other."));
            }
        }

        return Result(year, errors, [.. holidays.Select(d => d.Day)], [.. workdays.Select(d => d.Day)]);
    }

    /// <summary>Loads the shipped calendar (Data/calendar.json); a bad file stops the app from starting.</summary>
    public static IReadOnlyDictionary<int, CalendarDocument> LoadShipped(string path)
    {
        ShippedFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ShippedFile>(File.ReadAllText(path), CalendarJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Path}: {ex.Message}", ex);
        }

        if (file?.Years is null)
        {
            throw new InvalidDataException($"{path}: a calendar file is {{\"source\", \"years\": {{\"2026\": {{\"holidays\", \"workdays\"}}}}}}.");
        }

        var years = new Dictionary<int, CalendarDocument>();
        foreach (var (key, input) in file.Years)
        {
            if (key.Length != 4 || !int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var year))
            {
                throw new InvalidDataException($"{path}: years.{key} is not a year.");
            }

            var result = Validate(year, input);
            if (!result.IsValid)
            {
                throw new InvalidDataException($"{path}: years.{key}: " + string.Join(" ", result.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m.En}"))));
            }

            years[year] = result.Document!;
        }

        return years;
    }

    private static CalendarValidation Result(int year, Dictionary<string, List<Text>> errors, CalendarDay[] holidays, CalendarDay[] workdays) =>
        errors.Count > 0
            ? new CalendarValidation(null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal))
            : new CalendarValidation(
                new CalendarDocument(year, [.. holidays.OrderBy(d => d.Date)], [.. workdays.OrderBy(d => d.Date)]),
                new Dictionary<string, Text[]>());

    private static List<(CalendarDay Day, int Index)> Days(
        string field, IReadOnlyList<CalendarDayInput?>? input, int year, Action<string, Text> add, bool required)
    {
        var days = new List<(CalendarDay, int)>();
        if (input is null)
        {
            if (required)
            {
                add(field, new Text($"缺少 {field}：格式为 [{{\"date\": \"yyyy-MM-dd\", \"name\": \"…\"}}]。", $"{field} is required: [{{\"date\": \"yyyy-MM-dd\", \"name\": \"…\"}}]."));
            }

            return days;
        }

        if (required && input.Count == 0)
        {
            add(field, new Text($"发布的日历须列出 {field}。", $"A published calendar lists its {field}."));
        }

        if (input.Count > MaxDays)
        {
            add(field, new Text($"{field} 最多列 {MaxDays} 天。", $"{field} lists at most {MaxDays} days."));
            return days;
        }

        for (var i = 0; i < input.Count; i++)
        {
            var at = $"{field}[{i}]";
            if (input[i] is not { } entry)
            {
                add(at, new Text("每一天的格式为 {\"date\": \"yyyy-MM-dd\", \"name\": \"…\"}。", "Each day is {\"date\": \"yyyy-MM-dd\", \"name\": \"…\"}."));
                continue;
            }

            var name = entry.Name?.Trim();
            var valid = true;
            if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
            {
                add($"{at}.name", new Text($"name 为节日名称，1 至 {MaxNameLength} 个字符，例如“春节”。", $"name is the festival, 1 to {MaxNameLength} characters, e.g. 春节."));
                valid = false;
            }

            if (!DateOnly.TryParseExact(entry.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                add($"{at}.date", new Text("date 为 yyyy-MM-dd 格式的日期。", "date is an ISO date, yyyy-MM-dd."));
                valid = false;
            }
            else if (date.Year != year)
            {
                add($"{at}.date", new Text($"{Iso(date)} 不在 {year} 年内。", $"{Iso(date)} is not in {year}."));
                valid = false;
            }

            if (valid)
            {
                days.Add((new CalendarDay(date, name!), i));
            }
        }

        return days;
    }

    private static string ChineseWeekday(DayOfWeek day) => "星期" + "日一二三四五六"[(int)day];

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record ShippedFile(string? Source, Dictionary<string, CalendarInput?>? Years);
}
