namespace OrleansLog.Server.Partitions;

/// <summary>
/// Whether the broker is short of memory, as the GC saw it at its last collection: the memory load (of the
/// machine, of the container's limit, or of <c>DOTNET_GCHeapHardLimit</c> when set) at or above the GC's
/// high-load threshold (90% by default), where it starts collecting aggressively. While it is, a log that is not
/// open is not opened: new partitions are refused retriably and the open ones go on (<see cref="LogManager.Acquire"/>).
/// Thread-safe: it reads the GC's figures and holds nothing.
/// </summary>
public sealed class MemoryPressure
{
    private readonly Func<(long Load, long Threshold)> _read;

    /// <summary>The GC's view of this process.</summary>
    public MemoryPressure()
        : this(static () =>
        {
            var info = GC.GetGCMemoryInfo();
            return (info.MemoryLoadBytes, info.HighMemoryLoadThresholdBytes);
        })
    {
    }

    private MemoryPressure(Func<(long Load, long Threshold)> read) => _read = read;

    /// <summary>A pressure read from <paramref name="read"/> (for tests).</summary>
    public static MemoryPressure From(Func<(long Load, long Threshold)> read) => new(read);

    /// <summary>True when the load is at or above the threshold; both in bytes.</summary>
    public bool IsHigh(out long load, out long threshold)
    {
        (load, threshold) = _read();
        return threshold > 0 && load >= threshold;
    }
}
