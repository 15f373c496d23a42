using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EduRelief.Runner;

namespace EduRelief.Tests.Runner;

/// <summary>An in-memory queue that records what the runner does to it, in order, into a shared journal.</summary>
internal sealed class FakeQueue(string name, ConcurrentQueue<string> journal) : QueueClient
{
    private readonly ConcurrentQueue<QueueMessage> _pending = new();
    private int _receipts;

    public FakeQueue(string name)
        : this(name, new ConcurrentQueue<string>())
    {
    }

    public override string Name => name;

    public ConcurrentQueue<string> Journal => journal;

    public ConcurrentQueue<string> Sent { get; } = new();

    public ConcurrentQueue<int?> ReceiveRequests { get; } = new();

    /// <summary>Called as each receive starts, before any message is taken: a test notes what it sees at that moment.</summary>
    public Action<int?>? Receiving { get; set; }

    /// <summary>Released as each receive returns its batch, so a test can wait for a poll to have finished.</summary>
    public SemaphoreSlim Received { get; } = new(0);

    /// <summary>Completes at each visibility update, so a test can wait for a lease renewal.</summary>
    public SemaphoreSlim Updated { get; } = new(0);

    public void Enqueue(QueueMessage message) => _pending.Enqueue(message);

    public override Task<Response<QueueMessage[]>> ReceiveMessagesAsync(int? maxMessages, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        Receiving?.Invoke(maxMessages);
        ReceiveRequests.Enqueue(maxMessages);
        var batch = new List<QueueMessage>();
        while (batch.Count < (maxMessages ?? 1) && _pending.TryDequeue(out var message))
        {
            batch.Add(message);
        }

        Received.Release();
        return Task.FromResult(Response.FromValue(batch.ToArray(), new StubResponse()));
    }

    public override Task<Response<UpdateReceipt>> UpdateMessageAsync(string messageId, string popReceipt, string? messageText = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default)
    {
        var next = $"receipt-{Interlocked.Increment(ref _receipts)}";
        journal.Enqueue($"{name}: update {messageId} {popReceipt} visibility {visibilityTimeout.TotalSeconds}s -> {next}");
        Updated.Release();
        return Task.FromResult(Response.FromValue(QueuesModelFactory.UpdateReceipt(next, DateTimeOffset.UtcNow + visibilityTimeout), new StubResponse()));
    }

    public override Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        journal.Enqueue($"{name}: delete {messageId} {popReceipt}");
        return Task.FromResult<Response>(new StubResponse());
    }

    public override Task<Response<SendReceipt>> SendMessageAsync(string messageText, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(messageText);
        journal.Enqueue($"{name}: send");
        return Task.FromResult(Response.FromValue(
            QueuesModelFactory.SendReceipt("sent", DateTimeOffset.UtcNow, DateTimeOffset.MaxValue, "r", DateTimeOffset.UtcNow), new StubResponse()));
    }

    public static QueueMessage Message(string id, string text, long dequeueCount) =>
        QueuesModelFactory.QueueMessage(id, "receipt-0", BinaryData.FromString(text), dequeueCount, DateTimeOffset.UtcNow.AddSeconds(30), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7));
}

/// <summary>An invoker whose answer each test decides; records every payload.</summary>
internal sealed class FakeInvoker(Func<string, JsonObject, CancellationToken, Task<InvocationOutcome>> answer) : IFunctionInvoker
{
    public ConcurrentQueue<(string Function, JsonObject Payload)> Calls { get; } = new();

    public static FakeInvoker Answering(bool succeeded, HandlerResponse? response = null) =>
        new((_, _, _) => Task.FromResult(Outcome(succeeded, response)));

    public static InvocationOutcome Outcome(bool succeeded, HandlerResponse? response = null) =>
        new(succeeded, succeeded ? 200 : 500, response ?? HandlerResponse.Empty, succeeded ? null : "the handler answered 500", TimeSpan.FromMilliseconds(3));

    public Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken)
    {
        Calls.Enqueue((functionName, payload));
        return answer(functionName, payload, cancellationToken);
    }
}

internal sealed class StubResponse : Response
{
    public override int Status => 200;

    public override string ReasonPhrase => "OK";

    public override Stream? ContentStream { get; set; }

    public override string ClientRequestId { get; set; } = "";

    public override void Dispose()
    {
    }

    protected override bool ContainsHeader(string name) => false;

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return false;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = null;
        return false;
    }
}
