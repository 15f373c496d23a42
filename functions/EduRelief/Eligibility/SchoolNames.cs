using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

/// <summary>
/// A school's name as a person reads it in a problem, by its 10-digit code. The app knows schools only from the rosters:
/// the name is the one the cycle's completed verification recorded (its ledger, else its discrepancies). Unknown names
/// (no verified roster lists the school) fall back to the code, said as such.
/// </summary>
public sealed class SchoolNames(CycleService cycles, EligibilityStore eligibility)
{
    /// <summary>The school as a problem names it: its name, or "学校标识码为 … 的学校" when no roster of the cycle named it.</summary>
    public async Task<Text> DescribeAsync(string? cycleId, string? schoolCode, CancellationToken cancellationToken)
    {
        var name = cycleId is null || schoolCode is null ? null : await FindAsync(cycleId, schoolCode, cancellationToken);
        return Describe(name, schoolCode);
    }

    public static Text Describe(string? name, string? schoolCode) => name is { Length: > 0 }
        ? new(name, $"{name} ({schoolCode})")
        : new($"学校标识码为 {schoolCode} 的学校", $"school {schoolCode}");

    /// <summary>
    /// The school's name in the latest verified cycle (by creation) of <paramref name="counties"/>, or of the county its
    /// code begins with when the caller acts in every county; null when no verified roster names it.
    /// </summary>
    public async Task<string?> FindInCountiesAsync(IReadOnlyList<string>? counties, string schoolCode, CancellationToken cancellationToken)
    {
        Cycle? latest = null;
        foreach (var county in counties ?? (SchoolCode.IsValid(schoolCode) ? [schoolCode[..6]] : []))
        {
            if (await cycles.LatestVerifiedAsync(county, cancellationToken) is { } cycle && (latest is null || cycle.CreatedAt > latest.CreatedAt))
            {
                latest = cycle;
            }
        }

        return latest is null ? null : await FindAsync(latest.Id, schoolCode, cancellationToken);
    }

    /// <summary>The name the cycle's completed verification recorded for the school; null when none did.</summary>
    public async Task<string?> FindAsync(string cycleId, string schoolCode, CancellationToken cancellationToken)
    {
        if (!SchoolCode.IsValid(schoolCode)
            || await cycles.FindAsync(cycleId, cancellationToken) is not { State.Verification: { IsCompleted: true, RunId: { } runId } })
        {
            return null;
        }

        await foreach (var row in eligibility.SchoolLedgerAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            if (row.SchoolName is { Length: > 0 } name)
            {
                return name;
            }
        }

        await foreach (var row in eligibility.SchoolDiscrepanciesAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            if (row.SchoolName is { Length: > 0 } name)
            {
                return name;
            }
        }

        return null;
    }
}
