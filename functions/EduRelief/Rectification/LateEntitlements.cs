using System.Globalization;
using System.Text.Json;
using EduRelief.Accounts;
using EduRelief.Cycles;
using EduRelief.Disbursement;
using EduRelief.Eligibility;

namespace EduRelief.Rectification;

/// <summary>
/// What an accepted rectification item makes owed (DOMAIN "late-confirmed entitlements are paid as 补发"):
/// <list type="bullet">
/// <item>a 控辍保学 child found <c>enrolled</c>: the aid the cycle's policy gives the 学段, 年级 and boarding the school
/// submitted, at that school;</item>
/// <item>a name mismatch (source <c>mismatch</c>) submitted as <c>corrected</c> (the roster's name was wrong, the student
/// is the registered child) and accepted: the student's entitlements as verification priced them. Without that outcome
/// an accepted mismatch item owes nothing.</item>
/// </list>
/// Each becomes a ledger row (source <c>rectification</c>) and an entitlement added with
/// <see cref="DisbursementService.AddLateAsync"/>: marked 补发, so the program's next batch (a 补发 batch once the regular
/// one was cut) pays it, once, since the ledger key can hold one payment. Repeating it changes nothing.
/// </summary>
public sealed class LateEntitlements(CycleService cycles, EligibilityStore eligibility, PolicyStore policies, DisbursementService disbursement, CycleAccounts accounts)
{
    public const string Source = "rectification";

    /// <summary>The entitlements <paramref name="item"/> made owed (0 when it makes none, or they were added before).</summary>
    public async Task<int> AfterAcceptAsync(RectificationItem item, CancellationToken cancellationToken)
    {
        if (item.Status != RectificationStatuses.Accepted || !(IsEnrolledChild(item) || IsCorrectedName(item)))
        {
            return 0;
        }

        var cycle = await cycles.FindAsync(item.CycleId, cancellationToken);
        if (cycle?.State.Verification?.RunId is not { } runId)
        {
            return 0;
        }

        var discrepancy = await eligibility.GetDiscrepancyAsync(cycle.Id, runId, item.SourceKey, cancellationToken);
        var student = discrepancy is null ? null
            : IsEnrolledChild(item) ? await EnrolledChildAsync(cycle, runId, item, discrepancy, cancellationToken)
            : discrepancy.Kind == DiscrepancyKinds.NameMismatch && discrepancy.StudentJson is { } json ? JsonSerializer.Deserialize<StudentRecord>(json) : null;
        if (student is null || student.Entitlements.Count == 0)
        {
            return 0;
        }

        var ledgerRows = student.Entitlements.Select(e => EligibilityStore.LedgerEntity(cycle.Id, runId, student, e, Source)).ToList();
        if (IsEnrolledChild(item))
        {
            // Not a roster row: keyed by the poverty registry's row instead, which no roster row number can equal.
            foreach (var row in ledgerRows)
            {
                row.RowKey = $"{row.GetString("Program")}|p{student.PovertyRow.ToString("D7", CultureInfo.InvariantCulture)}";
            }
        }

        await eligibility.UpsertLedgerAsync(ledgerRows, cancellationToken);
        var reason = IsEnrolledChild(item) ? $"控辍保学：确认已入学（{item.Id}）" : $"姓名更正后确认（{item.Id}）";
        var added = 0;
        foreach (var e in student.Entitlements)
        {
            added += await disbursement.AddLateAsync(cycle.Id, new Payable(student.Name, student.IdNumber, student.SchoolCode, student.SchoolName, e.Program, e.Amount), reason, cancellationToken) ? 1 : 0;
        }

        // Whether the child's account can pay them counts from now on.
        await accounts.RefreshAsync(cycle, cancellationToken);
        return added;
    }

    private static bool IsCorrectedName(RectificationItem item) => item.IsMismatch && item.Outcome == MismatchOutcomes.Corrected;

    private static bool IsEnrolledChild(RectificationItem item) => item.IsDropout && item.Outcome == DropoutOutcomes.Enrolled && item.OutcomeSchoolCode is not null;

    /// <summary>The registry's child as a student of the school they joined, priced by the cycle's policy.</summary>
    private async Task<StudentRecord?> EnrolledChildAsync(Cycle cycle, string runId, RectificationItem item, DiscrepancyRow child, CancellationToken cancellationToken)
    {
        if (child.IdNumber is not { } idNumber || !SchoolStages.TryParse(item.OutcomeStage, out var stage) || item.OutcomeGrade is not { } grade
            || grade < 1 || grade > SchoolStages.MaxGrade(stage))
        {
            return null;
        }

        var version = cycle.State.Verification?.PolicyVersion;
        var policy = (version is null ? null : await policies.GetVersionAsync(cycle.SchoolYear, version, cancellationToken))
            ?? await policies.ResolveAsync(cycle.SchoolYear, cycle.CountyCode, cancellationToken);
        if (policy is null)
        {
            return null;
        }

        var school = item.OutcomeSchoolCode!;
        var name = child.PovertyName ?? item.StudentName ?? "";
        var boarding = item.OutcomeBoarding ?? false;
        return new StudentRecord(
            idNumber, name, school, await SchoolNameAsync(cycle.Id, runId, school, cancellationToken), stage, grade, boarding, 0, child.PovertyRow ?? 0, name, "", "",
            policy.EntitlementsFor(stage, grade, boarding))
        {
            HouseholdNames = [name],
        };
    }

    /// <summary>The school's name as the roster spells it (its ledger, else its discrepancies); the code when the roster never named it.</summary>
    private async Task<string> SchoolNameAsync(string cycleId, string runId, string schoolCode, CancellationToken cancellationToken)
    {
        await foreach (var row in eligibility.SchoolLedgerAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            return row.SchoolName;
        }

        await foreach (var row in eligibility.SchoolDiscrepanciesAsync(cycleId, runId, schoolCode, cancellationToken))
        {
            if (row.SchoolName is { Length: > 0 } name)
            {
                return name;
            }
        }

        return schoolCode;
    }
}
