namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// A .NET server's runtime counters as its <c>/metrics</c> shows them (.NET's <c>System.Runtime</c> meter): bytes
/// allocated on the managed heap, time paused in garbage collections, and gen2 collections, each since the process
/// started. A workload reads them before and after, and reports the difference.
/// </summary>
public sealed record ServerRuntime(long AllocatedBytes, double GcPauseSeconds, long Gen2Collections)
{
    public static ServerRuntime Parse(string exposition) => new(
        PrometheusText.Sum(exposition, "dotnet_gc_heap_total_allocated_bytes"),
        PrometheusText.SumDouble(exposition, "dotnet_gc_pause_time_seconds"),
        PrometheusText.Sum(exposition, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\""));

    public static ServerRuntime operator +(ServerRuntime a, ServerRuntime b) =>
        new(a.AllocatedBytes + b.AllocatedBytes, a.GcPauseSeconds + b.GcPauseSeconds, a.Gen2Collections + b.Gen2Collections);

    public static ServerRuntime operator -(ServerRuntime a, ServerRuntime b) =>
        new(a.AllocatedBytes - b.AllocatedBytes, a.GcPauseSeconds - b.GcPauseSeconds, a.Gen2Collections - b.Gen2Collections);
}
