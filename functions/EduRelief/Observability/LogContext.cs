using System.Collections;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EduRelief.Observability;

/// <summary>
/// The logging scope of one request or invocation: a correlation id always, the cycle when the route names one, and for
/// a step-queue invocation the instance, step, activity kind and dequeue count. One mutable scope per request, so a
/// handler that learns more (a queue invocation once its message is parsed) adds it to every later line instead of
/// nesting a second scope. Only identifiers are held here: never ID numbers, phone numbers or names.
/// </summary>
public sealed partial class LogContext : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string CorrelationHeader = "X-Correlation-Id";

    private static readonly AsyncLocal<LogContext?> CurrentContext = new();

    public LogContext(string correlationId) => CorrelationId = correlationId;

    /// <summary>The scope of the request or invocation running on this async flow, if any.</summary>
    public static LogContext? Current => CurrentContext.Value;

    /// <summary>The request's, or for a step the one its message carries from the request that caused it.</summary>
    public string CorrelationId { get; set; }

    public string? CycleId { get; set; }

    /// <summary>The request's route template (<c>/api/cycles/{id}/history</c>), never its raw path.</summary>
    public string? Route { get; set; }

    public string? InstanceId { get; set; }

    public string? StepId { get; set; }

    public string? StepKind { get; set; }

    public int? DequeueCount { get; set; }

    public int Count => Pairs().Count();

    public KeyValuePair<string, object?> this[int index] => Pairs().ElementAt(index);

    /// <summary>
    /// The caller's correlation id (<c>X-Correlation-Id</c>, else the trace id of <c>traceparent</c>), else the current
    /// activity's trace id, else a new one; and the cycle of <c>/api/cycles/{id}/…</c>.
    /// </summary>
    public static LogContext ForRequest(HttpRequest request, Activity? activity)
    {
        var correlation = Clean(request.Headers[CorrelationHeader].ToString())
            ?? TraceId(request.Headers["traceparent"].ToString())
            ?? (activity is not null && activity.TraceId != default ? activity.TraceId.ToHexString() : null)
            ?? ActivityTraceId.CreateRandom().ToHexString();
        return new LogContext(correlation) { CycleId = CycleOf(request.Path) };
    }

    /// <summary>Makes this the scope of the current async flow (what <see cref="Current"/> answers).</summary>
    public void MakeCurrent() => CurrentContext.Value = this;

    /// <summary>The id in <c>/api/cycles/{id}</c> and below, if it looks like an identifier.</summary>
    public static string? CycleOf(PathString path)
    {
        var value = path.Value ?? "";
        const string prefix = "/api/cycles/";
        if (!value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = value[prefix.Length..];
        var end = rest.IndexOf('/', StringComparison.Ordinal);
        return Clean(Uri.UnescapeDataString(end < 0 ? rest : rest[..end]));
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Pairs().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The JSON console formatter writes this as the scope's <c>Message</c>.</summary>
    public override string ToString() => string.Join(' ', Pairs().Select(p => $"{p.Key}:{p.Value}"));

    private IEnumerable<KeyValuePair<string, object?>> Pairs()
    {
        yield return new("CorrelationId", CorrelationId);
        if (Route is not null)
        {
            yield return new("Route", Route);
        }
        if (CycleId is not null)
        {
            yield return new("CycleId", CycleId);
        }

        if (InstanceId is not null)
        {
            yield return new("InstanceId", InstanceId);
        }

        if (StepId is not null)
        {
            yield return new("StepId", StepId);
        }

        if (StepKind is not null)
        {
            yield return new("StepKind", StepKind);
        }

        if (DequeueCount is not null)
        {
            yield return new("DequeueCount", DequeueCount);
        }
    }

    /// <summary>A caller-supplied value is logged only when it is a short plain token.
    /// A run of 11 or more digits (a phone or ID number pasted by mistake) is never one.</summary>
    public static string? Clean(string? value) =>
        value is { Length: > 0 and <= 64 } && SafeToken().IsMatch(value) && !LongDigits().IsMatch(value) ? value : null;

    private static string? TraceId(string traceparent)
    {
        var parts = traceparent.Split('-');
        return parts.Length >= 4 && parts[1].Length == 32 && ActivityTraceIdHex().IsMatch(parts[1]) && parts[1] != new string('0', 32) ? parts[1] : null;
    }

    [GeneratedRegex("^[A-Za-z0-9._:|#-]+$")]
    private static partial Regex SafeToken();

    [GeneratedRegex("[0-9]{11}")]
    private static partial Regex LongDigits();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex ActivityTraceIdHex();
}
