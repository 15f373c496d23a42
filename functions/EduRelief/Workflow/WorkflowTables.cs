using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Workflow;

/// <summary>The engine's tables and queue, created once at start.</summary>
public sealed class WorkflowTables(StorageAccount storage, IConfiguration configuration) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("workflow", CycleRowScope.CyclePartitions), new("timers", CycleRowScope.DueTimers), new("deadletters", CycleRowScope.CyclePartitions), new("discards", CycleRowScope.CyclePartitions)];

    /// <summary>One partition per instance: state, history, event markers, outbox, fan-outs, completions, timers.</summary>
    public TableClient Instances { get; } = storage.Table("workflow");

    /// <summary>Due timers across all instances, keyed by due time so a sweep reads only what is due.</summary>
    public TableClient Timers { get; } = storage.Table("timers");

    /// <summary>Steps that failed their last attempt, one partition per instance.</summary>
    public TableClient DeadLetters { get; } = storage.Table("deadletters");

    /// <summary>Dead-lettered steps an operator discarded, with the reason, who and when; one partition per instance.</summary>
    public TableClient Discarded { get; } = storage.Table("discards");

    public string StepsQueueName { get; } = configuration["EDURELIEF_STEPS_QUEUE"] ?? storage.QueueName("steps");

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await Instances.CreateIfNotExistsAsync(cancellationToken);
        await Timers.CreateIfNotExistsAsync(cancellationToken);
        await DeadLetters.CreateIfNotExistsAsync(cancellationToken);
        await Discarded.CreateIfNotExistsAsync(cancellationToken);
        await CreateQueuesAsync(cancellationToken);
    }

    public async Task CreateQueuesAsync(CancellationToken cancellationToken)
    {
        await storage.Queues.GetQueueClient(StepsQueueName).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await storage.Queues.GetQueueClient(StepsQueueName + "-poison").CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }
}
