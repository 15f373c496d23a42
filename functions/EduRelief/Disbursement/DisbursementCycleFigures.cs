using System.Text.Json;
using System.Text.Json.Nodes;
using EduRelief.Cycles;

namespace EduRelief.Disbursement;

/// <summary>
/// Adds the money to the cycle as people see it: per program owed, paid, pending, failed, held, in doubt, back-paid
/// and cancelled (counts and yuan), and whether the ledger is settled (nothing pending, failed, held or in doubt). A school
/// officer's view counts their school's students only.
/// </summary>
public sealed class DisbursementCycleFigures(DisbursementService service) : ICycleFigures
{
    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    public Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) => FiguresAsync(cycle, null, cancellationToken);

    /// <summary>The money of the school's students only; the batches (county-wide files) are not listed.</summary>
    public Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken) => FiguresAsync(cycle, schoolCode, cancellationToken);

    private async Task<Cycle> FiguresAsync(Cycle cycle, string? schoolCode, CancellationToken cancellationToken)
    {
        if (cycle.Stage is not (Stages.Disbursement or Stages.Rectification or Stages.Closed))
        {
            return cycle;
        }

        var totals = await service.TotalsAsync(cycle.Id, cancellationToken, schoolCode);
        var view = cycle.Disbursement?.DeepClone().AsObject() ?? [];
        view["programs"] = JsonSerializer.SerializeToNode(totals.Select(DisbursementEndpoints.TotalsView), Camel);
        view["settled"] = IsSettled(totals);
        return cycle with { Disbursement = view };
    }

    /// <summary>Everyone owed was paid: nothing waits in or for a batch, nothing failed, nobody is held, nothing is in doubt.</summary>
    public static bool IsSettled(IEnumerable<ProgramTotals> totals) =>
        totals.All(t => t.Pending.Count == 0 && t.Failed.Count == 0 && t.Held.Count == 0 && t.InDoubt.Count == 0);
}
