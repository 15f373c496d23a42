using System.Xml;
using EduRelief.Auth;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Dev;

/// <summary><paramref name="SetTo"/>: an ISO 8601 time; without an offset, or a date only (00:00), it is China time.</summary>
public sealed record ClockRequest(string? SetTo, string? AdvanceBy);

/// <summary>Routes that exist only in Development: the clock.</summary>
public static class DevEndpoints
{
    /// <summary>The clock: the system's, or in Development one that tests and people can set and advance.</summary>
    public static IServiceCollection AddDevClock(this IServiceCollection services, AppSettings settings)
    {
        if (settings.DevClock)
        {
            services.AddSingleton<DevClock>(_ => new DevClock(TimeProvider.System));
            return services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<DevClock>());
        }

        return services.AddSingleton(TimeProvider.System);
    }

    /// <summary>The Development routes the settings turn on: the clock. (Routes only tests call are the test host's.)</summary>
    public static void MapDev(this WebApplication app, AppSettings settings)
    {
        if (settings.DevClock)
        {
            app.MapDevClock();
        }
    }

    public static void MapDevClock(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dev/clock").RequireAuthorization(Policies.Admin);
        group.MapGet("", (DevClock clock) => TypedResults.Ok(new { now = clock.GetUtcNow() }));
        group.MapPost("", async (HttpRequest http, DevClock clock, [Microsoft.AspNetCore.Mvc.FromServices] IEnumerable<ITriggerSignals> signals, IOptions<JsonOptions> json) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<ClockRequest>(http, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return (IResult)problem;
            }

            DateTimeOffset now;
            if (body!.SetTo is { } text && body.AdvanceBy is null)
            {
                if (ParseChinaTime(text) is not { } target)
                {
                    return Problems.Invalid("setTo", new Text("setTo 为 ISO 8601 日期（按北京时间 00:00）或时间，例如 2026-10-09 或 2026-10-09T09:30:00+08:00。", "setTo is an ISO 8601 date (00:00 China time) or time, e.g. 2026-10-09 or 2026-10-09T09:30:00+08:00."));
                }

                now = clock.SetTo(target);
            }
            else if (body.AdvanceBy is { } duration && body.SetTo is null)
            {
                TimeSpan by;
                try
                {
                    by = XmlConvert.ToTimeSpan(duration);
                }
                catch (FormatException)
                {
                    return Problems.Invalid("advanceBy", new Text("advanceBy 为 ISO 8601 时长，例如 P5D（5 天）或 PT2H（2 小时）。", "advanceBy is an ISO 8601 duration such as P5D or PT2H."));
                }

                if (by < TimeSpan.Zero)
                {
                    return Problems.Invalid("advanceBy", new Text("时钟只能向前拨。", "The clock only moves forward."));
                }

                now = clock.Advance(by);
            }
            else
            {
                return Problems.Invalid("body", new Text("setTo（ISO 8601 时间）与 advanceBy（ISO 8601 时长）须且只能给出其一。", "Give exactly one of setTo (ISO 8601 time) or advanceBy (ISO 8601 duration)."));
            }

            foreach (var listener in signals)
            {
                listener.ClockChanged();
            }

            return TypedResults.Ok(new { now });
        });
    }

    /// <summary>An ISO 8601 time; one without an offset, or a date alone (its 00:00), is read as China time. Null when unreadable.</summary>
    public static DateTimeOffset? ParseChinaTime(string text)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, System.Globalization.DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), ChinaTime.Zone.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)));
        }

        if (!DateTime.TryParse(text, invariant, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed))
        {
            return null;
        }

        return parsed.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(parsed, ChinaTime.Zone.GetUtcOffset(parsed))
            : DateTimeOffset.Parse(text, invariant, System.Globalization.DateTimeStyles.RoundtripKind);
    }
}
