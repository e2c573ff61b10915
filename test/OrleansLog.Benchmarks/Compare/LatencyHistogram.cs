using System.Diagnostics;
using HdrHistogram;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// Latencies in microseconds in an HdrHistogram (3 significant digits, up to 10 minutes): recording is
/// thread-safe and allocation-free, so measuring does not itself add garbage-collector pauses.
/// </summary>
public sealed class LatencyHistogram
{
    private static readonly long Highest = (long)TimeSpan.FromMinutes(10).TotalMicroseconds;

    private readonly LongConcurrentHistogram _histogram = new(1, Highest, 3);

    public long Count => _histogram.TotalCount;

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) to now.</summary>
    public void RecordSince(long startTimestamp)
    {
        var micros = (Stopwatch.GetTimestamp() - startTimestamp) * 1_000_000 / Stopwatch.Frequency;
        _histogram.RecordValue(Math.Clamp(micros, 1, Highest));
    }

    public LatencySummary? Summarize()
    {
        if (_histogram.TotalCount == 0)
        {
            return null;
        }

        var curve = _histogram.Percentiles(5)
            .Where(v => v.Percentile <= 99.99)
            .Select(v => new LatencyPoint(v.Percentile, v.ValueIteratedTo / 1000.0))
            .ToList();
        return new LatencySummary(
            _histogram.TotalCount,
            _histogram.GetValueAtPercentile(50) / 1000.0,
            _histogram.GetValueAtPercentile(99) / 1000.0,
            _histogram.GetValueAtPercentile(99.9) / 1000.0,
            _histogram.GetMaxValue() / 1000.0,
            curve);
    }
}

/// <summary>A latency distribution in milliseconds, with its percentile curve for the charts.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs, IReadOnlyList<LatencyPoint> Curve);

public sealed record LatencyPoint(double Percentile, double Ms);
