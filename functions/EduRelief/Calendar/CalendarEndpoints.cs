using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Hosting;

namespace EduRelief.Calendar;

public static class CalendarEndpoints
{
    public static IServiceCollection AddCalendar(this IServiceCollection services) => services.AddSingleton<WorkingCalendar>();

    public static void MapCalendar(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calendar");

        // The calendar in force for a year: the State Council's as shipped, or the override entered for it.
        group.MapGet("/{year}", async (string year, WorkingCalendar calendar, CancellationToken ct) =>
        {
            if (!TryParseYear(year, out var parsed))
            {
                return (IResult)Problems.Invalid("year", YearFormat);
            }

            return await calendar.GetAsync(parsed, ct) is { } view
                ? TypedResults.Ok(view)
                : Problems.NotFound(new Text($"{parsed} 年的工作日历", $"A working calendar for {parsed}"));
        }).RequireAuthorization(Policies.Staff);

        // A whole year's published calendar (国务院办公厅关于部分节假日安排的通知), replacing the shipped one.
        group.MapPut("/{year}", async (string year, HttpRequest http, ClaimsPrincipal user, WorkingCalendar calendar, CancellationToken ct) =>
        {
            if (!TryParseYear(year, out var parsed))
            {
                return (IResult)Problems.Invalid("year", YearFormat);
            }

            var (body, problem) = await JsonBody.ReadAsync<CalendarInput>(http, CalendarJson.Options);
            if (problem is not null)
            {
                return problem;
            }

            var result = await calendar.PutAsync(parsed, body, user.Actor(), ct);
            return result.Calendar is { } stored ? TypedResults.Ok(stored) : Problems.Invalid(new Dictionary<string, Text[]>(result.Errors));
        }).RequireAuthorization(Policies.Admin);
    }

    private static readonly Text YearFormat = new("year 为 4 位年份，例如 2027。", "year is a 4-digit year, e.g. 2027.");

    private static bool TryParseYear(string text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && text.Length == 4;
}
