using EduRelief.Eligibility;
using EduRelief.Rosters;

namespace EduRelief.Disbursement;

/// <summary>
/// Where one ledger key (cycle, person, program) stands: its status (the words of <see cref="EntitlementStatuses"/>),
/// the batch it is in, was paid by or last failed in, when it was paid, and the bank's reason for a failure or why the
/// payment is in doubt.
/// </summary>
public sealed record EntitlementState(
    string PersonKey, string Program, string Name, Rosters.IdNumber IdNumber, string SchoolCode, string SchoolName, Yuan Amount, string Status,
    string? BatchId, DateTimeOffset? PaidAt, string? BankReason, string? InDoubtReason, bool BackPay, string Source);

/// <summary>
/// Payment statuses of a cycle for the ledger (台账) and the console, read from the entitlements by range scans (per
/// school or per program), never by one lookup per child.
/// </summary>
public sealed class PaymentStatusQueries(DisbursementService disbursement)
{
    /// <summary>The statuses a list of children may be narrowed to.</summary>
    public static readonly IReadOnlyList<string> Statuses =
    [
        EntitlementStatuses.Pending, EntitlementStatuses.Held, EntitlementStatuses.Failed, EntitlementStatuses.InDoubt, EntitlementStatuses.Paid,
        EntitlementStatuses.Cancelled,
    ];

    /// <summary>How the ledger workbook says each status.</summary>
    public static readonly IReadOnlyDictionary<string, string> ChineseStatus = new Dictionary<string, string>
    {
        [EntitlementStatuses.Pending] = "待发放",
        [EntitlementStatuses.Held] = "异议暂缓",
        [EntitlementStatuses.Failed] = "发放失败",
        [EntitlementStatuses.InDoubt] = "待核实",
        [EntitlementStatuses.Paid] = "已发放",
        [EntitlementStatuses.Cancelled] = "已取消",
    };

    /// <summary>The states of the given schools' children, by (program, person key): one scan per school.</summary>
    public async Task<IReadOnlyDictionary<(string Program, string PersonKey), EntitlementState>> ForSchoolsAsync(
        string cycleId, IEnumerable<string> schoolCodes, CancellationToken cancellationToken)
    {
        var states = new Dictionary<(string, string), EntitlementState>();
        foreach (var school in schoolCodes.Distinct(StringComparer.Ordinal))
        {
            await foreach (var s in disbursement.EntitlementStatesAsync(cycleId, null, school, cancellationToken))
            {
                states[(s.Program, s.PersonKey)] = s;
            }
        }

        return states;
    }

    /// <summary>The states of one program's children, by person key: one scan.</summary>
    public async Task<Dictionary<string, EntitlementState>> ForProgramAsync(string cycleId, string program, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, EntitlementState>(StringComparer.Ordinal);
        await foreach (var s in disbursement.EntitlementStatesAsync(cycleId, program, null, cancellationToken))
        {
            states[s.PersonKey] = s;
        }

        return states;
    }

    /// <summary>
    /// The children whose payment is in one of <paramref name="statuses"/> (all when empty), of one school or the
    /// county, ordered by school, program and name.
    /// </summary>
    public async Task<IReadOnlyList<EntitlementState>> ListAsync(string cycleId, IReadOnlySet<string> statuses, string? schoolCode, CancellationToken cancellationToken)
    {
        var list = new List<EntitlementState>();
        await foreach (var s in disbursement.EntitlementStatesAsync(cycleId, null, schoolCode, cancellationToken))
        {
            if (statuses.Count == 0 || statuses.Contains(s.Status))
            {
                list.Add(s);
            }
        }

        return list.OrderBy(s => s.SchoolCode, StringComparer.Ordinal).ThenBy(s => s.Program, StringComparer.Ordinal)
            .ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.PersonKey, StringComparer.Ordinal).ToList();
    }

    /// <summary>A child's payment as the API shows it: no ID number but the masked one, the bank's reason masked too.</summary>
    public static object View(EntitlementState s) => new
    {
        id = $"{s.Program}.{s.PersonKey}",
        name = s.Name,
        maskedId = s.IdNumber.Masked,
        schoolCode = s.SchoolCode,
        schoolName = s.SchoolName,
        program = s.Program,
        amount = s.Amount,
        status = s.Status,
        batchId = s.BatchId,
        paidAt = s.PaidAt,
        bankReason = s.BankReason is null ? null : Rectification.SensitiveText.MaskIdNumbers(s.BankReason),
        inDoubtReason = s.InDoubtReason,
        backPay = s.BackPay,
    };
}
