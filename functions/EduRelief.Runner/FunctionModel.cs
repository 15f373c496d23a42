namespace EduRelief.Runner;

/// <summary>host.json and the function folders beside it, with app settings already resolved.</summary>
public sealed record FunctionApp(string Root, HostSettings Host, IReadOnlyList<FunctionDefinition> Functions, IReadOnlyList<string> DisabledFunctions)
{
    public IEnumerable<(FunctionDefinition Function, QueueTriggerBinding Trigger)> QueueFunctions =>
        Functions.Where(f => f.Trigger is QueueTriggerBinding).Select(f => (f, (QueueTriggerBinding)f.Trigger));

    public IEnumerable<(FunctionDefinition Function, TimerTriggerBinding Trigger)> TimerFunctions =>
        Functions.Where(f => f.Trigger is TimerTriggerBinding).Select(f => (f, (TimerTriggerBinding)f.Trigger));
}

public sealed record HostSettings(QueueSettings Queues, TimeSpan FunctionTimeout)
{
    /// <summary>
    /// The Functions host's default on Premium, Dedicated and Flex Consumption plans. A bound matters here because a
    /// hung invocation keeps renewing its message's lease and would otherwise hold it forever.
    /// </summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);
}

public enum QueueMessageEncodingMode
{
    Base64,
    None,
}

/// <summary>host.json <c>extensions.queues</c>, with the Functions host's defaults for what is absent.</summary>
public sealed record QueueSettings(
    int BatchSize,
    int NewBatchThreshold,
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int MaxDequeueCount,
    QueueMessageEncodingMode MessageEncoding)
{
    public static readonly QueueSettings Defaults = new(16, 8, TimeSpan.FromMinutes(1), TimeSpan.Zero, 5, QueueMessageEncodingMode.Base64);

    /// <summary>The host fetches a new batch when in-flight work drops to the threshold, so this many can run at once.</summary>
    public int MaxConcurrency => BatchSize + NewBatchThreshold;
}

public sealed record FunctionDefinition(string Name, string Directory, TriggerBinding Trigger, IReadOnlyList<QueueOutputBinding> QueueOutputs);

public abstract record TriggerBinding(string Name);

public sealed record QueueTriggerBinding(string Name, string QueueName, string Connection) : TriggerBinding(Name)
{
    public string PoisonQueueName => PoisonRules.PoisonQueueName(QueueName);
}

public sealed record TimerTriggerBinding(string Name, TimerSchedule Schedule, bool RunOnStartup, bool UseMonitor) : TriggerBinding(Name);

/// <summary>HTTP functions are served by the app itself locally; the runner only records them.</summary>
public sealed record HttpTriggerBinding(string Name, string? Route, IReadOnlyList<string> Methods) : TriggerBinding(Name);

/// <summary>A trigger the local runner cannot deliver (blob, service bus...); such a function is logged and skipped.</summary>
public sealed record UnsupportedTriggerBinding(string Name, string Type) : TriggerBinding(Name);

public sealed record QueueOutputBinding(string Name, string QueueName, string Connection);

/// <summary>host.json or a function.json the Functions host would refuse; the message names the function and the setting.</summary>
public sealed class FunctionConfigurationException : Exception
{
    public FunctionConfigurationException(string message)
        : base(message)
    {
    }

    public FunctionConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionConfigurationException()
    {
    }
}
