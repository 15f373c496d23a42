using EduRelief.Calendar;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EduRelief.Tests.Calendar;

/// <summary>Overrides in table "calendar" against Azurite: the instance that stores one sees it at once, others within 60 s.</summary>
public sealed class WorkingCalendarStoreTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private static async Task<StorageAccount> StorageAsync() =>
        new((await Azurite.SharedAsync()).ConnectionString, Repo.NewPrefix(), new RequestCounter());

    private static CalendarInput Calendar2027() => new(
        [new("2027-01-01", "元旦"), new("2027-01-02", "元旦"), new("2027-01-03", "元旦")],
        [new("2027-01-09", "元旦")]);

    [Fact]
    public async Task PutAsync_Override2027_SameInstanceDeadlinesUseItAtOnceOthersAfterTheCache()
    {
        var storage = await StorageAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
        var writer = new WorkingCalendar(storage, clock);
        var reader = new WorkingCalendar(storage, clock);
        await writer.CreateTableAsync(CancellationToken.None);
        var receivedAt = new DateTimeOffset(2026, 12, 30, 10, 0, 0, China);

        // Before any 2027 calendar: weekends only, and said so. Both instances now cache "no override".
        var before = await reader.AfterReceiptAsync(receivedAt, 5, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2027, 1, 6, 23, 59, 59, China), before.DueAt);
        Assert.True(before.CalendarMissing);
        Assert.True((await writer.AfterReceiptAsync(receivedAt, 5, CancellationToken.None)).CalendarMissing);

        var stored = await writer.PutAsync(2027, Calendar2027(), "bureau admin", CancellationToken.None);
        Assert.NotNull(stored.Calendar);
        Assert.Equal(CalendarView.Override, stored.Calendar.Source);

        var afterOnWriter = await writer.AfterReceiptAsync(receivedAt, 5, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2027, 1, 7, 23, 59, 59, China), afterOnWriter.DueAt);
        Assert.False(afterOnWriter.CalendarMissing);

        // The other instance keeps its cached answer until the cache expires, then reads the override.
        Assert.True((await reader.AfterReceiptAsync(receivedAt, 5, CancellationToken.None)).CalendarMissing);
        clock.Advance(WorkingCalendar.CacheFor);
        var afterOnReader = await reader.AfterReceiptAsync(receivedAt, 5, CancellationToken.None);
        Assert.Equal(afterOnWriter, afterOnReader);
    }

    [Fact]
    public async Task GetAsync_OverrideFor2026_ReplacesTheShippedYearWhole()
    {
        var storage = await StorageAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
        var calendar = new WorkingCalendar(storage, clock);
        await calendar.CreateTableAsync(CancellationToken.None);
        Assert.Equal(CalendarView.StateCouncil, (await calendar.GetAsync(2026, CancellationToken.None))!.Source);

        await calendar.PutAsync(2026, new CalendarInput([new("2026-10-01", "国庆节")], []), "bureau admin", CancellationToken.None);

        var view = await calendar.GetAsync(2026, CancellationToken.None);
        Assert.Equal(CalendarView.Override, view!.Source);
        Assert.Equal([new CalendarDay(new DateOnly(2026, 10, 1), "国庆节")], view.Holidays);
        Assert.Equal(clock.GetUtcNow(), view.UpdatedAt);
        // 10-02 is an ordinary Friday under this override, so a notice from 10-01 counts it.
        var notice = await calendar.NoticeEndAsync(new DateTimeOffset(2026, 10, 1, 9, 0, 0, China), 1, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2026, 10, 2, 23, 59, 59, China), notice.EndsAt);
    }
}
