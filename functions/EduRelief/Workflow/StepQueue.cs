using Azure.Storage.Queues;
using EduRelief.Runner;
using EduRelief.Storage;

namespace EduRelief.Workflow;

/// <summary>Sends step messages; wakes the in-process trigger runner so local runs do not wait for a poll.</summary>
public sealed class StepQueue(StorageAccount storage, WorkflowTables tables, RunnerSignals signals)
{
    private readonly QueueClient _queue = storage.Queues.GetQueueClient(tables.StepsQueueName);

    public async Task SendAsync(StepMessage message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        await _queue.SendMessageAsync(message.ToJson(), visibilityTimeout: delay, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken);
        if (delay is null || delay <= TimeSpan.Zero)
        {
            signals.QueueWritten(tables.StepsQueueName);
        }
    }

    public Task SendAsync(string messageText, TimeSpan? delay, CancellationToken cancellationToken) =>
        SendAsync(StepMessage.Parse(messageText), delay, cancellationToken);
}
