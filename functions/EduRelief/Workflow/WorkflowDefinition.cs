using System.Text.Json.Nodes;

namespace EduRelief.Workflow;

/// <summary>
/// A versioned workflow: an explicit transition table (stage + event → next stage + effects). An instance records
/// the (name, version) it started with and keeps running on it, so registering a newer version never changes the
/// meaning of instances already in flight.
/// </summary>
public abstract class WorkflowDefinition
{
    private Dictionary<(string Stage, string Event), Transition>? _byKey;

    public abstract string Name { get; }

    public abstract int Version { get; }

    public abstract string InitialStage { get; }

    /// <summary>Stages in which the instance is finished; no event moves it out of them.</summary>
    public abstract IReadOnlySet<string> TerminalStages { get; }

    public abstract IReadOnlyList<Transition> Transitions { get; }

    /// <summary>Effects to run when an instance is created (for example a first timer).</summary>
    public virtual IEnumerable<Effect> OnStart(TransitionContext context) => [];

    public Transition? Find(string stage, string eventName)
    {
        _byKey ??= BuildIndex();
        return _byKey.GetValueOrDefault((stage, eventName));
    }

    private Dictionary<(string, string), Transition> BuildIndex()
    {
        var index = new Dictionary<(string, string), Transition>();
        foreach (var t in Transitions)
        {
            if (TerminalStages.Contains(t.From))
            {
                throw new InvalidOperationException($"{Name} v{Version}: a transition leaves terminal stage '{t.From}'.");
            }

            if (!index.TryAdd((t.From, t.On), t))
            {
                throw new InvalidOperationException($"{Name} v{Version}: two transitions for stage '{t.From}' on '{t.On}'.");
            }
        }

        return index;
    }
}

/// <summary>
/// One row of a transition table. <paramref name="To"/> null keeps the stage (an event that only has effects).
/// The guard refuses the event with a reason (the caller sees a conflict); effects run only when it passes.
/// <paramref name="Choose"/>, when given, decides after the effects ran whether to move to <paramref name="To"/> or stay
/// (for example: move to verifying once both rosters are in), so the table still shows every edge.
/// </summary>
public sealed record Transition(
    string From,
    string On,
    string? To,
    Func<TransitionContext, IEnumerable<Effect>>? Effects = null,
    Func<TransitionContext, string?>? Guard = null,
    Func<TransitionContext, bool>? Choose = null)
{
    /// <summary>The stage after this transition: <see cref="To"/>, unless <see cref="Choose"/> says to stay.</summary>
    public string Next(TransitionContext context) =>
        To is null || (Choose is not null && !Choose(context)) ? From : To;

    /// <summary>The same event and target from each of several stages.</summary>
    public static IEnumerable<Transition> FromEach(IEnumerable<string> stages, string on, string? to,
        Func<TransitionContext, IEnumerable<Effect>>? effects = null, Func<TransitionContext, string?>? guard = null) =>
        stages.Select(s => new Transition(s, on, to, effects, guard));
}

/// <summary>What a transition sees: the instance, the event and the clock. Effects may change <see cref="Data"/>.</summary>
public sealed class TransitionContext
{
    internal TransitionContext(string instanceId, string stage, long sequence, JsonObject data, WorkflowEvent evt, DateTimeOffset now)
    {
        InstanceId = instanceId;
        Stage = stage;
        Sequence = sequence;
        Data = data;
        Event = evt;
        Now = now;
    }

    public string InstanceId { get; }

    public string Stage { get; }

    /// <summary>The number of the history row this transition writes; unique within the instance, so effect ids derived from it are deterministic.</summary>
    public long Sequence { get; }

    /// <summary>The instance's own data, persisted with its state.</summary>
    public JsonObject Data { get; }

    public WorkflowEvent Event { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The reason written to history; defaults to the event's reason.</summary>
    public string? Reason { get; set; }
}

/// <summary>An event delivered to an instance. <see cref="Id"/> makes it idempotent: the same id is applied once.</summary>
public sealed record WorkflowEvent(string Id, string Name, JsonObject? Payload, string Actor, string? Reason = null);

/// <summary>Something a transition asks the engine to do once the transition is durable.</summary>
public abstract record Effect
{
    /// <summary>The event the engine raises when this effect is done; a table must take it where the effect started.</summary>
    public abstract string CompletionEvent { get; }
}

/// <summary>The names of the events the engine raises for effects: one rule, so no table spells them by hand.</summary>
public static class StepEvents
{
    public const string CompletedSuffix = ".completed";

    /// <summary><c>{name}.completed</c>: raised when the activity or fan-out named <paramref name="effectName"/> finishes.</summary>
    public static string Completed(string effectName) => effectName + CompletedSuffix;

    /// <summary>The id of a step's completion event: the step's id, so its completion is applied once however often it runs.</summary>
    public static string CompletionId(string stepId) => "step|" + stepId;
}

/// <summary>Run one activity; on success the engine raises <c>{Name}.completed</c> with the activity's output.</summary>
public sealed record RunActivity(string Name, string Kind, JsonObject? Input = null) : Effect
{
    public override string CompletionEvent => StepEvents.Completed(Name);
}

/// <summary>Run one activity per shard; when every shard has completed, raise <c>{Name}.completed</c> exactly once.</summary>
public sealed record FanOut(string Name, string Kind, IReadOnlyList<string> Shards, JsonObject? Input = null) : Effect
{
    public override string CompletionEvent => StepEvents.Completed(Name);
}

/// <summary>Raise <paramref name="Event"/> at <paramref name="DueAt"/> (app clock); no upper limit on the delay.</summary>
public sealed record StartTimer(string Name, DateTimeOffset DueAt, string Event) : Effect
{
    public override string CompletionEvent => Event;
}
