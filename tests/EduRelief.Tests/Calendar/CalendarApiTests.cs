using System.Text.Json.Nodes;
using EduRelief.Calendar;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Workflow;
using Xunit;

namespace EduRelief.Tests.Calendar;

/// <summary>
/// The calendar API over HTTP against the real app. Tests share one app, so each writes its own year:
/// 2027 (the override), 2028 and 2029 (refused bodies).
/// </summary>
public sealed class CalendarApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private HttpClient Admin => fixture.App.Admin;

    private static object Day(string date, string name) => new { date, name };

    private static object Calendar2027() => new
    {
        holidays = new[] { Day("2027-01-01", "元旦"), Day("2027-02-06", "春节"), Day("2027-02-07", "春节"), Day("2027-02-08", "春节") },
        workdays = new[] { Day("2027-02-20", "春节") },
    };

    private static IReadOnlyDictionary<string, JsonNode?> Errors(JsonNode? body) =>
        body!["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public async Task GetCalendar_2026_ReturnsTheStateCouncilCalendarAsShipped()
    {
        var shipped = CalendarRules.LoadShipped(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "calendar.json"))[2026];

        var (status, body) = await Admin.GetJsonAsync("/api/calendar/2026");

        Assert.Equal(200, status);
        Assert.Equal(2026, (int)body!["year"]!);
        Assert.Equal("state-council", (string?)body["source"]);
        Assert.Equal(shipped.Holidays.Count, body["holidays"]!.AsArray().Count);
        Assert.Equal(shipped.Workdays.Count, body["workdays"]!.AsArray().Count);
        Assert.Contains(body["workdays"]!.AsArray(), d => (string?)d!["date"] == "2026-10-10" && (string?)d["name"] == "国庆节");
        Assert.Null(body["updatedAt"]);
    }

    [Fact]
    public async Task GetCalendar_1999_IsNotFound()
    {
        var (status, body) = await Admin.GetJsonAsync("/api/calendar/1999");

        Assert.Equal(404, status);
        Assert.Equal(404, (int)body!["status"]!);
    }

    [Fact]
    public async Task GetCalendar_NotAYear_IsBadRequestNamingYear()
    {
        var (status, body) = await Admin.GetJsonAsync("/api/calendar/next");

        Assert.Equal(400, status);
        Assert.Contains("year", Errors(body).Keys);
    }

    [Fact]
    public async Task PutCalendar_2027ThenGet_ReturnsTheOverride()
    {
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/calendar/2027")).Status);

        var (put, stored) = await Admin.SendJsonAsync(HttpMethod.Put, "/api/calendar/2027", Calendar2027());

        Assert.Equal(200, put);
        Assert.Equal("override", (string?)stored!["source"]);
        Assert.Equal("bootstrap administrator", (string?)stored["updatedBy"]);
        Assert.EndsWith("+08:00", (string?)stored["updatedAt"]);

        var (status, body) = await Admin.GetJsonAsync("/api/calendar/2027");
        Assert.Equal(200, status);
        Assert.Equal(2027, (int)body!["year"]!);
        Assert.Equal("override", (string?)body["source"]);
        Assert.Equal(["2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08"], body["holidays"]!.AsArray().Select(d => (string)d!["date"]!));
        Assert.Equal("春节", (string?)body["workdays"]![0]!["name"]);
        Assert.Equal((string?)stored["updatedAt"], (string?)body["updatedAt"]);
    }

    [Fact]
    public async Task PutCalendar_BadDays_IsBadRequestNamingEachField()
    {
        var (status, body) = await Admin.SendJsonAsync(HttpMethod.Put, "/api/calendar/2028", new
        {
            holidays = new[]
            {
                Day("2028-01-01", "元旦"),
                Day("2027-12-31", "元旦"),      // [1] another year
                Day("2028-1-26", "春节"),       // [2] not ISO
                Day("2028-01-01", "元旦"),      // [3] listed twice
                Day("2028-01-27", ""),          // [4] no name
            },
            workdays = new[]
            {
                Day("2028-01-03", "元旦"),      // [0] a Monday
                Day("2028-01-01", "元旦"),      // [1] Saturday, but also a holiday
                Day("2028-01-22", "春节"),      // [2] a Saturday: fine
            },
        });

        Assert.Equal(400, status);
        Assert.Equal("The request is not valid", (string?)body!["title"]);
        var errors = Errors(body);
        Assert.Equal(
            ["holidays[1].date", "holidays[2].date", "holidays[3].date", "holidays[4].name", "workdays[0].date", "workdays[1].date"],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Saturday or Sunday", (string?)errors["workdays[0].date"]![0], StringComparison.Ordinal);
        Assert.Contains("holidays[0]", (string?)errors["workdays[1].date"]![0], StringComparison.Ordinal);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/calendar/2028")).Status);
    }

    [Fact]
    public async Task PutCalendar_MissingHolidaysOrMalformedJson_IsBadRequestNamingTheField()
    {
        var (missing, missingBody) = await Admin.SendJsonAsync(HttpMethod.Put, "/api/calendar/2029", new { workdays = Array.Empty<object>() });
        var (malformed, malformedBody) = await Admin.SendJsonAsync(HttpMethod.Put, "/api/calendar/2029", """{"holidays": [{"date": 20290101, "name": "元旦"}]}""");
        var (outOfRange, outOfRangeBody) = await Admin.SendJsonAsync(HttpMethod.Put, "/api/calendar/1999", Calendar2027());

        Assert.Equal(400, missing);
        Assert.Contains("holidays", Errors(missingBody).Keys);
        Assert.Equal(400, malformed);
        Assert.Contains("holidays[0].date", Errors(malformedBody).Keys);
        Assert.Equal(400, outOfRange);
        Assert.Contains("year", Errors(outOfRangeBody).Keys);
    }

    [Fact]
    public async Task PutCalendar_SchoolOfficer_IsForbidden()
    {
        var officer = await fixture.App.ClientForRoleAsync("school_officer", "4107260001");

        var (status, _) = await officer.SendJsonAsync(HttpMethod.Put, "/api/calendar/2030", Calendar2027());

        Assert.Equal(403, status);
        Assert.Equal(200, (await officer.GetJsonAsync("/api/calendar/2026")).Status);
        Assert.Equal(404, (await Admin.GetJsonAsync("/api/calendar/2030")).Status);
    }
}
