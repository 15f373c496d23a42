using Azure.Storage.Queues;

namespace EduRelief.Runner;

/// <summary>Sends a handler's queue outputs, as the host does for queue output bindings declared in function.json.</summary>
internal sealed class QueueOutputSender(IReadOnlyList<(QueueOutputBinding Binding, QueueClient Queue)> outputs)
{
    public static readonly QueueOutputSender None = new([]);

    /// <summary>Outputs not declared in function.json are ignored, as the host ignores them.</summary>
    public async Task<int> SendAsync(HandlerResponse response, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var (binding, queue) in outputs)
        {
            if (!response.Outputs.TryGetValue(binding.Name, out var value))
            {
                continue;
            }

            foreach (var text in HandlerResponse.QueueMessages(value))
            {
                await queue.SendMessageAsync(text, cancellationToken);
                sent++;
            }
        }

        return sent;
    }
}
