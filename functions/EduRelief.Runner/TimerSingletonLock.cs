using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace EduRelief.Runner;

/// <summary>
/// Lets only one runner instance fire a given timer, as the host's singleton lock does: a 60 s blob lease on
/// <c>locks/{FunctionName}</c>, kept while this instance lives. Lease times are the storage service's real time,
/// so all bookkeeping here uses the real clock, never the app's (possibly jumping) development clock.
/// </summary>
/// <remarks>
/// A process killed outright (a debugger stop, a crash) cannot release its lease, and waiting out a minute after every
/// restart makes timers look broken. So the holder records who it is, and an instance that finds the lock held by a
/// process on this machine that no longer runs takes it over at once. Holders on other machines are only ever waited out.
/// </remarks>
internal sealed class TimerSingletonLock(BlobClient lockBlob, string leaseId, TimeProvider realTime, ILogger logger)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewAfter = TimeSpan.FromSeconds(20);

    /// <summary>After losing to a live holder, wait before asking again rather than hammer storage on every check.</summary>
    private static readonly TimeSpan RetryAcquireAfter = TimeSpan.FromSeconds(5);

    private static readonly Lazy<HolderIdentity> Self = new(HolderIdentity.OfCurrentProcess);

    private readonly BlobLeaseClient _lease = lockBlob.GetBlobLeaseClient(leaseId);
    private bool _held;
    private long _renewedAt;
    private long _nextAttemptAt;

    /// <summary>
    /// Holds the lock if possible. Anything but <see cref="TimerLockState.Held"/> means another instance may have fired
    /// meanwhile, so the caller re-reads the status; <see cref="TimerLockState.NotTried"/> (still backing off) means nothing new is known.
    /// </summary>
    public async Task<TimerLockState> TryHoldAsync(CancellationToken cancellationToken)
    {
        await RenewIfDueAsync(cancellationToken);
        if (_held)
        {
            return TimerLockState.Held;
        }

        if (realTime.GetTimestamp() < _nextAttemptAt)
        {
            return TimerLockState.NotTried;
        }

        if (!await TryAcquireAsync(cancellationToken))
        {
            _nextAttemptAt = realTime.GetTimestamp() + (long)(RetryAcquireAfter.TotalSeconds * realTime.TimestampFrequency);
            return TimerLockState.HeldElsewhere;
        }

        _held = true;
        _renewedAt = realTime.GetTimestamp();
        return TimerLockState.NewlyAcquired;
    }

    /// <summary>Called on every check, so the lease never lapses between firings.</summary>
    public async Task RenewIfDueAsync(CancellationToken cancellationToken)
    {
        if (!_held || realTime.GetElapsedTime(_renewedAt) < RenewAfter)
        {
            return;
        }

        try
        {
            await _lease.RenewAsync(cancellationToken: cancellationToken);
            _renewedAt = realTime.GetTimestamp();
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            _held = false;
            logger.LogWarning("Lost the timer lock {Lock} ({ErrorCode}); another instance may fire it.", lockBlob.Name, ex.ErrorCode);
        }
    }

    /// <summary>Lets another instance take over at once instead of waiting out the lease.</summary>
    public async Task ReleaseAsync()
    {
        if (!_held)
        {
            return;
        }

        _held = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _lease.ReleaseAsync(cancellationToken: timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogDebug("Releasing the timer lock {Lock} failed: {Error}", lockBlob.Name, ex.Message);
        }
    }

    private async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            await AcquireAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            if (!await TryTakeOverFromDeadHolderAsync(cancellationToken))
            {
                return false;
            }
        }

        return await ClaimAsync(cancellationToken);
    }

    private async Task AcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            try
            {
                await lockBlob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
            }
            catch (RequestFailedException exists) when (exists.Status is 409 or 412)
            {
                // Another instance created it first.
            }

            await _lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Records this process as the holder. Writing under the lease doubles as a check that the lease is still ours: if
    /// another instance broke it in between, the write fails and this instance does not fire.
    /// </summary>
    private async Task<bool> ClaimAsync(CancellationToken cancellationToken)
    {
        try
        {
            await lockBlob.SetMetadataAsync(Self.Value.ToMetadata(), new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private async Task<bool> TryTakeOverFromDeadHolderAsync(CancellationToken cancellationToken)
    {
        var properties = (await lockBlob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        var holder = HolderIdentity.FromMetadata(properties.Metadata);
        if (holder is null || !holder.IsDeadProcessOnThisMachine())
        {
            return false;
        }

        try
        {
            // Conditional on the ETag read with the holder: a new holder's claim changes it, so a second restarted
            // instance that read the same dead holder cannot break the lease the first one just took.
            await _lease.BreakAsync(TimeSpan.Zero, new RequestConditions { IfMatch = properties.ETag }, cancellationToken);
            await _lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }

        logger.LogInformation("Took over the timer lock {Lock} from process {Process}, which no longer runs.", lockBlob.Name, holder.ProcessId);
        return true;
    }
}

internal enum TimerLockState
{
    Held,
    NewlyAcquired,
    HeldElsewhere,
    NotTried,
}

/// <summary>Who holds a timer lock: enough to tell, on the same machine, whether that process still runs.</summary>
internal sealed record HolderIdentity(string Machine, int ProcessId, long StartedTicks)
{
    private const string MachineKey = "holdermachine";
    private const string ProcessKey = "holderprocess";
    private const string StartedKey = "holderstarted";

    /// <summary>Start times are derived from boot time, which each process computes with some jitter.</summary>
    private static readonly long StartTolerance = TimeSpan.FromSeconds(2).Ticks;

    public static HolderIdentity OfCurrentProcess()
    {
        using var process = Process.GetCurrentProcess();
        return new HolderIdentity(Environment.MachineName, process.Id, StartTicks(process));
    }

    public static HolderIdentity? FromMetadata(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(MachineKey, out var machine)
        && metadata.TryGetValue(ProcessKey, out var pid) && int.TryParse(pid, CultureInfo.InvariantCulture, out var processId)
        && metadata.TryGetValue(StartedKey, out var started) && long.TryParse(started, CultureInfo.InvariantCulture, out var startedTicks)
            ? new HolderIdentity(machine, processId, startedTicks)
            : null;

    public Dictionary<string, string> ToMetadata() => new()
    {
        [MachineKey] = Machine,
        [ProcessKey] = ProcessId.ToString(CultureInfo.InvariantCulture),
        [StartedKey] = StartedTicks.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// True only when certain: same machine, and no process with that id, or one started at another time (the id was
    /// reused). Anything unclear counts as alive, so a live holder is never robbed.
    /// </summary>
    public bool IsDeadProcessOnThisMachine()
    {
        if (!string.Equals(Machine, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(ProcessId);
            if (process.HasExited)
            {
                return true;
            }

            var ticks = StartTicks(process);
            return ticks != 0 && StartedTicks != 0 && Math.Abs(ticks - StartedTicks) > StartTolerance;
        }
        catch (ArgumentException)
        {
            // No process has that id.
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static long StartTicks(Process process)
    {
        try
        {
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return 0;
        }
    }
}
