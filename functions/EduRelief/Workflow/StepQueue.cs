using Azure.Storage.Queues;
using EduRelief.Hosting;
using EduRelief.Observability;
using EduRelief.Storage;

namespace EduRelief.Workflow;

/// <summary>Sends step messages; tells the trigger signals' listeners (a local runner) so local runs do not wait for a poll.</summary>
public sealed class StepQueue(StorageAccount storage, WorkflowTables tables, IEnumerable<ITriggerSignals> signals)
{
    private readonly QueueClient _queue = storage.Queues.GetQueueClient(tables.StepsQueueName);

    public Task SendAsync(StepMessage message, TimeSpan? delay, CancellationToken cancellationToken) =>
        SendAsync(message.ToJson(), delay, cancellationToken);

    /// <summary>Sends a step message's text as written (an outbox row holds it ready to send).</summary>
    public async Task SendAsync(string messageText, TimeSpan? delay, CancellationToken cancellationToken)
    {
        await _queue.SendMessageAsync(WithCorrelation(messageText, LogContext.Current?.CorrelationId), visibilityTimeout: delay, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken);
        if (delay is null || delay <= TimeSpan.Zero)
        {
            foreach (var listener in signals)
            {
                listener.QueueWritten(tables.StepsQueueName);
            }
        }
    }

    /// <summary>
    /// Stamps the sender's correlation id on a message that has none, so the step's log lines carry the id of the request
    /// that caused it (a retry keeps its own; a shard gets its dispatch's). The id is a plain token (<see cref="LogContext"/> checks it).
    /// </summary>
    public static string WithCorrelation(string messageText, string? correlationId) =>
        correlationId is null || !messageText.StartsWith('{') || messageText.Contains("\"correlationId\"", StringComparison.Ordinal)
            ? messageText
            : "{\"correlationId\":\"" + correlationId + "\"," + messageText[1..];
}
