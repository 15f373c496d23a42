using System.Text.Json;
using EduRelief.Cycles;

namespace EduRelief.Rectification;

/// <summary>Adds the rectification summary (items per status, overdue, rate) to the cycle as people see it; a school officer's counts their school's items.</summary>
public sealed class RectificationCycleFigures(RectificationStore store, TimeProvider clock) : ICycleFigures
{
    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    public async Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) =>
        cycle with { Rectification = JsonSerializer.SerializeToNode(await store.SummarizeAsync(cycle.Id, clock.GetUtcNow(), cancellationToken), Camel) };

    /// <summary>The items the school owns.</summary>
    public async Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken) =>
        cycle with { Rectification = JsonSerializer.SerializeToNode(await store.SummarizeAsync(cycle.Id, clock.GetUtcNow(), cancellationToken, Counties.Assignees.ForSchool(schoolCode)), Camel) };
}
