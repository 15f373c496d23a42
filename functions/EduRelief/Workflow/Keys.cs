using System.Security.Cryptography;
using System.Text;

namespace EduRelief.Workflow;

/// <summary>Row keys of the workflow table. One partition per instance; the row kind is the key's prefix.</summary>
internal static class Keys
{
    public const string State = "state";
    public const string HistoryPrefix = "h|";
    public const string EventPrefix = "e|";
    public const string OutboxPrefix = "o|";
    public const string FanOutPrefix = "f|";
    public const string DonePrefix = "d|";
    public const string TimerPrefix = "t|";
    public const string RunningPrefix = "r|";

    public static string History(long sequence) => $"{HistoryPrefix}{sequence:D10}";

    public static string Event(string eventId) => EventPrefix + Safe(eventId);

    public static string Outbox(string messageId) => OutboxPrefix + Safe(messageId);

    public static string FanOut(string fanOutId) => FanOutPrefix + fanOutId;

    public static string Done(string fanOutId, int shard) => $"{DonePrefix}{fanOutId}|{shard:D6}";

    public static string Timer(string timerId) => TimerPrefix + timerId;

    /// <summary>The run of an activity step some copy holds (<see cref="StepRuns"/>).</summary>
    public static string Running(string stepId) => RunningPrefix + Safe(stepId);

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>.</summary>
    public static string End(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <summary>
    /// Caller-supplied ids may hold characters a row key forbids (/ \ # ? and controls) or be long; such an id is
    /// replaced by its SHA-256, which keeps it unique and deterministic.
    /// </summary>
    public static string Safe(string value)
    {
        var ok = value.Length is > 0 and <= 200 && value.All(c => c is not ('/' or '\\' or '#' or '?') && !char.IsControl(c));
        return ok ? value : "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    public static bool IsValidInstanceId(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
