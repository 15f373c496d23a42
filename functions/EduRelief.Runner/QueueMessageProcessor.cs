using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace EduRelief.Runner;

/// <summary>
/// Delivers one received message to its function and settles it the way the Functions host does: delete after
/// success, release after failure, poison after too many attempts. Logs name the function and the message id, never
/// the message text, which may hold personal data.
/// </summary>
internal sealed class QueueMessageProcessor(
    FunctionDefinition function,
    QueueTriggerBinding trigger,
    QueueSettings settings,
    QueueClient queue,
    QueueClient poisonQueue,
    QueueOutputSender outputs,
    IFunctionInvoker invoker,
    TimeProvider clock,
    TimeProvider realTime,
    TimeSpan lease,
    ILogger logger)
{
    /// <param name="abandon">Shutdown: stop waiting and leave the message to come back after its lease.</param>
    public async Task ProcessAsync(QueueMessage message, CancellationToken abandon)
    {
        if (PoisonRules.ShouldMoveBeforeInvoking(message.DequeueCount, settings.MaxDequeueCount))
        {
            await MoveToPoisonAsync(message, message.PopReceipt, "it was dequeued more often than maxDequeueCount allows", abandon);
            return;
        }

        var details = new QueueMessageDetails(
            message.MessageId,
            message.PopReceipt,
            message.Body.ToString(),
            message.DequeueCount,
            message.InsertedOn,
            message.ExpiresOn,
            message.NextVisibleOn);
        var payload = InvocationPayloads.ForQueue(function.Name, trigger.Name, details, clock.GetUtcNow(), Guid.NewGuid());
        var messageLease = MessageLease.Start(queue, message.MessageId, message.PopReceipt, lease, realTime, function.Name, logger, abandon);
        InvocationOutcome outcome;
        try
        {
            outcome = await invoker.InvokeAsync(function.Name, payload, abandon);
            if (outcome.Succeeded)
            {
                outcome = await SendOutputsAsync(outcome, abandon);
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            await messageLease.StopAsync();
            logger.LogInformation("{Function}: message {MessageId} abandoned at shutdown; it comes back after its lease.", function.Name, message.MessageId);
            return;
        }

        var popReceipt = await messageLease.StopAsync();
        if (messageLease.Lost)
        {
            return;
        }

        try
        {
            await SettleAsync(message, popReceipt, outcome, abandon);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning("{Function}: settling message {MessageId} failed ({Error}); it comes back after its lease.", function.Name, message.MessageId, ex.Message);
        }
    }

    private async Task<InvocationOutcome> SendOutputsAsync(InvocationOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await outputs.SendAsync(outcome.Response, cancellationToken);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The host fails the invocation when an output cannot be written, so the trigger message is retried.
            return outcome with { Succeeded = false, Failure = $"sending its queue outputs failed: {ex.Message}" };
        }
    }

    private async Task SettleAsync(QueueMessage message, string popReceipt, InvocationOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
            logger.LogInformation(
                "{Function}: message {MessageId} (dequeue count {DequeueCount}) succeeded in {Duration} ms with status {Status}.",
                function.Name, message.MessageId, message.DequeueCount, (long)outcome.Duration.TotalMilliseconds, outcome.StatusCode);
            return;
        }

        logger.LogWarning(
            "{Function}: message {MessageId} (dequeue count {DequeueCount}) failed after {Duration} ms: {Reason}.",
            function.Name, message.MessageId, message.DequeueCount, (long)outcome.Duration.TotalMilliseconds, outcome.Failure);
        if (PoisonRules.AfterFailure(message.DequeueCount, settings.MaxDequeueCount) == FailureAction.MoveToPoison)
        {
            await MoveToPoisonAsync(message, popReceipt, $"it failed {message.DequeueCount} times", cancellationToken);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Copy first, then delete: a crash in between leaves a duplicate in the poison queue rather than losing the message.</summary>
    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, string reason, CancellationToken cancellationToken)
    {
        await poisonQueue.SendMessageAsync(message.Body.ToString(), cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        logger.LogError(
            "{Function}: message {MessageId} (dequeue count {DequeueCount}) moved to {PoisonQueue} because {Reason}.",
            function.Name, message.MessageId, message.DequeueCount, poisonQueue.Name, reason);
    }
}
