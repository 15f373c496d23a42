using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class RunnerSignalsTests
{
    [Fact]
    public void QueueWritten_TakenBeforeTheWrite_CompletesThatQueuesWait()
    {
        var signals = new RunnerSignals();
        var steps = signals.NextQueueWrite("steps");
        var other = signals.NextQueueWrite("other");

        signals.QueueWritten("STEPS");

        Assert.True(steps.IsCompleted);
        Assert.False(other.IsCompleted);
    }

    [Fact]
    public void QueueWritten_AfterFiring_NextWaitIsFresh()
    {
        var signals = new RunnerSignals();
        signals.QueueWritten("steps");

        Assert.False(signals.NextQueueWrite("steps").IsCompleted);
    }

    [Fact]
    public void ClockChanged_WakesEveryTimerWaiting()
    {
        var signals = new RunnerSignals();
        var first = signals.NextClockChange;
        var second = signals.NextClockChange;

        signals.ClockChanged();

        Assert.True(first.IsCompleted);
        Assert.True(second.IsCompleted);
        Assert.False(signals.NextClockChange.IsCompleted);
    }
}
