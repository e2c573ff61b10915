namespace OrleansLog.Kafka.Connections;

/// <summary>
/// Until when a connection reads no further request because its client went over a quota: Kafka mutes a throttled
/// client's connection for the throttle time. Set as soon as the throttle is known (a produce's before it is handled,
/// from its size), so requests the client pipelined behind it wait too.
/// <para>Concurrency: thread-safe; handlers extend it, the connection's read loop waits on it.</para>
/// </summary>
internal sealed class ConnectionThrottle(TimeProvider time)
{
    private long _until;

    /// <summary>Mutes the connection for <paramref name="milliseconds"/> from now, unless it is muted longer already.</summary>
    public void Extend(long milliseconds)
    {
        if (milliseconds <= 0)
        {
            return;
        }

        var until = time.GetTimestamp() + (long)(milliseconds * (time.TimestampFrequency / 1000.0));
        long current;
        do
        {
            current = Interlocked.Read(ref _until);
        }
        while (until > current && Interlocked.CompareExchange(ref _until, until, current) != current);
    }

    /// <summary>Waits until the connection is no longer muted.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var until = Interlocked.Read(ref _until);
        var now = time.GetTimestamp();
        if (until > now)
        {
            await Task.Delay(time.GetElapsedTime(now, until), time, cancellationToken);
        }
    }
}
