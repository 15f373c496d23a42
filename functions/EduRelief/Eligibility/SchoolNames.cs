using EduRelief.Auth;
using EduRelief.Counties;
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

    /// <summary>Names looked up in one cycle, each school once: a list, a workbook or a digest names a school on many rows.</summary>
    public SchoolNameCache InCycle(string cycleId) => new((code, ct) => FindAsync(cycleId, code, ct));

    /// <summary>Names looked up in the county's latest verified cycle (found once), each school once.</summary>
    public SchoolNameCache InCounty(string countyCode)
    {
        Task<Cycle?>? latest = null;
        return new(async (code, ct) => await (latest ??= cycles.LatestVerifiedAsync(countyCode, ct)) is { } cycle ? await FindAsync(cycle.Id, code, ct) : null);
    }

    /// <summary>Per county, its <see cref="InCounty"/> lookup, made once: for cases or items of several counties.</summary>
    public Func<string, SchoolNameCache> ByCounty()
    {
        var counties = new Dictionary<string, SchoolNameCache>(StringComparer.Ordinal);
        return county => counties.TryGetValue(county, out var cache) ? cache : counties[county] = InCounty(county);
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

/// <summary>School names found by one lookup, each code asked once; not for concurrent use (one request or run holds it).</summary>
public sealed class SchoolNameCache(Func<string, CancellationToken, Task<string?>> find)
{
    private readonly Dictionary<string, string?> _found = new(StringComparer.Ordinal);

    /// <summary>The school's name; null when no verified roster names it.</summary>
    public async Task<string?> FindAsync(string schoolCode, CancellationToken cancellationToken)
    {
        if (!_found.TryGetValue(schoolCode, out var name))
        {
            _found[schoolCode] = name = await find(schoolCode, cancellationToken);
        }

        return name;
    }

    /// <summary>The school as a person reads it: its name, or "学校标识码为 … 的学校" when unknown.</summary>
    public async Task<string> LabelAsync(string schoolCode, CancellationToken cancellationToken) =>
        SchoolNames.Describe(await FindAsync(schoolCode, cancellationToken), schoolCode).Zh;

    /// <summary>
    /// An assignee or owner as a person reads it: <c>school:4107260001</c> → 城关镇第一小学 (学校标识码为 4107260001 的学校
    /// while no verified roster names it); <c>section:资助股</c> → 资助股.
    /// </summary>
    public async Task<string> AssigneeAsync(string assignee, CancellationToken cancellationToken) =>
        !Assignees.TryParse(assignee, out var kind, out var key) ? assignee
        : kind == Assignees.School ? await LabelAsync(key, cancellationToken)
        : key;
}
