namespace EduRelief.Runner;

/// <summary>
/// Delay between empty polls: doubles from 100 ms up to host.json maxPollingInterval and drops back once messages
/// arrive, as the host's queue listener does, so an idle queue costs few storage transactions and a busy one is fast.
/// </summary>
public sealed class PollingBackoff
{
    public static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _maximum;
    private TimeSpan _next = Minimum;

    public PollingBackoff(TimeSpan maximum)
    {
        _maximum = maximum < Minimum ? Minimum : maximum;
    }

    public TimeSpan NextDelay()
    {
        var delay = _next;
        _next = _next * 2 < _maximum ? _next * 2 : _maximum;
        return delay;
    }

    public void Reset() => _next = Minimum;
}
