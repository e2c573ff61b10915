namespace OrleansLog.Storage.Compaction;

/// <summary>
/// Limits the cleaner's disk I/O (bytes read plus bytes written, over every cleaner thread) to a rate, as Kafka's
/// <c>log.cleaner.io.max.bytes.per.second</c> does, so compaction cannot starve producers of the disk. A virtual
/// schedule: each request moves the time the disk is next free by its bytes at the rate, and a caller ahead of that
/// time by more than a short burst waits the difference.
/// <para>Thread-safe.</para>
/// </summary>
public sealed class CleanerThrottle
{
    private static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly double _bytesPerSecond;
    private readonly TimeProvider _time;
    private TimeSpan _nextFree;

    /// <summary>A throttle at <paramref name="bytesPerSecond"/>; <see cref="double.PositiveInfinity"/> for none.</summary>
    public CleanerThrottle(double bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        _bytesPerSecond = bytesPerSecond;
        _time = time;
    }

    public static CleanerThrottle Unlimited { get; } = new(double.PositiveInfinity, TimeProvider.System);

    /// <summary>Waits until <paramref name="bytes"/> more of I/O fit the rate.</summary>
    public Task WaitAsync(long bytes, CancellationToken cancellationToken)
    {
        if (double.IsPositiveInfinity(_bytesPerSecond) || bytes <= 0)
        {
            return Task.CompletedTask;
        }

        TimeSpan delay;
        lock (_lock)
        {
            var now = _time.GetElapsedTime(0);
            _nextFree = (_nextFree > now ? _nextFree : now) + TimeSpan.FromSeconds(bytes / _bytesPerSecond);
            delay = _nextFree - now - Burst;
        }

        return delay > TimeSpan.Zero ? Task.Delay(delay, _time, cancellationToken) : Task.CompletedTask;
    }
}
