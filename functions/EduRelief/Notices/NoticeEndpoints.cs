using EduRelief.Eligibility;
using System.Globalization;
using System.Text;
using EduRelief.Auth;
using EduRelief.Calendar;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Notices;

/// <summary>A cycle's published notice as the public sees it: when it runs, and each school's figures.</summary>
public sealed record NoticeListing(string CycleId, DateTimeOffset PublishedAt, DateTimeOffset EndsAt, int WorkingDays, IReadOnlyList<NoticeSchool> Schools);

public sealed record NoticeSchool(string SchoolCode, string SchoolName, int Recipients, Yuan Amount);

/// <summary>
/// The public notice pages (anonymous, the PublicNotices function's route <c>notices/{*path}</c>): the list of
/// schools, each school's notice and its workbook, served only while the notice period runs.
/// </summary>
public static class NoticeEndpoints
{
    /// <summary>What a public notice page may load: nothing but its own inline style.</summary>
    public const string PublicContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

    public static IServiceCollection AddNotices(this IServiceCollection services) => services
        .AddSingleton<NoticeStore>()
        .AddSingleton<ICycleFigures, NoticeCycleFigures>()
        .AddSingleton<Workflow.IActivity, NoticeRenderActivity>()
        .AddSingleton<Workflow.IActivity, NoticeSummaryActivity>();

    public static void MapNotices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/notices").AllowAnonymous().AddEndpointFilter(PublicPageHeaders);

        group.MapMethods("/{cycleId}", ["GET", "HEAD"], async (string cycleId, HttpRequest http, CycleService cycles, NoticeStore notices, WorkingCalendar calendar, TimeProvider clock, CancellationToken ct) =>
        {
            var (listing, title, refusal) = await ListingAsync(cycleId, cycles, notices, clock, ct);
            if (refusal is not null)
            {
                return (IResult)refusal;
            }

            if (http.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true))
            {
                return TypedResults.Ok(listing);
            }

            var calendars = await calendar.CalendarsAsync(WorkingDays.ChinaDate(listing!.PublishedAt).Year, WorkingDays.ChinaDate(listing.EndsAt).Year, ct);
            var period = NoticeText.Period(calendars, listing.PublishedAt, listing.EndsAt, listing.WorkingDays);
            return TypedResults.Text(ListPage(listing, title!, period), NoticeRenderer.HtmlType, Encoding.UTF8);
        });

        group.MapMethods("/{cycleId}/{file}", ["GET", "HEAD"], async (string cycleId, string file, CycleService cycles, NoticeStore notices, TimeProvider clock, CancellationToken ct) =>
        {
            var workbook = file.EndsWith(".xlsx", StringComparison.Ordinal);
            var schoolCode = workbook ? file[..^".xlsx".Length] : file;
            var (listing, refusal) = await OpenNoticeAsync(cycleId, cycles, clock, ct);
            if (refusal is not null)
            {
                return (IResult)refusal;
            }

            var entry = SchoolCode.IsValid(schoolCode) ? await notices.GetAsync(cycleId, schoolCode, ct) : null;
            if (entry is null || entry.RunId != listing!.RunId)
            {
                return Problems.NotFound(new Text($"资助周期 {cycleId} 中{Eligibility.SchoolNames.Describe(null, schoolCode).Zh}的公示", $"A notice of school {schoolCode} in cycle {cycleId}"));
            }

            var content = await notices.OpenDocumentAsync(workbook ? entry.XlsxSha256 : entry.HtmlSha256, ct);
            return workbook
                ? TypedResults.Stream(content, NoticeRenderer.XlsxType, $"{cycleId}-{schoolCode}.xlsx")
                : TypedResults.Stream(content, NoticeRenderer.HtmlType);
        });
    }

    /// <summary>The headers of every public page (the notices, the policy page): its CSP, no caching, no sniffing, no referrer.</summary>
    public static async ValueTask<object?> PublicPageHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = PublicContentSecurityPolicy;
        PrivateDownloads.SetHeaders(context.HttpContext.Response);
        headers["Referrer-Policy"] = "no-referrer";
        return await next(context);
    }

    private sealed record OpenNotice(string RunId, string Title, DateTimeOffset PublishedAt, DateTimeOffset EndsAt, int WorkingDays);

    /// <summary>The cycle's notice while it runs; 404 when there is none, 410 once its period ended or it was taken down.</summary>
    private static async Task<(OpenNotice? Notice, ProblemHttpResult? Refusal)> OpenNoticeAsync(string cycleId, CycleService cycles, TimeProvider clock, CancellationToken ct)
    {
        // The public may type anything here: only a well-formed cycle id reaches storage.
        var cycle = Hotline.HotlineIntake.IsCycleId(cycleId) ? await cycles.FindAsync(cycleId, ct) : null;
        if (cycle?.Notice is not { } notice || cycle.State.Verification?.RunId is not { } runId)
        {
            return (null, Problems.NotFound(new Text($"资助周期 {cycleId} 的公示", $"A public notice of cycle {cycleId}")));
        }

        var endsAt = DateTimeOffset.Parse((string)notice["endsAt"]!, CultureInfo.InvariantCulture);
        // Taken down by the timer, cancelled, or simply past its end while the timer is still on its way.
        if (cycle.Stage != Stages.Notice || notice["takenDownAt"] is not null || clock.GetUtcNow() >= endsAt)
        {
            return (null, Problems.Create(
                StatusCodes.Status410Gone,
                new Text($"资助周期 {cycleId} 的公示已于 {ChinaTime.Format(endsAt)} 结束并撤下。", $"The public notice of cycle {cycleId} ended at {ChinaTime.Format(endsAt)} and was taken down."),
                title: new Text("公示已结束", "Gone")));
        }

        var publishedAt = DateTimeOffset.Parse((string)notice["publishedAt"]!, CultureInfo.InvariantCulture);
        var title = $"{cycle.CountyName}{NoticeText.SemesterTitle(cycle.Semester)}学生资助名单公示";
        return (new OpenNotice(runId, title, publishedAt, endsAt, (int?)notice["workingDays"] ?? 0), null);
    }

    private static async Task<(NoticeListing? Listing, string? Title, ProblemHttpResult? Refusal)> ListingAsync(string cycleId, CycleService cycles, NoticeStore notices, TimeProvider clock, CancellationToken ct)
    {
        var (open, refusal) = await OpenNoticeAsync(cycleId, cycles, clock, ct);
        if (refusal is not null)
        {
            return (null, null, refusal);
        }

        var entries = await notices.ListAsync(cycleId, open!.RunId, ct);
        if (entries.Count == 0)
        {
            return (null, null, Problems.NotFound(new Text($"资助周期 {cycleId} 已发布的学校公示", $"A published school notice of cycle {cycleId}")));
        }

        return (new NoticeListing(
            cycleId, open.PublishedAt, open.EndsAt, open.WorkingDays,
            entries.Select(e => new NoticeSchool(e.SchoolCode, e.SchoolName, e.Recipients, e.Amount.ToFenExact())).ToList()), open.Title, null);
    }

    private static string ListPage(NoticeListing listing, string title, string period)
    {
        var html = new StringBuilder();
        NoticeRenderer.Head(html, title);
        html.Append("<h1>").Append(NoticeRenderer.Escape(title)).Append("</h1>\n")
            .Append("<p>").Append(NoticeRenderer.Escape(period)).Append("</p>\n")
            .Append("<div class=\"wrap\"><table>\n<thead><tr><th>学校</th><th>人数</th><th>金额(元)</th><th>下载</th></tr></thead>\n<tbody>\n");
        foreach (var school in listing.Schools)
        {
            var link = Uri.EscapeDataString(listing.CycleId) + '/' + Uri.EscapeDataString(school.SchoolCode);
            html.Append("<tr><td><a href=\"").Append(NoticeRenderer.Escape(link)).Append("\">").Append(NoticeRenderer.Escape(school.SchoolName)).Append("</a></td>")
                .Append("<td class=\"n\">").Append(school.Recipients.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"n\">").Append(NoticeRenderer.Amount(school.Amount)).Append("</td>")
                .Append("<td><a href=\"").Append(NoticeRenderer.Escape(link)).Append(".xlsx\">表格</a></td></tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n</body>\n</html>\n");
        return html.ToString();
    }
}
