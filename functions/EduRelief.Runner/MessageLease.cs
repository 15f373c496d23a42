using Azure;
using Azure.Storage.Queues;

namespace EduRelief.Runner;

/// <summary>
/// Keeps a message invisible while its invocation runs by extending its visibility at half the lease. A short lease
/// that is renewed means a long invocation is not delivered twice, yet a killed process's messages return quickly.
/// Each renewal changes the pop receipt; the latest one is needed to delete or release the message.
/// </summary>
internal sealed class MessageLease
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _realTime;
    private readonly ILogger _logger;
    private readonly string _functionName;
    private readonly CancellationTokenSource _stop = new();
    private string _popReceipt;
    private Task _loop = Task.CompletedTask;

    private MessageLease(QueueClient queue, string messageId, string popReceipt, TimeSpan lease, TimeProvider realTime, string functionName, ILogger logger)
    {
        _queue = queue;
        _messageId = messageId;
        _popReceipt = popReceipt;
        _lease = lease;
        _realTime = realTime;
        _functionName = functionName;
        _logger = logger;
    }

    /// <summary>True when a renewal was refused: the message was deleted or its visibility lapsed and someone else holds it.</summary>
    public bool Lost { get; private set; }

    /// <param name="abandon">Cancels a renewal in flight; only on shutdown, when the message may simply come back.</param>
    public static MessageLease Start(QueueClient queue, string messageId, string popReceipt, TimeSpan lease, TimeProvider realTime, string functionName, ILogger logger, CancellationToken abandon)
    {
        var messageLease = new MessageLease(queue, messageId, popReceipt, lease, realTime, functionName, logger);
        messageLease._loop = messageLease.RenewAsync(abandon);
        return messageLease;
    }

    /// <summary>Stops renewing and gives the latest pop receipt. A renewal already sent is awaited, never cut off, or its new receipt would be lost.</summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        return _popReceipt;
    }

    private async Task RenewAsync(CancellationToken abandon)
    {
        var delay = _lease / 2;
        while (true)
        {
            try
            {
                await Task.Delay(delay, _realTime, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var receipt = await _queue.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: _lease, cancellationToken: abandon);
                _popReceipt = receipt.Value.PopReceipt;
                delay = _lease / 2;
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 404)
            {
                Lost = true;
                _logger.LogWarning("{Function}: message {MessageId} lost its lease ({Status} {ErrorCode}); it may be delivered again.", _functionName, _messageId, ex.Status, ex.ErrorCode);
                return;
            }
            catch (Exception ex)
            {
                // Transient: the lease still has half its time left, so try again soon rather than give up.
                _logger.LogWarning("{Function}: renewing the lease of message {MessageId} failed ({Error}); retrying.", _functionName, _messageId, ex.Message);
                delay = RetryDelay;
            }
        }
    }
}
