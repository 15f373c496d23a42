using EduRelief.Auth;
using EduRelief.Hosting;

namespace EduRelief.Mail;

public static class MailEndpoints
{
    public static IServiceCollection AddMail(this IServiceCollection services, MailSettings settings)
    {
        services.AddSingleton(settings);
        services.AddHttpClient("sendgrid", c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<MailSender>();
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<CalendarWarnings>();
        return services;
    }

    /// <summary>Operators see every email's state: <c>GET /api/mail?status=pending|sent|failed|skipped</c>, paged.</summary>
    public static void MapMail(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mail", async (string? status, string? continuationToken, int? pageSize, System.Security.Claims.ClaimsPrincipal user, MailOutbox outbox, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
            }

            if (status is not null && !MailStatuses.All.Contains(status))
            {
                return Problems.Invalid("status", new Text("status 须为以下之一：pending（待发送）、sent（已发送）、failed（发送失败）、skipped（已跳过）。", $"status is one of {string.Join(", ", MailStatuses.All)}."));
            }

            var page = await outbox.ListAsync(status, user.CountyLimit(), continuationToken, size, ct);
            return TypedResults.Ok(new { items = page.Items, continuationToken = page.ContinuationToken });
        }).RequireAuthorization(Policies.Admin);
    }
}
