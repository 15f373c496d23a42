using System.Collections.Concurrent;
using EduRelief.Runner;
using Microsoft.Extensions.Logging.Abstractions;
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

        var gates = new ConcurrentQueue<TaskCompletionSource<InvocationOutcome>>();
        var started = new SemaphoreSlim(0);
        var invoker = new FakeInvoker((_, _, _) =>
        {
            var gate = new TaskCompletionSource<InvocationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            gates.Enqueue(gate);
            started.Release();
            return gate.Task;
        });
        using var stop = new CancellationTokenSource();
        var running = Listener(settings, queue, invoker, new RunnerSignals()).RunAsync(stop.Token, CancellationToken.None);

        await WaitForStarts(started, 4);
        await Task.Delay(200);
        Assert.Equal(4, invoker.Calls.Count);

        // One finishes: 3 in flight is still above the threshold of 2, so nothing more is fetched.
        Complete(gates);
        await Task.Delay(200);
        Assert.Equal(4, invoker.Calls.Count);

        // Another finishes: 2 in flight, so a new batch of 4 brings it to batchSize + newBatchThreshold.
        Complete(gates);
        await WaitForStarts(started, 4);
        await Task.Delay(200);
        Assert.Equal(8, invoker.Calls.Count);
        Assert.Equal([4, 4], queue.ReceiveRequests.Take(2));

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
        var running = Listener(settings, queue, invoker, signals).RunAsync(stop.Token, CancellationToken.None);

        // Let the empty queue push the backoff well past a second.
        await Task.Delay(TimeSpan.FromSeconds(2));
        queue.Enqueue(FakeQueue.Message("m1", "x", 1));
        signals.QueueWritten("steps");

        Assert.True(await invoked.WaitAsync(TimeSpan.FromMilliseconds(500)), "the signal did not wake the poller");
        await stop.CancelAsync();
        await running;
    }

    private static QueueListener Listener(QueueSettings settings, FakeQueue queue, FakeInvoker invoker, RunnerSignals signals)
    {
        var processor = new QueueMessageProcessor(
            Function, Trigger, settings, queue, new FakeQueue("steps-poison"), QueueOutputSender.None, invoker,
            TimeProvider.System, TimeProvider.System, TimeSpan.FromSeconds(30), NullLogger.Instance);
        return new QueueListener(Function, Trigger, settings, queue, processor, signals, TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance);
    }

    private static async Task WaitForStarts(SemaphoreSlim started, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(5)), $"only {i} of {count} invocations started");
        }
    }

    private static void Complete(ConcurrentQueue<TaskCompletionSource<InvocationOutcome>> gates)
    {
        Assert.True(gates.TryDequeue(out var gate));
        gate.SetResult(FakeInvoker.Outcome(true));
    }
}
