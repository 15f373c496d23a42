namespace EduRelief.Runner;

public enum FailureAction
{
    /// <summary>Make the message visible again after host.json visibilityTimeout.</summary>
    Retry,

    /// <summary>Copy the message to the poison queue and delete it.</summary>
    MoveToPoison,
}

/// <summary>The Functions host's poison-message rules for queue triggers.</summary>
public static class PoisonRules
{
    public const string PoisonSuffix = "-poison";

    public static string PoisonQueueName(string queueName) => queueName + PoisonSuffix;

    /// <summary>
    /// A message seen more often than allowed (its last attempt's process died before it could fail cleanly) goes
    /// straight to the poison queue: invoking it again would exceed maxDequeueCount.
    /// </summary>
    public static bool ShouldMoveBeforeInvoking(long dequeueCount, int maxDequeueCount) => dequeueCount > maxDequeueCount;

    public static FailureAction AfterFailure(long dequeueCount, int maxDequeueCount) =>
        dequeueCount >= maxDequeueCount ? FailureAction.MoveToPoison : FailureAction.Retry;
}
