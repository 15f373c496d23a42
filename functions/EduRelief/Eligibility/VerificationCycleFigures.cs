using System.Text.Json.Nodes;
using EduRelief.Cycles;

namespace EduRelief.Eligibility;

/// <summary>
/// The verification as a school officer sees it: the county's figures live in the cycle's data; an officer's are
/// counted from their school's ledger partition and its discrepancies (<see cref="VerificationSummary.AddSchool"/>).
/// </summary>
public sealed class VerificationCycleFigures(EligibilityStore store) : ICycleFigures
{
    public Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) => Task.FromResult(cycle);

    public async Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken)
    {
        if (cycle.Verification is not JsonObject v || (string?)v["status"] != "completed" || (string?)v["runId"] is not { } runId)
        {
            return cycle;
        }

        var ledger = new List<LedgerRow>();
        await foreach (var row in store.SchoolLedgerAsync(cycle.Id, runId, schoolCode, cancellationToken))
        {
            ledger.Add(row);
        }

        var discrepancies = new List<DiscrepancyRow>();
        await foreach (var row in store.SchoolDiscrepanciesAsync(cycle.Id, runId, schoolCode, cancellationToken))
        {
            discrepancies.Add(row);
        }

        var view = (JsonObject)v.DeepClone();
        VerificationSummary.AddSchool(view, ledger, discrepancies);
        return cycle with { Verification = view };
    }
}
