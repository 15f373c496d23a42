using Azure.Storage.Queues;
using EduRelief.Runner;
using EduRelief.Storage;

namespace EduRelief.Workflow;

/// <summary>Sends step messages; wakes the in-process trigger runner so local runs do not wait for a poll.</summary>
public sealed class StepQueue(StorageAccount storage, WorkflowTables tables, RunnerSignals signals)
{
    private readonly QueueClient _queue = storage.Queues.GetQueueClient(tables.StepsQueueName);

    public Task SendAsync(StepMessage message, TimeSpan? delay, CancellationToken cancellationToken) =>
        SendAsync(message.ToJson(), delay, cancellationToken);

    /// <summary>Sends a step message's text as written (an outbox row holds it ready to send).</summary>
    public async Task SendAsync(string messageText, TimeSpan? delay, CancellationToken cancellationToken)
    {
        await _queue.SendMessageAsync(messageText, visibilityTimeout: delay, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken);
        if (delay is null || delay <= TimeSpan.Zero)
        {
            signals.QueueWritten(tables.StepsQueueName);
        }
    }
}
