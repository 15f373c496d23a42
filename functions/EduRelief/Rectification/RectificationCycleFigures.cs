using System.Text.Json;
using EduRelief.Cycles;

namespace EduRelief.Rectification;

/// <summary>Adds the rectification summary (items per status, overdue, rate) to the cycle as people see it.</summary>
public sealed class RectificationCycleFigures(RectificationStore store, TimeProvider clock) : ICycleFigures
{
    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    public async Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) =>
        cycle with { Rectification = JsonSerializer.SerializeToNode(await store.SummarizeAsync(cycle.Id, clock.GetUtcNow(), cancellationToken), Camel) };
}
