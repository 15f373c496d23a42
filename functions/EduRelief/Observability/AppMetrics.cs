using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EduRelief.Observability;

/// <summary>
/// The app's own instruments on the meter <c>EduRelief</c>: what the workflow and the mail outbox did. Tags are
/// low-cardinality (activity kind, outcome), never a cycle, a person or an address.
/// </summary>
public sealed class AppMetrics
{
    public const string MeterName = "EduRelief";

    private readonly Counter<long> _stepsRun;
    private readonly Counter<long> _stepsRetried;
    private readonly Counter<long> _stepsDeadLettered;
    private readonly Counter<long> _mailSent;
    private readonly Counter<long> _mailFailed;

    public AppMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _stepsRun = Meter.CreateCounter<long>("steps.run", "{step}", "Activity and shard runs, tagged by kind and outcome (succeeded, failed).");
        _stepsRetried = Meter.CreateCounter<long>("steps.retried", "{step}", "Failed activity runs sent again with the kind's backoff.");
        _stepsDeadLettered = Meter.CreateCounter<long>("steps.deadlettered", "{step}", "Steps put in the deadletters table (last attempt failed, unknown kind, or poisoned).");
        _mailSent = Meter.CreateCounter<long>("mail.sent", "{email}", "Emails SendGrid accepted.");
        _mailFailed = Meter.CreateCounter<long>("mail.failed", "{email}", "Send attempts that failed (tag final: true when the email was given up on).");
    }

    public Meter Meter { get; }

    public void StepRun(string? kind, bool succeeded) =>
        _stepsRun.Add(1, new TagList { { "kind", kind ?? "unknown" }, { "outcome", succeeded ? "succeeded" : "failed" } });

    public void StepRetried(string? kind) => _stepsRetried.Add(1, new KeyValuePair<string, object?>("kind", kind ?? "unknown"));

    public void StepDeadLettered(string? kind) => _stepsDeadLettered.Add(1, new KeyValuePair<string, object?>("kind", kind ?? "unknown"));

    public void MailSent() => _mailSent.Add(1);

    public void MailFailed(bool final) => _mailFailed.Add(1, new KeyValuePair<string, object?>("final", final));
}
