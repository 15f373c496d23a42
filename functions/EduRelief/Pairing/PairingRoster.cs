using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Pairing;

/// <summary>One entitlement of the child's household this semester.</summary>
public sealed record ChildAid(string Program, decimal Amount);

/// <summary>
/// A child of the cycle at a school who is to be paired: eligible on the cycle's approved list, or flagged by the school
/// in a special group; with the pairing the school has for them (null: none yet).
/// </summary>
public sealed record SchoolChild(
    string ChildKey, string Name, string MaskedId, string SchoolCode, string SchoolName, string? Stage, int? Grade, string? Village,
    bool Eligible, IReadOnlyList<ChildAid> Aid, PairingRow? Pairing)
{
    public IReadOnlyList<string> TeacherIds => Pairing?.TeacherIds ?? [];

    public IReadOnlyList<string> Groups => Pairing?.Groups ?? [];
}

/// <summary>
/// The children of a cycle at a school, as pairing sees them: the cycle's approved list (its ledger, from the run the
/// approval counted) gives the eligible children with their aid, and the child registry's record of the cycle those
/// eligible with nothing to pay; the school's pairing rows give the flagged ones, who
/// count while the child registry has them at the school in that cycle; the registry gives each child's village.
/// </summary>
public sealed class PairingRoster(CycleService cycles, EligibilityStore eligibility, ChildRegistry registry, ChildIds ids, PairingStore pairings)
{
    /// <summary>The cycle once approved (its notice published), or 404 (unknown) or 409 (not approved yet, or cancelled).</summary>
    public async Task<(Cycle? Cycle, ProblemHttpResult? Problem)> ApprovedAsync(string cycleId, CancellationToken ct)
    {
        var cycle = await cycles.FindAsync(cycleId, ct);
        if (cycle is null)
        {
            return (null, Problems.NotFound(Messages.Cycle(cycleId)));
        }

        return Approval(cycle) is null || cycle.Stage == Stages.Cancelled || cycle.State.Verification?.RunId is null
            ? (null, CycleGate.StageProblem(cycleId, cycle.Stage, new Text("资助名单审核通过（公示）之后才能结对帮扶", "pairing starts once the cycle's list is approved (its notice published)")))
            : (cycle, null);
    }

    /// <summary>When the cycle was approved: the publication of its notice.</summary>
    public static DateTimeOffset? Approval(Cycle cycle) => cycle.State.Notice?.PublishedAt;

    /// <summary>The schools of the cycle's notice: where its eligible children are.</summary>
    public static IReadOnlyList<string> Schools(Cycle cycle) => cycle.State.Verification?.Schools ?? [];

    public async Task<IReadOnlyList<SchoolChild>> ChildrenAsync(Cycle cycle, string school, CancellationToken ct)
    {
        var runId = cycle.State.Verification!.RunId!;
        var pairs = (await pairings.SchoolAsync(cycle.CountyCode, school, ct)).ToDictionary(p => p.ChildKey, StringComparer.Ordinal);
        var registered = await RegisteredAtAsync(cycle.CountyCode, school, ct);
        var children = new Dictionary<string, SchoolChild>(StringComparer.Ordinal);
        var ledger = new List<LedgerRow>();
        await foreach (var row in eligibility.SchoolLedgerAsync(cycle.Id, runId, school, ct))
        {
            ledger.Add(row);
        }

        foreach (var child in ledger.GroupBy(r => r.IdNumber.Value, StringComparer.Ordinal))
        {
            var first = child.First();
            var key = ids.RowKey(first.IdNumber);
            children[key] = new SchoolChild(
                key, first.Name, first.IdNumber.Masked, school, first.SchoolName, first.Stage, first.Grade, registered.GetValueOrDefault(key)?.Village,
                true, [.. child.Where(r => r.Amount.Value > 0).Select(r => new ChildAid(r.Program, r.Amount.Value))], pairs.GetValueOrDefault(key));
        }

        if (!Semester.TryParse(cycle.Semester, out var semester))
        {
            return [.. children.Values];
        }

        // Eligible with nothing to pay (中职 year 3): on the registry's record of the cycle, not in the ledger.
        foreach (var (key, found) in registered.Where(r => !children.ContainsKey(r.Key)))
        {
            if (AtSchoolIn(found, semester, school) is { Eligible: true } entry)
            {
                children[key] = new SchoolChild(
                    key, entry.Name, found.IdNumber.Masked, school, entry.SchoolName ?? "", entry.Stage is { } s ? SchoolStages.Chinese(s) : null, entry.Grade,
                    found.Village, true, [], pairs.GetValueOrDefault(key));
            }
        }

        foreach (var flagged in pairs.Values.Where(p => p.Groups.Count > 0 && !children.ContainsKey(p.ChildKey)))
        {
            var found = registered.GetValueOrDefault(flagged.ChildKey) ?? await registry.GetAsync(cycle.CountyCode, flagged.ChildKey, ct);
            if (AtSchoolIn(found, semester, school) is { } entry)
            {
                children[flagged.ChildKey] = new SchoolChild(
                    flagged.ChildKey, entry.Name, found!.IdNumber.Masked, school, entry.SchoolName ?? "", entry.Stage is { } s ? SchoolStages.Chinese(s) : null, entry.Grade,
                    found.Village, false, [], flagged);
            }
        }

        return [.. children.Values.OrderBy(c => c.Grade).ThenBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.ChildKey, StringComparer.Ordinal)];
    }

    /// <summary>The registry's child of <paramref name="childKey"/> when the cycle has them at <paramref name="school"/> (flagging a child who is not on the approved list).</summary>
    public async Task<(RegisteredChild Child, ChildEntry Entry)?> RegisteredInCycleAsync(Cycle cycle, string school, string childKey, CancellationToken ct) =>
        Semester.TryParse(cycle.Semester, out var semester) && await registry.GetAsync(cycle.CountyCode, childKey, ct) is { } child && AtSchoolIn(child, semester, school) is { } entry
            ? (child, entry)
            : null;

    private static ChildEntry? AtSchoolIn(RegisteredChild? child, Semester semester, string school) =>
        child?.Timeline.Where(t => t.Semester == semester).Select(t => t.Entry).FirstOrDefault(e => e.SchoolCode == school);

    private async Task<Dictionary<string, RegisteredChild>> RegisteredAtAsync(string county, string school, CancellationToken ct)
    {
        var found = new Dictionary<string, RegisteredChild>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await registry.SearchAsync(county, Azure.Data.Tables.TableClient.CreateQueryFilter($"SchoolCode eq {school}"), token, 1000, ct);
            foreach (var child in page.Items)
            {
                found[child.RowKey] = child;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return found;
    }
}
