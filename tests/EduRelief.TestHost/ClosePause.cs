using EduRelief.Auth;
using EduRelief.Cycles;

namespace EduRelief.TestHost;

/// <summary>
/// The test host's <see cref="IClosePause"/>: holds a close of an armed cycle between its fenced check and its commit,
/// so a test can send something new into exactly that gap.
/// </summary>
public sealed class ClosePause : IClosePause
{
    private readonly Dictionary<string, (TaskCompletionSource Reached, TaskCompletionSource Release)> _armed = new(StringComparer.Ordinal);

    public void Arm(string cycleId)
    {
        lock (_armed)
        {
            _armed[cycleId] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    public bool Waiting(string cycleId)
    {
        lock (_armed)
        {
            return _armed.TryGetValue(cycleId, out var p) && p.Reached.Task.IsCompleted && !p.Release.Task.IsCompleted;
        }
    }

    public bool Release(string cycleId)
    {
        lock (_armed)
        {
            return _armed.Remove(cycleId, out var p) && p.Release.TrySetResult();
        }
    }

    /// <summary>Waits, when <paramref name="cycleId"/> is armed, until the test releases it (at most a minute).</summary>
    public async Task BeforeCommitAsync(string cycleId, CancellationToken cancellationToken)
    {
        (TaskCompletionSource Reached, TaskCompletionSource Release) pause;
        lock (_armed)
        {
            if (!_armed.TryGetValue(cycleId, out pause))
            {
                return;
            }
        }

        pause.Reached.TrySetResult();
        await pause.Release.Task.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dev/close-pause/{cycleId}").RequireAuthorization(Policies.Admin);
        group.MapPost("", (string cycleId, ClosePause pause) =>
        {
            pause.Arm(cycleId);
            return TypedResults.NoContent();
        });
        group.MapGet("", (string cycleId, ClosePause pause) => TypedResults.Ok(new { waiting = pause.Waiting(cycleId) }));
        group.MapPost("/release", (string cycleId, ClosePause pause) => TypedResults.Ok(new { released = pause.Release(cycleId) }));
    }
}
