using System.Collections.Concurrent;
using EduRelief.Runner;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EduRelief.Tests.Runner;

public class QueueListenerTests
{
    private static readonly QueueTriggerBinding Trigger = new("message", "steps", "AzureWebJobsStorage");
    private static readonly FunctionDefinition Function = new("WorkflowSteps", "functions/WorkflowSteps", Trigger, []);

    [Fact]
    public async Task RunAsync_SlowInvocations_FetchesAgainOnlyWhenInFlightDropsToThreshold()
    {
        var settings = QueueSettings.Defaults with { BatchSize = 4, NewBatchThreshold = 2, MaxPollingInterval = TimeSpan.FromMilliseconds(200) };
        var queue = new FakeQueue("steps");
        for (var i = 0; i < 20; i++)
        {
            queue.Enqueue(FakeQueue.Message($"m{i}", "x", 1));
        }

        // Invocations started and not yet let go by the test. The listener counts one as in flight until its message
        // is settled, a little after the test lets it go, so at any receive the listener's count is at least this.
        var unfinished = 0;
        var unfinishedAtEachReceive = new ConcurrentQueue<int>();
        queue.Receiving = _ => unfinishedAtEachReceive.Enqueue(Volatile.Read(ref unfinished));
        var gates = new ConcurrentQueue<TaskCompletionSource<InvocationOutcome>>();
        var started = new SemaphoreSlim(0);
        var invoker = new FakeInvoker((_, _, _) =>
        {
            var gate = new TaskCompletionSource<InvocationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            gates.Enqueue(gate);
            Interlocked.Increment(ref unfinished);
            started.Release();
            return gate.Task;
        });
        void Complete()
        {
            Assert.True(gates.TryDequeue(out var gate));
            Interlocked.Decrement(ref unfinished);
            gate.SetResult(FakeInvoker.Outcome(true));
        }

        using var stop = new CancellationTokenSource();
        var running = Listener(settings, queue, invoker, new RunnerSignals(), new FakeTimeProvider()).RunAsync(stop.Token, CancellationToken.None);
        await WaitForStarts(started, 4);

        // One finishes: 3 in flight is still above the threshold of 2. Another: 2 in flight, so a new batch of 4
        // brings it to batchSize + newBatchThreshold.
        Complete();
        Complete();
        await WaitForStarts(started, 4);

        // 6 in flight: four must finish before the next fetch. The listener is one loop, so any fetch it made too
        // early happened before the third batch started and is in the record.
        for (var i = 0; i < 4; i++)
        {
            Complete();
        }

        await WaitForStarts(started, 4);
        Assert.Equal([0, 2, 2], unfinishedAtEachReceive);
        Assert.Equal([4, 4, 4], queue.ReceiveRequests);
        Assert.Equal(12, invoker.Calls.Count);

        await stop.CancelAsync();
        while (gates.TryDequeue(out var gate))
        {
            gate.TrySetResult(FakeInvoker.Outcome(true));
        }

        await running;
    }

    [Fact]
    public async Task RunAsync_QueueWrittenSignal_PollsWithoutWaitingOutTheBackoff()
    {
        var settings = QueueSettings.Defaults with { MaxPollingInterval = TimeSpan.FromMinutes(1) };
        var queue = new FakeQueue("steps");
        var signals = new RunnerSignals();
        var invoked = new SemaphoreSlim(0);
        var invoker = new FakeInvoker((_, _, _) =>
        {
            invoked.Release();
            return Task.FromResult(FakeInvoker.Outcome(true));
        });
        using var stop = new CancellationTokenSource();

        // The backoff runs on a clock that never moves: after the first empty poll only the signal can wake the poller.
        var running = Listener(settings, queue, invoker, signals, new FakeTimeProvider()).RunAsync(stop.Token, CancellationToken.None);
        Assert.True(await queue.Received.WaitAsync(TimeSpan.FromSeconds(5)), "the listener did not poll");
        queue.Enqueue(FakeQueue.Message("m1", "x", 1));
        signals.QueueWritten("steps");

        Assert.True(await invoked.WaitAsync(TimeSpan.FromSeconds(5)), "the signal did not wake the poller");
        await stop.CancelAsync();
        await running;
    }

    private static QueueListener Listener(QueueSettings settings, FakeQueue queue, FakeInvoker invoker, RunnerSignals signals, TimeProvider realTime)
    {
        var processor = new QueueMessageProcessor(
            Function, Trigger, settings, queue, new FakeQueue("steps-poison"), QueueOutputSender.None, invoker,
            TimeProvider.System, TimeProvider.System, TimeSpan.FromSeconds(30), NullLogger.Instance);
        return new QueueListener(Function, Trigger, settings, queue, processor, signals, TimeSpan.FromSeconds(30), realTime, NullLogger.Instance);
    }

    private static async Task WaitForStarts(SemaphoreSlim started, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(5)), $"only {i} of {count} invocations started");
        }
    }
}
