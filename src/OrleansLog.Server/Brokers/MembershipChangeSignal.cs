namespace OrleansLog.Server.Brokers;

/// <summary>
/// A task that completes at the next change of the cluster's membership (a silo joined, left or died), for waits
/// that only a change can end: a leader's replication link to a broker that keeps failing waits here instead of
/// polling it (20,000 links polling a stopped broker every two seconds were 10,000 failed calls a second, each
/// logged, for as long as the broker was down). <see cref="BrokerRegistrar"/> signals it from Orleans' membership
/// updates. Thread-safe: the pending task is swapped atomically.
/// </summary>
public sealed class MembershipChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>The membership changed: completes the pending task and starts a new one.</summary>
    public void Changed() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
