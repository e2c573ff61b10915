namespace OrleansLog.Benchmarks;

/// <summary>One measured case: what ran, how much, how fast, and how that compares with its baseline from the same run.</summary>
public sealed record BenchmarkResult(
    string Suite,
    string Case,
    long Records,
    long Bytes,
    double Seconds,
    string Baseline,
    double BaselineMegabytesPerSecond)
{
    /// <summary>Median request latency, where the case measures it.</summary>
    public double? P50Ms { get; init; }

    /// <summary>99th percentile request latency, where the case measures it.</summary>
    public double? P99Ms { get; init; }

    /// <summary>99.9th percentile latency, where the case measures it.</summary>
    public double? P999Ms { get; init; }

    /// <summary>Other named figures of the case (resident memory, open files, seconds of a step), where it measures them.</summary>
    public IReadOnlyDictionary<string, double>? Figures { get; init; }

    public double RecordsPerSecond => Records / Seconds;

    public double MegabytesPerSecond => Bytes / Seconds / 1_000_000;

    public double Ratio => BaselineMegabytesPerSecond > 0 && !double.IsNaN(BaselineMegabytesPerSecond) ? MegabytesPerSecond / BaselineMegabytesPerSecond : double.NaN;
}
