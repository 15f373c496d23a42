namespace EduRelief.Hosting;

/// <summary>
/// What the app tells whatever delivers its triggers: a queue message to pick up now, a development clock that jumped.
/// Only the local trigger runner listens (it registers itself where it runs); in Azure the Functions host polls and no
/// one is told. A signal is a hint, never needed for correctness.
/// </summary>
public interface ITriggerSignals
{
    void QueueWritten(string queueName);

    void ClockChanged();
}
