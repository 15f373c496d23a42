using System.Text.Json.Nodes;

namespace EduRelief.Workflow;

public sealed record InstanceSnapshot(
    string Id,
    string Definition,
    int Version,
    string Stage,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Sequence,
    JsonObject Data);

public sealed record HistoryEntry(long Sequence, DateTimeOffset At, string Actor, string Event, string? From, string To, string? Reason);

public sealed record DeadLetter(string Id, string Type, string? Name, string? Kind, string? ShardKey, string Error, int Attempts, DateTimeOffset FailedAt);

public enum EventOutcome
{
    Applied,

    /// <summary>The event id was applied before; nothing changed.</summary>
    Duplicate,

    /// <summary>No transition takes this event in the current stage.</summary>
    NotApplicable,

    /// <summary>The transition's guard refused it; <see cref="EventResult.Reason"/> says why.</summary>
    Refused,
    NotFound,
}

public sealed record EventResult(EventOutcome Outcome, InstanceSnapshot? Instance, string? Reason = null);

public sealed record StartResult(bool Created, InstanceSnapshot Instance);

/// <summary>A row written in the same transaction as the transition, carried out after it commits.</summary>
internal sealed record OutboxItem(string RowKey, string Kind, string? Body, string? TimerId, string? TimerEvent, DateTimeOffset? DueAt)
{
    public const string QueueKind = "queue";
    public const string TimerKind = "timer";
}
