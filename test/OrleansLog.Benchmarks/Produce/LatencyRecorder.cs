using System.Diagnostics;

namespace OrleansLog.Benchmarks.Produce;

/// <summary>Collects request latencies (one long per request, preallocated) and reports percentiles.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;

    /// <summary>Records one latency; beyond the capacity samples are dropped (and not counted), never overrun.</summary>
    public void Record(long startTimestamp)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _ticks.Length)
        {
            _ticks[index] = Stopwatch.GetTimestamp() - startTimestamp;
        }
    }

    public double PercentileMs(double percentile)
    {
        var sorted = _ticks.AsSpan(0, Math.Min(_count, _ticks.Length)).ToArray();
        Array.Sort(sorted);
        var index = Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted.Length == 0 ? double.NaN : sorted[index] * 1000.0 / Stopwatch.Frequency;
    }
}
