using Microsoft.Extensions.Options;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// This broker's own view of its session with the coordinator: held until one session timeout after the
/// last granted heartbeat was <em>sent</em>. The coordinator counts from when it <em>received</em> that
/// heartbeat, which is later, so the broker always lets go first: a leader that stops acknowledging once
/// its lease is gone can never acknowledge after the coordinator has moved its partitions, even when its
/// process was paused (SIGSTOP) and resumes (the monotonic clock counts the pause). A fenced lease is
/// never held again: the broker leaves the cluster and comes back as a new silo.
/// <para>Concurrency: thread-safe. One writer (the heartbeat loop), any number of readers (produce paths).</para>
/// </summary>
public sealed class BrokerLease(TimeProvider time, IOptions<BrokerOptions> options)
{
    private const long Fenced = long.MaxValue;

    private readonly long _sessionTicks = (long)(options.Value.SessionTimeout.TotalSeconds * time.TimestampFrequency);

    /// <summary>The timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which the lease lapses; <see cref="Fenced"/> once fenced.</summary>
    private long _expires = long.MinValue;

    /// <summary>Whether this broker may acknowledge writes now.</summary>
    public bool IsHeld
    {
        get
        {
            var expires = Volatile.Read(ref _expires);
            return expires != Fenced && time.GetTimestamp() < expires;
        }
    }

    /// <summary>Whether the coordinator (or the broker itself, after a stall) fenced this broker for good.</summary>
    public bool IsFenced => Volatile.Read(ref _expires) == Fenced;

    /// <summary>Why a write is refused when the lease is not held (for the error message).</summary>
    public string Describe() => IsFenced
        ? "this broker was fenced (its session with the coordinator lapsed) and is leaving the cluster"
        : "this broker's session with the coordinator lapsed; it acknowledges again once a heartbeat is answered";

    /// <summary>A heartbeat sent at <paramref name="sentAt"/> was granted: the lease runs one session timeout from then.</summary>
    public void Renewed(long sentAt)
    {
        var until = sentAt + _sessionTicks;
        for (var current = Volatile.Read(ref _expires); current != Fenced && until > current; current = Volatile.Read(ref _expires))
        {
            if (Interlocked.CompareExchange(ref _expires, until, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Lets go for good.</summary>
    public void Fence() => Volatile.Write(ref _expires, Fenced);
}
