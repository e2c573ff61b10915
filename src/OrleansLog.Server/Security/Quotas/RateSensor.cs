namespace OrleansLog.Server.Security.Quotas;

/// <summary>
/// A rate over the last few windows, as Kafka's quota sensors measure it (<c>quota.window.num</c> windows of
/// <c>quota.window.size.seconds</c>): what was recorded in the windows still current, divided by the time they span,
/// counted as at least all but one full window so a first burst is not judged over a few milliseconds. The throttle
/// time for a quota is how long the client must pause for the rate to come back to it, as Kafka computes it.
/// <para>Concurrency: thread-safe (a lock per sensor; each record is a few additions).</para>
/// </summary>
public sealed class RateSensor(int windows, long windowMs)
{
    private readonly double[] _values = new double[windows];
    // Far in the past: an unused window counts for nothing.
    private readonly long[] _starts = Enumerable.Repeat(long.MinValue / 4, windows).ToArray();
    private readonly Lock _lock = new();
    private int _current = -1;

    /// <summary>When the sensor was last recorded to, in the caller's milliseconds.</summary>
    public long LastRecordMs { get; private set; }

    /// <summary>Records <paramref name="value"/> at <paramref name="nowMs"/>, and gives the time to throttle for <paramref name="quota"/> per second (0 when within it).</summary>
    public long RecordAndThrottle(double value, long nowMs, double quota)
    {
        lock (_lock)
        {
            LastRecordMs = nowMs;
            if (_current < 0 || nowMs - _starts[_current] >= windowMs)
            {
                _current = (_current + 1) % windows;
                _starts[_current] = nowMs;
                _values[_current] = 0;
            }

            _values[_current] += value;
            double total = 0;
            var oldest = nowMs;
            for (var i = 0; i < windows; i++)
            {
                // A window older than the whole span no longer counts.
                if (nowMs - _starts[i] < windows * windowMs)
                {
                    total += _values[i];
                    oldest = Math.Min(oldest, _starts[i]);
                }
            }

            var spanMs = (double)Math.Max(Math.Max(nowMs - oldest, (windows - 1) * windowMs), 1);
            var rate = total * 1000 / spanMs;
            if (rate <= quota)
            {
                return 0;
            }

            var throttle = (rate - quota) / quota * spanMs;
            return (long)Math.Min(throttle, windows * windowMs);
        }
    }
}
