using EduRelief.Hosting;

namespace EduRelief.Reminders;

/// <summary>The <c>Reminders</c> timer function (09:00 China time, <c>functions/Reminders/function.json</c>): POST /Reminders.</summary>
public static class ReminderFunctions
{
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        services.AddSingleton<ReminderService>();
        return services;
    }

    public static void MapReminderFunctions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Reminders", async (HttpRequest http, InvocationGuard guard, ReminderService reminders, Children.DropoutReports reports, CancellationToken ct) =>
        {
            if (!guard.Allows(http))
            {
                return (IResult)TypedResults.NotFound();
            }

            var run = await reminders.RunAsync(ct);
            // The monthly 控辍保学 reports start on the same 09:00 run (the first working day's; a missed one the next).
            var reported = await reports.StartDueAsync(ct);
            return TypedResults.Ok(InvocationResponse.Done(run.WorkingDay
                ? $"reminders {run.Date:yyyy-MM-dd}: {run.DueSoon} due soon, {run.Overdue} overdue, {run.Digests} digests, {run.CountiesWithoutContacts} counties without contacts, {run.Returned} returned, {reported} monthly reports started"
                : $"reminders {run.Date:yyyy-MM-dd}: not a working day"));
        });
    }
}
