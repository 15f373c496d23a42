using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace EduRelief.Runner;

/// <summary>
/// Polls one queue-triggered function's queue with the host's batching: fetch up to batchSize, fetch again when the
/// in-flight count drops to newBatchThreshold, back off exponentially while the queue is empty.
/// </summary>
internal sealed class QueueListener(
    FunctionDefinition function,
    QueueTriggerBinding trigger,
    QueueSettings settings,
    QueueClient queue,
    QueueMessageProcessor processor,
    RunnerSignals signals,
    TimeSpan lease,
    TimeProvider realTime,
    ILogger logger)
{
    /// <param name="stopping">Stop fetching.</param>
    /// <param name="abandon">Stop waiting for invocations in flight; fired a grace period after <paramref name="stopping"/>.</param>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abandon)
    {
        var backoff = new PollingBackoff(settings.MaxPollingInterval);
        var inFlight = new InFlight(logger, function.Name);
        while (!stopping.IsCancellationRequested)
        {
            var completion = inFlight.NextCompletion;
            if (inFlight.Count > settings.NewBatchThreshold)
            {
                await Wait.ForSignalOrDelayAsync(completion, Timeout.InfiniteTimeSpan, realTime, stopping);
                continue;
            }

            var written = signals.NextQueueWrite(trigger.QueueName);
            var batch = await ReceiveAsync(Math.Min(settings.BatchSize, settings.MaxConcurrency - inFlight.Count), stopping);
            if (batch is null || batch.Length == 0)
            {
                await Wait.ForSignalOrDelayAsync(written, backoff.NextDelay(), realTime, stopping);
                continue;
            }

            backoff.Reset();
            foreach (var message in batch)
            {
                inFlight.Start(() => processor.ProcessAsync(message, abandon));
            }
        }

        await inFlight.WhenAll();
    }

    private async Task<QueueMessage[]?> ReceiveAsync(int count, CancellationToken stopping)
    {
        try
        {
            // Received with the lease as visibility timeout: if this process dies the message returns after one lease.
            return (await queue.ReceiveMessagesAsync(Math.Max(count, 1), lease, stopping)).Value;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            // Someone deleted the queue (a test reset, say); the host recreates it too.
            await queue.CreateIfNotExistsAsync(cancellationToken: stopping);
            return null;
        }
        catch (Exception ex)
        {
            // Storage down, or a message the Base64 client cannot decode: keep polling with backoff, never stop the app.
            logger.LogWarning("{Function}: receiving from queue {Queue} failed: {Error}", function.Name, queue.Name, ex.Message);
            return null;
        }
    }
}
