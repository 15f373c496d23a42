using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EduRelief.Runner;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EduRelief.Tests.Runner;

public class QueueMessageProcessorTests
{
    private static readonly QueueSettings Settings = QueueSettings.Defaults with { VisibilityTimeout = TimeSpan.FromSeconds(5), MaxDequeueCount = 3 };
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly QueueTriggerBinding Trigger = new("message", "steps", "AzureWebJobsStorage");

    private readonly ConcurrentQueue<string> _journal = new();
    private readonly FakeQueue _queue;
    private readonly FakeQueue _poison;
    private readonly FakeQueue _output;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeTimeProvider _realTime = new();

    public QueueMessageProcessorTests()
    {
        _queue = new FakeQueue("steps", _journal);
        _poison = new FakeQueue("steps-poison", _journal);
        _output = new FakeQueue("next", _journal);
    }

    [Fact]
    public async Task ProcessAsync_HandlerSucceeds_InvokesWithMessageTextAndDeletes()
    {
        var invoker = FakeInvoker.Answering(true);

        await Processor(invoker).ProcessAsync(FakeQueue.Message("m1", """{"type":"activity"}""", 1), CancellationToken.None);

        var (function, payload) = Assert.Single(invoker.Calls);
        Assert.Equal("WorkflowSteps", function);
        Assert.Equal("""{"type":"activity"}""", payload["Data"]!["message"]!.GetValue<string>());
        Assert.Equal(InvocationPayloads.Iso(_clock.GetUtcNow()), payload["Metadata"]!["sys"]!["UtcNow"]!.GetValue<string>());
        Assert.Equal(["steps: delete m1 receipt-0"], _journal);
    }

    [Fact]
    public async Task ProcessAsync_LongInvocation_RenewsLeaseAndDeletesWithLatestReceipt()
    {
        var release = new TaskCompletionSource<InvocationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var invoker = new FakeInvoker((_, _, _) => release.Task);

        var processing = Processor(invoker).ProcessAsync(FakeQueue.Message("m1", "x", 1), CancellationToken.None);
        for (var renewal = 1; renewal <= 2; renewal++)
        {
            _realTime.Advance(Lease / 2);
            Assert.True(await _queue.Updated.WaitAsync(TimeSpan.FromSeconds(5)), $"renewal {renewal} did not happen");
        }

        release.SetResult(FakeInvoker.Outcome(true));
        await processing;

        Assert.Equal(
            [
                "steps: update m1 receipt-0 visibility 30s -> receipt-1",
                "steps: update m1 receipt-1 visibility 30s -> receipt-2",
                "steps: delete m1 receipt-2",
            ],
            _journal);
    }

    [Fact]
    public async Task ProcessAsync_HandlerFailsBeforeLastAttempt_ReleasesWithVisibilityTimeout()
    {
        await Processor(FakeInvoker.Answering(false)).ProcessAsync(FakeQueue.Message("m1", "x", 2), CancellationToken.None);

        Assert.Equal(["steps: update m1 receipt-0 visibility 5s -> receipt-1"], _journal);
        Assert.Empty(_poison.Sent);
    }

    [Fact]
    public async Task ProcessAsync_HandlerFailsOnLastAttempt_MovesToPoisonThenDeletes()
    {
        await Processor(FakeInvoker.Answering(false)).ProcessAsync(FakeQueue.Message("m1", "personal data", 3), CancellationToken.None);

        Assert.Equal(["steps-poison: send", "steps: delete m1 receipt-0"], _journal);
        Assert.Equal(["personal data"], _poison.Sent);
    }

    [Fact]
    public async Task ProcessAsync_DequeueCountAboveMax_MovesToPoisonWithoutInvoking()
    {
        var invoker = FakeInvoker.Answering(true);

        await Processor(invoker).ProcessAsync(FakeQueue.Message("m1", "x", 4), CancellationToken.None);

        Assert.Empty(invoker.Calls);
        Assert.Equal(["steps-poison: send", "steps: delete m1 receipt-0"], _journal);
    }

    [Fact]
    public async Task ProcessAsync_DeclaredQueueOutput_IsSentBeforeTheTriggerIsDeleted()
    {
        var outputs = new Dictionary<string, JsonNode?> { ["next"] = JsonNode.Parse("""["a", {"b":1}]"""), ["undeclared"] = "ignored" };
        var invoker = FakeInvoker.Answering(true, new HandlerResponse(outputs, [], null));

        await Processor(invoker, withOutput: true).ProcessAsync(FakeQueue.Message("m1", "x", 1), CancellationToken.None);

        Assert.Equal(["a", """{"b":1}"""], _output.Sent);
        Assert.Equal(["next: send", "next: send", "steps: delete m1 receipt-0"], _journal);
    }

    [Fact]
    public async Task ProcessAsync_AbandonedAtShutdown_LeavesMessageAlone()
    {
        using var abandon = new CancellationTokenSource();
        var invoker = new FakeInvoker(async (_, _, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return FakeInvoker.Outcome(true);
        });

        var processing = Processor(invoker).ProcessAsync(FakeQueue.Message("m1", "x", 1), abandon.Token);
        await abandon.CancelAsync();
        await processing;

        Assert.Empty(_journal);
    }

    private QueueMessageProcessor Processor(IFunctionInvoker invoker, bool withOutput = false)
    {
        var function = new FunctionDefinition("WorkflowSteps", "functions/WorkflowSteps", Trigger, []);
        var outputs = withOutput ? new QueueOutputSender([(new QueueOutputBinding("next", "next", "AzureWebJobsStorage"), _output)]) : QueueOutputSender.None;
        return new QueueMessageProcessor(function, Trigger, Settings, _queue, _poison, outputs, invoker, _clock, _realTime, Lease, NullLogger.Instance);
    }
}
