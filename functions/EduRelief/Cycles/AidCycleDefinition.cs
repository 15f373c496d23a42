using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>The stages of a county's semester cycle (DOMAIN.md, "A cycle").</summary>
public static class Stages
{
    public const string AwaitingRosters = "awaiting_rosters";
    public const string Verifying = "verifying";
    public const string Review = "review";
    public const string Notice = "notice";
    public const string Disbursement = "disbursement";
    public const string Rectification = "rectification";
    public const string Closed = "closed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> Active = [AwaitingRosters, Verifying, Review, Notice, Disbursement, Rectification];

    public static readonly IReadOnlySet<string> All = new HashSet<string>(Active) { Closed, Cancelled };
}

/// <summary>Event names the cycle reacts to.</summary>
public static class CycleEvents
{
    public const string RostersReceived = "rosters.received";
    public const string VerificationCompleted = "verification.completed";
    public const string Approve = "approve";
    public const string NoticeEnded = "notice.ended";
    public const string Reconciled = "disbursement.reconciled";
    public const string RectificationCompleted = "rectification.completed";
    public const string Cancel = "cancel";
}

/// <summary>
/// Version 1 of the aid cycle: the stage chain and cancellation. Later features add their effects in a new version
/// (copy this class, bump <see cref="Version"/>); cycles already running keep the version they started on.
/// </summary>
public sealed class AidCycleDefinitionV1 : WorkflowDefinition
{
    public const string WorkflowName = "aid-cycle";

    public override string Name => WorkflowName;

    public override int Version => 1;

    public override string InitialStage => Stages.AwaitingRosters;

    public override IReadOnlySet<string> TerminalStages { get; } = new HashSet<string> { Stages.Closed, Stages.Cancelled };

    public override IReadOnlyList<Transition> Transitions { get; } =
    [
        // stage                   event                                  next stage
        new(Stages.AwaitingRosters, CycleEvents.RostersReceived,          Stages.Verifying),
        new(Stages.Verifying,       CycleEvents.VerificationCompleted,    Stages.Review),
        new(Stages.Review,          CycleEvents.Approve,                  Stages.Notice),
        new(Stages.Notice,          CycleEvents.NoticeEnded,              Stages.Disbursement),
        new(Stages.Disbursement,    CycleEvents.Reconciled,               Stages.Rectification),
        new(Stages.Rectification,   CycleEvents.RectificationCompleted,   Stages.Closed),
        .. Transition.FromEach(Stages.Active, CycleEvents.Cancel, Stages.Cancelled),
    ];
}
