using EduRelief.Eligibility;
using Azure;

namespace EduRelief.Disbursement;

/// <summary>Where one ledger key (cycle, person, program) stands. Owed = paid + pending + failed + held + inDoubt; cancelled is not owed.</summary>
public static class EntitlementStatuses
{
    /// <summary>Owed and not paid: waiting for a batch, or in a batch the bank has not answered for.</summary>
    public const string Pending = "pending";

    /// <summary>An open objection names the person: not payable until it is decided.</summary>
    public const string Held = "held";

    /// <summary>The bank returned the payment as failed: still owed, the next batch takes it.</summary>
    public const string Failed = "failed";

    public const string Paid = "paid";

    /// <summary>
    /// The bank's result left it unclear whether the money arrived (rows that contradict each other, another amount, a
    /// stray row naming the person, no row at all): still owed, tied to its batch and never cut into another until a
    /// person resolves it as paid or unpaid.
    /// </summary>
    public const string InDoubt = "inDoubt";

    /// <summary>An upheld objection took the person off the list: not owed.</summary>
    public const string Cancelled = "cancelled";
}

public static class BatchKinds
{
    public const string Regular = "regular";

    /// <summary>补发: entitlements confirmed after the program's regular batch was cut.</summary>
    public const string BackPay = "backpay";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Regular, BackPay };
}

public static class BatchStatuses
{
    /// <summary>Rows are being claimed; any instance that cuts the same program finishes this batch instead of starting another.</summary>
    public const string Cutting = "cutting";

    /// <summary>The item set is frozen: the payment file can be downloaded and the bank's result uploaded.</summary>
    public const string Sealed = "sealed";

    public const string Reconciling = "reconciling";

    public const string Reconciled = "reconciled";
}

/// <summary>
/// The reasons the system itself writes on a batch or a 补发 row: fixed phrases stored as they are, which the console
/// shows in its language (<c>pay.sys.{reason}</c> in cycle-payments.js); a person's reason is shown as they wrote it.
/// </summary>
public static class SystemReasons
{
    public const string NoticeEnded = "notice ended";
    public const string ObjectionDismissed = "objection dismissed after the regular batch was cut";
    public const string NoUsableAccount = "no usable account when the regular batch was cut";

    /// <summary>
    /// A row first cut into a regular batch after the program's first one, without a reason of its own: the first
    /// regular batch missed it (a preparation that added it while the batch was being cut, a mark that lost a race).
    /// </summary>
    public const string AfterRegularBatch = "owed after the regular batch was cut";

    public static readonly IReadOnlyList<string> All = [NoticeEnded, ObjectionDismissed, NoUsableAccount, AfterRegularBatch];
}

/// <summary>Kinds of reconciliation exception; each becomes a rectification item.</summary>
public static class ReconciliationKinds
{
    /// <summary>The bank returned a row for someone not in the batch: a sequence the batch does not have, or an ID number none of its rows has.</summary>
    public const string NotInBatch = "notInBatch";

    /// <summary>The bank's amount differs from the batch's.</summary>
    public const string AmountDiffers = "amountDiffers";

    /// <summary>A batch row the bank's file never mentions.</summary>
    public const string NotReturned = "notReturned";

    /// <summary>The bank returned the ID number of one batch row under the sequence of another.</summary>
    public const string IdMismatch = "idMismatch";

    /// <summary>The bank returned the same sequence more than once; the later rows are not applied.</summary>
    public const string DuplicateRow = "duplicateRow";

    /// <summary>Two rows answer for one batch row differently (success and failure, or two amounts): the row is in doubt.</summary>
    public const string ContradictoryRows = "contradictoryRows";

    /// <summary>The bank reports success for a ledger key that holds a payment from another batch already: storage refused the second.</summary>
    public const string AlreadyPaid = "alreadyPaid";
}

/// <summary>One entitlement to pay: what the ledger (or a late confirmation) says is owed to one person under one program.</summary>
public sealed record Payable(string Name, Rosters.IdNumber IdNumber, string SchoolCode, string SchoolName, string Program, Yuan Amount);

public sealed record Batch(
    string Id,
    string CycleId,
    string Program,
    string Kind,
    string? Reason,
    string Status,
    int Count,
    Yuan Total,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SealedAt,
    string? RequestId,
    string? FileHash,
    int Downloads,
    string? ResultHash,
    DateTimeOffset? ReconciledAt,
    BatchFigures? Result,
    ETag ETag);

/// <summary>What a reconciled batch came to.</summary>
public sealed record BatchFigures(int Paid, Yuan PaidAmount, int Failed, Yuan FailedAmount, int Exceptions)
{
    /// <summary>Rows the result left in doubt (a person resolves each).</summary>
    public Figure InDoubt { get; init; } = Figure.Zero;
}

/// <summary>One row of a sealed batch. Sequence is the row's place in the payment file (items ordered by key, from 1).</summary>
public sealed record BatchItem(int Sequence, string PersonKey, string Name, Rosters.IdNumber IdNumber, string SchoolCode, string SchoolName, string Program, Yuan Amount, bool BackPay, string? BackPayReason)
{
    /// <summary>The account the bank pays: copied from the cycle's accounts when the row was cut, so the file never changes.</summary>
    public Accounts.PayableAccount? Account { get; init; }
}

public sealed record ReconciliationException(string Id, string BatchId, string Kind, int? Sequence, int? FileRow, string? MaskedId, Yuan? BatchAmount, Yuan? BankAmount, string? BankStatus, string? BankReason)
{
    /// <summary>The bureau's word once it asked the bank: <c>paid</c> or <c>unpaid</c>; null while unresolved.</summary>
    public string? Resolution { get; init; }

    public string? ResolutionReason { get; init; }

    public string? ResolvedBy { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The batch row the exception is about (the person it names), whose resolution resolves it; null for a row naming nobody of the batch.</summary>
    public int? ItemSequence { get; init; }
}

public sealed record Figure(int Count, Yuan Amount)
{
    public static readonly Figure Zero = new(0, Yuan.Zero);

    public Figure Add(Yuan amount) => new(Count + 1, Amount + amount);

    public static Figure operator +(Figure a, Figure b) => new(a.Count + b.Count, a.Amount + b.Amount);
}

/// <summary>A program's money in one cycle. Always: owed = paid + pending + failed + held + inDoubt. BackPaid is the part of paid that was 补发.</summary>
public sealed record ProgramTotals(string Program, Figure Owed, Figure Paid, Figure Pending, Figure Failed, Figure Held, Figure BackPaid, Figure Cancelled, Figure InDoubt);

public sealed record DisclosureRow(string SchoolCode, string SchoolName, string Program, int Recipients, Yuan Amount);

/// <summary>One row of the bank's result file, parsed.</summary>
public sealed record BankResultRow(int FileRow, int Sequence, string IdNumber, Yuan Amount, bool Success, string? Reason);

/// <summary>What cutting a batch came to: the batch, or nothing to pay (no batch written).</summary>
public sealed record CutOutcome(Batch? Batch, bool Created);

public enum ReconcileStatus
{
    Reconciled,
    Unchanged,
    NotFound,
    NotSealed,
    DifferentFile,
}

public sealed record ReconcileOutcome(ReconcileStatus Status, Batch? Batch, IReadOnlyList<ReconciliationException> Exceptions);

public enum AcceptStatus
{
    /// <summary>This upload moved the batch from sealed to reconciling: the cycle now reconciles it.</summary>
    Accepted,

    /// <summary>The same file is being reconciled already.</summary>
    AlreadyAccepted,

    /// <summary>The same file was reconciled already.</summary>
    AlreadyReconciled,
    NotFound,
    NotSealed,
    DifferentFile,
}

/// <summary>What taking a bank result came to, and the batch as it stands.</summary>
public sealed record ResultAcceptance(AcceptStatus Status, Batch? Batch);


/// <summary>An entitlement the bank refused at least twice: <paramref name="Key"/> is stable (no ID number in it).</summary>
public sealed record RepeatedFailure(string Key, string Program, string Name, string SchoolCode, int Attempts, string? LastReason);

public enum ResolveStatus
{
    Resolved,

    /// <summary>The same outcome was recorded before: the recorded resolution, not applied again.</summary>
    AlreadyResolved,

    /// <summary>Another outcome was recorded first: the first resolution wins.</summary>
    Conflict,
    NothingToResolve,
    NotReconciled,
    NotFound,
}

/// <summary>A person's word on an in-doubt batch row: <c>paid</c> or <c>unpaid</c>, stored once (the first wins).</summary>
public sealed record ItemResolution(string Outcome, string Reason, string ResolvedBy, DateTimeOffset ResolvedAt);

public sealed record ResolveOutcome(ResolveStatus Status, ItemResolution? Resolution);

/// <summary>
/// A batch row with what became of it in this batch: <c>pending</c> until the bank answered, then <c>paid</c>,
/// <c>failed</c> (even if a later batch paid it) or <c>inDoubt</c> (until resolved).
/// </summary>
public sealed record BatchItemState(BatchItem Item, string Status, string? BankReason, string? InDoubtReason);

public static class BatchItemStatuses
{
    public static readonly IReadOnlyList<string> All = [EntitlementStatuses.Pending, EntitlementStatuses.Paid, EntitlementStatuses.Failed, EntitlementStatuses.InDoubt];
}
