using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using EduRelief.Hosting;
using EduRelief.Storage;

namespace EduRelief.Calendar;

/// <summary>The outcome of storing a year's calendar: the stored view, or the errors keyed by field.</summary>
public sealed record CalendarWriteResult(CalendarView? Calendar, IReadOnlyDictionary<string, Text[]> Errors);

/// <summary>
/// The working calendar: the State Council calendars shipped in Data/calendar.json, under whole-year overrides in
/// table "calendar" (PartitionKey "year", RowKey "2027"), so next year's calendar, published each November, can be
/// entered without a release. Overrides are read through a per-year in-process cache of <see cref="CacheFor"/>: a PUT
/// is seen at once by the instance that took it, other instances see it within <see cref="CacheFor"/> (60 s).
/// </summary>
public sealed class WorkingCalendar : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("calendar")];

    public const int MinYear = 2000;
    public const int MaxYear = 2099;
    public const string Partition = "year";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly TableClient _table;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyDictionary<int, CalendarDocument> _shipped;
    private readonly ConcurrentDictionary<int, Cached> _cache = new();

    public WorkingCalendar(StorageAccount storage, TimeProvider clock)
        : this(storage, clock, CalendarRules.LoadShipped(ShippedPath))
    {
    }

    internal WorkingCalendar(StorageAccount storage, TimeProvider clock, IReadOnlyDictionary<int, CalendarDocument> shipped)
    {
        _table = storage.Table("calendar");
        _clock = clock;
        _shipped = shipped;
    }

    public static string ShippedPath => Path.Combine(AppContext.BaseDirectory, "Data", "calendar.json");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>The calendar in force for the year (override, else shipped), read fresh from the table; null if none.</summary>
    public async Task<CalendarView?> GetAsync(int year, CancellationToken cancellationToken)
    {
        var stored = await ReadOverrideAsync(year, cancellationToken);
        _cache[year] = new Cached(stored, _clock.GetUtcNow());
        return stored ?? Shipped(year);
    }

    /// <summary>Validates and stores a whole year's calendar, replacing the shipped one and any earlier override.</summary>
    public async Task<CalendarWriteResult> PutAsync(int year, CalendarInput? input, string actor, CancellationToken cancellationToken)
    {
        if (year is < MinYear or > MaxYear)
        {
            return new CalendarWriteResult(null, new Dictionary<string, Text[]> { ["year"] = [new Text($"year 为 {MinYear} 至 {MaxYear} 年。", $"year is {MinYear} to {MaxYear}.")] });
        }

        var validation = CalendarRules.Validate(year, input);
        if (!validation.IsValid)
        {
            return new CalendarWriteResult(null, validation.Errors);
        }

        var document = validation.Document!;
        var view = new CalendarView(year, CalendarView.Override, document.Holidays, document.Workdays, _clock.GetUtcNow(), actor);
        var row = new TableEntity(Partition, Key(year))
        {
            ["Holidays"] = JsonSerializer.Serialize(document.Holidays, CalendarJson.Options),
            ["Workdays"] = JsonSerializer.Serialize(document.Workdays, CalendarJson.Options),
            ["UpdatedAt"] = view.UpdatedAt,
            ["UpdatedBy"] = actor,
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        _cache[year] = new Cached(view, _clock.GetUtcNow());
        return new CalendarWriteResult(view, new Dictionary<string, Text[]>());
    }

    /// <summary>
    /// The calendars of the years <paramref name="fromYear"/> to <paramref name="toYear"/> as a lookup for
    /// <see cref="WorkingDays"/>; years outside that range answer the shipped calendar only.
    /// </summary>
    public async Task<Func<int, YearCalendar?>> CalendarsAsync(int fromYear, int toYear, CancellationToken cancellationToken)
    {
        var years = new Dictionary<int, YearCalendar?>();
        for (var year = fromYear; year <= toYear; year++)
        {
            years[year] = (await InForceAsync(year, cancellationToken))?.ToYearCalendar();
        }

        return year => years.TryGetValue(year, out var calendar) ? calendar : _shipped.GetValueOrDefault(year)?.ToYearCalendar();
    }

    public async Task<NoticePeriod> NoticeEndAsync(DateTimeOffset publishedAt, int workingDays, CancellationToken cancellationToken)
    {
        var calendars = await CalendarsFromAsync(publishedAt, workingDays, cancellationToken);
        return WorkingDays.NoticeEnd(calendars, publishedAt, workingDays);
    }

    public async Task<Deadline> AfterReceiptAsync(DateTimeOffset receivedAt, int workingDays, CancellationToken cancellationToken)
    {
        var calendars = await CalendarsFromAsync(receivedAt, workingDays, cancellationToken);
        return WorkingDays.AfterReceipt(calendars, receivedAt, workingDays);
    }

    public async Task<bool> DueWithinAsync(DateTimeOffset now, DateTimeOffset dueAt, int workingDays, CancellationToken cancellationToken)
    {
        var calendars = await CalendarsFromAsync(now, workingDays, cancellationToken);
        return WorkingDays.DueWithin(calendars, now, dueAt, workingDays);
    }

    // A year holds about 250 working days; a span of N of them reaches at most N / 200 + 1 years further.
    private Task<Func<int, YearCalendar?>> CalendarsFromAsync(DateTimeOffset from, int workingDays, CancellationToken cancellationToken)
    {
        var year = WorkingDays.ChinaDate(from).Year;
        return CalendarsAsync(year, year + 1 + Math.Max(workingDays, 0) / 200, cancellationToken);
    }

    private async Task<CalendarDocument?> InForceAsync(int year, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (!_cache.TryGetValue(year, out var cached) || now - cached.FetchedAt >= CacheFor || now < cached.FetchedAt)
        {
            cached = new Cached(await ReadOverrideAsync(year, cancellationToken), now);
            _cache[year] = cached;
        }

        return cached.Override is { } o ? new CalendarDocument(year, o.Holidays, o.Workdays) : _shipped.GetValueOrDefault(year);
    }

    private CalendarView? Shipped(int year) =>
        _shipped.TryGetValue(year, out var d) ? new CalendarView(year, CalendarView.StateCouncil, d.Holidays, d.Workdays) : null;

    private async Task<CalendarView?> ReadOverrideAsync(int year, CancellationToken cancellationToken)
    {
        if (year is < MinYear or > MaxYear)
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(year), cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var entity = row.Value!;
        return new CalendarView(
            year,
            CalendarView.Override,
            JsonSerializer.Deserialize<CalendarDay[]>(entity.GetString("Holidays"), CalendarJson.Options) ?? [],
            JsonSerializer.Deserialize<CalendarDay[]>(entity.GetString("Workdays"), CalendarJson.Options) ?? [],
            entity.GetDateTimeOffset("UpdatedAt"),
            entity.GetString("UpdatedBy"));
    }

    private static string Key(int year) => year.ToString(CultureInfo.InvariantCulture);

    private sealed record Cached(CalendarView? Override, DateTimeOffset FetchedAt);
}
