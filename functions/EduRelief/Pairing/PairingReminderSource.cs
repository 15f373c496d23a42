using System.Globalization;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Rectification;
using EduRelief.Reminders;

namespace EduRelief.Pairing;

/// <summary>
/// 结对帮扶 on the 09:00 working-day run. For every approved cycle (not cancelled) from its approval until the semester
/// ends, each school with paired children missing this week's help or this month's home visit is one item, keyed by
/// school and day and due at the end of that day: the run's digest to the school's mailbox lists it, and its marker
/// makes it exactly once per school and day however many runs or instances there are. The same pass opens one
/// rectification item for the school per child and whole calendar month without a home visit (from the first month
/// that begins on or after the approval to the last that ends by the semester's end), naming the teachers; it is
/// idempotent by child and month (<see cref="RectificationStore.OpenAsync"/>'s source key), and a closed cycle takes
/// no new item.
/// </summary>
public sealed class PairingReminderSource(
    CycleService cycles, PairingStore pairings, PairingProgress progress, TeacherStore teachers, RectificationStore items, ILogger<PairingReminderSource> logger) : IReminderSource
{
    /// <summary>How long after the semester's end the pass still looks for the last month's missing visits.</summary>
    private const int GraceDays = 31;

    public string Name => "pairing";

    public async Task<IReadOnlyList<DueItem>> FindAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = ChinaTime.DateOf(now);
        var due = new List<DueItem>();
        string? token = null;
        do
        {
            var page = await cycles.ListAsync(new CycleFilter(null, null, null), token, Paging.Max, cancellationToken);
            foreach (var cycle in page.Items)
            {
                due.AddRange(await CycleAsync(cycle, today, cancellationToken));
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return due;
    }

    public Task RecordAsync(DueItem item, string kind, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<IReadOnlyList<DueItem>> CycleAsync(Cycle cycle, DateOnly today, CancellationToken ct)
    {
        if (PairingRoster.Approval(cycle) is not { } approvedAt || cycle.Stage == Stages.Cancelled || cycle.State.Verification?.RunId is null
            || !Semester.TryParse(cycle.Semester, out var semester))
        {
            return [];
        }

        var approved = ChinaTime.DateOf(approvedAt);
        var end = PairingStandard.SemesterEnd(semester);
        if (today < approved || today > end.AddDays(GraceDays) || !await pairings.AnyAsync(cycle.CountyCode, ct))
        {
            return [];
        }

        var due = new List<DueItem>();
        var opened = 0;
        foreach (var school in await progress.OfCycleAsync(cycle, PairingRoster.Schools(cycle), today, ct))
        {
            if (school.Paired.Count == 0)
            {
                continue;
            }

            var staff = (await teachers.AllAsync(cycle.CountyCode, school.SchoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
            string Names(SchoolChild c) => string.Join("、", c.TeacherIds.Select(t => staff.TryGetValue(t, out var teacher) ? teacher.Name : t));
            if (cycle.Stage != Stages.Closed)
            {
                foreach (var (child, month) in school.Paired.SelectMany(p => p.Months.Where(m => m.Status == PeriodStatuses.Missed && m.From >= approved && m.To <= end).Select(m => (p.Child, m))))
                {
                    var input = new RectificationItemInput(
                        cycle.Id, RectificationSources.HomeVisit, $"{child.ChildKey}|{month.Period}",
                        $"结对帮扶：{month.From.Year}年{month.From.Month}月无家访记录（结对教师：{Names(child)}）",
                        $"{school.SchoolName}结对帮扶学生{month.From:yyyy年M月}整月没有家访记录。结对教师：{string.Join("、", child.TeacherIds.Select(t => $"{(staff.TryGetValue(t, out var teacher) ? teacher.Name : "")}（工号 {t}）"))}。请补做家访并在系统中登记。",
                        Assignees.ForSchool(school.SchoolCode), school.SchoolCode, StudentName: child.Name, Actor: RectificationStore.TimerActor, Village: child.Village);
                    opened += (await items.OpenAsync(input, ct)).Created ? 1 : 0;
                }
            }

            var missing = school.Paired.Where(p => p.MissingNow).ToList();
            if (today <= end && missing.Count > 0)
            {
                var lines = missing.Select(p => $"{p.Child.Name}（{Names(p.Child)}：{Missing(p)}）");
                due.Add(new DueItem(
                    $"{cycle.CountyCode}/{school.SchoolCode}/{today:yyyy-MM-dd}", cycle.CountyCode, EndOf(today), Assignees.ForSchool(school.SchoolCode),
                    "结对帮扶", cycle.Id, "结对帮扶", school.SchoolCode, null,
                    Title: $"{missing.Count} 名结对学生本周尚无帮扶记录或本月尚无家访记录：{string.Join("；", lines)}", SchoolName: school.SchoolName));
            }
        }

        if (opened > 0)
        {
            logger.LogInformation("Pairing: cycle {CycleId} opened {Opened} rectification items for months without a home visit", cycle.Id, opened);
        }

        return due;
    }

    private static string Missing(ChildProgress p) => (p.ThisWeek?.Status == PeriodStatuses.Due, p.ThisMonth?.Status == PeriodStatuses.Due) switch
    {
        (true, true) => "本周帮扶、本月家访",
        (true, false) => "本周帮扶",
        _ => "本月家访",
    };

    /// <summary>23:59:59 China time of <paramref name="day"/>.</summary>
    private static DateTimeOffset EndOf(DateOnly day) =>
        new(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.FromHours(8));
}
