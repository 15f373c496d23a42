using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Exports;
using EduRelief.Hosting;

namespace EduRelief.Notices;

/// <summary>The notice period if the cycle were approved now: China time, whole seconds.</summary>
public sealed record NoticePeriodIfApproved(string ApprovedAt, string EndsAt, int WorkingDays, bool CalendarMissing);

/// <summary>
/// A school's notice as the public will see it, for staff before (and during) the notice: the same
/// <see cref="NoticeContent"/> and <see cref="NoticeRenderer"/> as the published document, from the current run's ledger.
/// Before approval the period is not set yet and the page says so.
/// </summary>
public static class NoticePreviewEndpoints
{
    public static string PeriodNotSet(int workingDays) =>
        $"公示时间：尚未确定（审核通过后，按官方工作日历计算 {workingDays.ToString(CultureInfo.InvariantCulture)} 个工作日）";

    public const string NotEntered = "（尚未登记）";

    public static void MapNoticePreview(this IEndpointRouteBuilder app)
    {
        // Outside the cycle group: another school is refused (403) before the cycle is looked for.
        app.MapGet($"{CycleRoutes.Prefix}/notice-preview/{{schoolCode}}", async (
            string id, string schoolCode, HttpContext http, ClaimsPrincipal user, CycleService cycles, EligibilityStore ledger,
            CountyContactsStore contacts, WorkingCalendar calendar, SchoolNames names, CancellationToken ct) =>
        {
            if (!SchoolCode.IsValid(schoolCode))
            {
                return (IResult)Problems.Invalid("schoolCode", Messages.SchoolCodeFormat);
            }

            if (!user.CanAccessSchool(schoolCode))
            {
                return Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, schoolCode, ct)));
            }

            if (await cycles.FindAsync(id, ct) is not { } cycle)
            {
                return Problems.NotFound(Messages.Cycle(id));
            }

            if (cycle.State.Verification is not { IsCompleted: true, RunId: { } runId })
            {
                return Problems.Conflict(new Text($"资助周期 {id} 尚未完成核验。", $"Cycle {id} has no completed verification yet."));
            }

            var rows = new List<LedgerRow>();
            string? token = null;
            do
            {
                var page = await ledger.ListLedgerAsync(id, runId, null, schoolCode, token, 1000, ct);
                rows.AddRange(page.Items);
                token = page.ContinuationToken;
            }
            while (token is not null);

            if (rows.Count == 0)
            {
                var school = await names.DescribeAsync(id, schoolCode, ct);
                return Problems.NotFound(new Text($"资助周期 {id} 公示名单中{school.Zh}的学生", $"Students on a notice of {school.En} in cycle {id}"));
            }

            var county = await contacts.GetAsync(cycle.CountyCode, ct);
            var heading = new NoticeHeading(
                cycle.CountyName,
                NoticeText.SemesterTitle(cycle.Semester),
                await PeriodAsync(cycle, calendar, ct),
                county?.BureauName ?? NotEntered,
                county?.HotlinePhone ?? NotEntered,
                county?.ObjectionAddress ?? NotEntered);
            var html = NoticeRenderer.Html(NoticeContent.Create(heading, schoolCode, rows));

            http.Response.Headers.ContentSecurityPolicy = NoticeEndpoints.PublicContentSecurityPolicy;
            PrivateDownloads.SetHeaders(http.Response);
            return TypedResults.Bytes(html, NoticeRenderer.HtmlType);
        }).RequireAuthorization(Policies.Staff);

        // What approving now would give: the period on the working-day calendar, as approval computes it.
        app.MapCycleGroup().MapGet("/notice-period", async (HttpContext http, WorkingCalendar calendar, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var period = await calendar.NoticeEndAsync(now, http.Cycle().NoticeDays, ct);
            return TypedResults.Ok(new NoticePeriodIfApproved(ChinaTime.Format(now), ChinaTime.Format(period.EndsAt), http.Cycle().NoticeDays, period.CalendarMissing));
        }).RequireAuthorization(Policies.Staff);
    }

    /// <summary>The published period once approved; before that, a sentence saying it is not set yet.</summary>
    private static async Task<string> PeriodAsync(Cycle cycle, WorkingCalendar calendar, CancellationToken ct)
    {
        if (cycle.State.Notice is not { PublishedAt: { } publishedAt, EndsAt: { } endsAt } notice)
        {
            return PeriodNotSet(cycle.NoticeDays);
        }

        var calendars = await calendar.CalendarsAsync(WorkingDays.ChinaDate(publishedAt).Year, WorkingDays.ChinaDate(endsAt).Year, ct);
        return NoticeText.Period(calendars, publishedAt, endsAt, notice.WorkingDays ?? cycle.NoticeDays);
    }
}
