namespace EduRelief.Runner;

/// <summary>Counts running invocations so a poller knows when to fetch more, and lets shutdown wait for them.</summary>
internal sealed class InFlight(ILogger logger, string owner)
{
    private readonly Pulse _completed = new();
    private readonly List<Task> _tasks = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Completes when any invocation finishes. Take it before reading <see cref="Count"/> so a completion is not missed.</summary>
    public Task NextCompletion => _completed.Next;

    public void Start(Func<Task> work)
    {
        Interlocked.Increment(ref _count);
        var task = RunAsync(work);
        lock (_tasks)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    public Task WhenAll()
    {
        lock (_tasks)
        {
            return Task.WhenAll(_tasks);
        }
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await Task.Yield();
            await work();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Owner}: an invocation failed unexpectedly.", owner);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
            _completed.Fire();
        }
    }
}
