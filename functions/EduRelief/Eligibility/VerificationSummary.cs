using System.Text.Json.Nodes;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

/// <summary>The verification figures as the cycle shows them (GET /api/cycles/{id} → verification).</summary>
public static class VerificationSummary
{
    /// <param name="previousCycle">The county's previous cycle the run was compared with (<c>transferred</c> and
    /// <c>absent</c> count what changed since), or null when there is none.</param>
    /// <param name="schools">The distinct school codes of eligible and pending-review students, sorted: the schools
    /// whose notice documents an approval renders. A plain array, since a county's ~2,000 codes must fit in the
    /// cycle's data.</param>
    public static JsonObject Completed(string runId, VerificationCounts counts, ResolvedPolicy policy, IEnumerable<string> schools, string? previousCycle = null)
    {
        var discrepancies = new JsonObject();
        foreach (var kind in DiscrepancyKinds.Counted)
        {
            discrepancies[kind] = counts.Discrepancies.GetValueOrDefault(kind);
        }

        var programs = new JsonObject();
        foreach (var (code, total) in counts.Programs)
        {
            programs[code] = new JsonObject { ["recipients"] = total.Recipients, ["amount"] = Money(total.Amount) };
        }

        return new JsonObject
        {
            ["status"] = "completed",
            ["runId"] = runId,
            ["students"] = counts.Students,
            ["povertyPersons"] = counts.PovertyPersons,
            ["matched"] = counts.Matched,
            ["eligible"] = counts.Eligible,
            ["pendingReview"] = counts.PendingReview,
            ["rejected"] = 0,
            ["discrepancies"] = discrepancies,
            ["outsideCounty"] = counts.OutsideCounty,
            ["programs"] = programs,
            ["totalAmount"] = Money(counts.TotalAmount),
            ["policyVersion"] = policy.Version,
            ["policyScope"] = policy.Scope,
            ["schools"] = new JsonArray(schools.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["previousCycle"] = previousCycle,
            ["transferred"] = counts.Discrepancies.GetValueOrDefault(DiscrepancyKinds.Transferred),
            ["absent"] = counts.Discrepancies.GetValueOrDefault(DiscrepancyKinds.AbsentSchoolAge),
        };
    }

    /// <summary>
    /// One school's figures of a completed run, added to an officer's view of the verification: its name mismatches
    /// pending and rejected, its discrepancies per kind (and its transferred and absent children), and per program its
    /// ledger rows (recipients) and yuan. The county's counts of roster rows, matches and eligible students are not
    /// derived per school, so they are left out, as is the county's outsideCounty.
    /// </summary>
    public static void AddSchool(JsonObject verification, IEnumerable<LedgerRow> ledger, IReadOnlyCollection<DiscrepancyRow> discrepancies)
    {
        var mismatches = discrepancies.Where(d => d.Kind == DiscrepancyKinds.NameMismatch).ToList();
        verification["pendingReview"] = mismatches.Count(d => d.Decision is null);
        verification["rejected"] = mismatches.Count(d => d.Decision is not null and not "confirm");
        var kinds = new JsonObject();
        foreach (var kind in DiscrepancyKinds.Counted)
        {
            kinds[kind] = discrepancies.Count(d => d.Kind == kind);
        }

        verification["discrepancies"] = kinds;
        // The comparison's figures are the school's rows too; children outside the county belong to no school of it.
        verification["transferred"] = kinds[DiscrepancyKinds.Transferred]!.GetValue<int>();
        verification["absent"] = kinds[DiscrepancyKinds.AbsentSchoolAge]!.GetValue<int>();
        verification.Remove("outsideCounty");
        var programs = new JsonObject();
        var total = Yuan.Zero;
        foreach (var program in ledger.GroupBy(l => l.Program).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var amount = program.Sum(l => l.Amount);
            programs[program.Key] = new JsonObject { ["recipients"] = program.Count(), ["amount"] = Money(amount) };
            total += amount;
        }

        verification["programs"] = programs;
        verification["totalAmount"] = Money(total);
    }

    /// <summary>The schools a notice lists: those of eligible students and of students pending review, in code order.</summary>
    public static IReadOnlyList<string> NoticeSchools(VerificationResult result) =>
        result.Eligible.Select(s => s.SchoolCode)
            .Concat(result.Discrepancies.Where(d => d.Kind == DiscrepancyKinds.NameMismatch && d.Student is not null).Select(d => d.Student!.SchoolCode))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A failed run: <c>error</c> in Chinese (what the console shows), <c>errorEn</c> in English.</summary>
    public static JsonObject Failed(string runId, Text error) =>
        new() { ["status"] = "failed", ["runId"] = runId, ["error"] = error.Zh, ["errorEn"] = error.En };

    /// <summary>Moves one student out of pending review: confirmed students become eligible with their entitlements.</summary>
    public static Cycles.VerificationRun ApplyDecision(Cycles.VerificationRun verification, JsonObject decision)
    {
        var pendingReview = (verification.PendingReview ?? 0) - 1;
        if ((string?)decision["decision"] != "confirm")
        {
            return verification with { PendingReview = pendingReview, Rejected = (verification.Rejected ?? 0) + 1 };
        }

        var programs = new Dictionary<string, Cycles.ProgramFigures>(verification.Programs ?? new Dictionary<string, Cycles.ProgramFigures>());
        var total = verification.TotalAmount ?? Yuan.Zero;
        foreach (var e in decision["entitlements"]?.AsArray() ?? [])
        {
            var code = (string)e!["program"]!;
            var amount = new Yuan((decimal)e["amount"]!);
            var program = programs.GetValueOrDefault(code);
            programs[code] = new Cycles.ProgramFigures((program?.Recipients ?? 0) + 1, ((program?.Amount ?? Yuan.Zero) + amount).ToFenExact());
            total += amount;
        }

        return verification with
        {
            PendingReview = pendingReview,
            Eligible = (verification.Eligible ?? 0) + 1,
            Programs = programs,
            TotalAmount = total.ToFenExact(),
        };
    }

    /// <summary>Yuan with exactly two decimals, as a JSON number.</summary>
    private static decimal Money(Yuan amount) => amount.ToFenExact().Value;
}
