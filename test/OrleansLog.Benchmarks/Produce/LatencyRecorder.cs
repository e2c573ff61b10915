using System.Diagnostics;

namespace OrleansLog.Benchmarks.Produce;

/// <summary>
/// Collects latencies (one long per sample) in 64 KiB chunks allocated as samples arrive, so recording
/// never allocates a large-object-heap array that would itself add to the garbage collector's work in
/// the process being measured. Thread-safe recording; percentiles are read after the run.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private const int ChunkSize = 8 * 1024;

    private readonly long[]?[] _chunks = new long[]?[(capacity + ChunkSize - 1) / ChunkSize];
    private int _count;

    /// <summary>Records one latency; beyond the capacity samples are dropped, never overrun.</summary>
    public void Record(long startTimestamp)
    {
        var elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        var index = Interlocked.Increment(ref _count) - 1;
        var chunk = index / ChunkSize;
        if (chunk >= _chunks.Length)
        {
            return;
        }

        var samples = Volatile.Read(ref _chunks[chunk]);
        if (samples is null)
        {
            Interlocked.CompareExchange(ref _chunks[chunk], new long[ChunkSize], null);
            samples = Volatile.Read(ref _chunks[chunk])!;
        }

        samples[index % ChunkSize] = elapsed;
    }

    public double PercentileMs(double percentile)
    {
        var count = Math.Min(_count, _chunks.Length * ChunkSize);
        var sorted = new long[count];
        for (var i = 0; i < count; i++)
        {
            sorted[i] = _chunks[i / ChunkSize]?[i % ChunkSize] ?? 0;
        }

        Array.Sort(sorted);
        var index = Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted.Length == 0 ? double.NaN : sorted[index] * 1000.0 / Stopwatch.Frequency;
    }
}
