using EduRelief.Calendar;
using EduRelief.Hosting;

namespace EduRelief.Mail;

/// <summary>
/// A deadline computed on weekends only, because a year it spans has no State Council calendar entered, is flagged
/// <c>calendarMissing</c> where it is shown, and the county bureau is told by email, once per county and year.
/// </summary>
public sealed class CalendarWarnings(WorkingCalendar calendar, MailOutbox mail, TimeProvider clock)
{
    /// <summary>Warns for each year from today's to the deadline's that has no calendar; repeated calls send nothing new.</summary>
    public async Task WarnAsync(string countyCode, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        for (var year = ChinaTime.Today(clock).Year; year <= WorkingDays.ChinaDate(dueAt).Year; year++)
        {
            if (await calendar.GetAsync(year, cancellationToken) is null)
            {
                await mail.WarnCalendarMissingAsync(countyCode, year, cancellationToken);
            }
        }
    }
}
