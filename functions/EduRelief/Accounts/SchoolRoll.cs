using System.Text.Json;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;

namespace EduRelief.Accounts;

/// <summary>
/// Which children a school officer may register accounts for. The registry knows no schools, so the answer comes
/// from the county's latest cycle (by creation) whose verification completed: the children its ledger lists at the
/// school, and the school's students awaiting a name-mismatch decision. Before any verified cycle, none.
/// </summary>
public sealed class SchoolRoll(CycleService cycles, EligibilityStore eligibility)
{
    /// <summary>The person keys (<see cref="PersonKeys"/>) of the school's children.</summary>
    public async Task<IReadOnlySet<string>> PersonKeysAsync(string county, string schoolCode, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (await cycles.LatestVerifiedAsync(county, cancellationToken) is not { Id: var cycleId, State.Verification.RunId: { } runId })
        {
            return keys;
        }

        await foreach (var row in eligibility.SchoolLedgerAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            keys.Add(row.IdNumber.PersonKey);
        }

        await foreach (var row in eligibility.SchoolDiscrepanciesAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            if (row.StudentJson is { } json && JsonSerializer.Deserialize<StudentRecord>(json) is { } student)
            {
                keys.Add(student.IdNumber.PersonKey);
            }
        }

        return keys;
    }
}
