namespace EduRelief.Cycles;

/// <summary>
/// Awaited by <see cref="CycleCloser"/> between a close's fenced check and its commit. The app registers none; the test
/// host (tests/EduRelief.TestHost, ClosePause) registers one that holds a close there, so a test can send something new
/// into exactly that gap.
/// </summary>
public interface IClosePause
{
    Task BeforeCommitAsync(string cycleId, CancellationToken cancellationToken);
}
