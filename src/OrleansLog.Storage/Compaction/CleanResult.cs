namespace OrleansLog.Storage.Compaction;

/// <summary>What one cleaner pass over a log did.</summary>
/// <param name="Section">What was cleanable when the pass began.</param>
/// <param name="CleanedTo">The pass cleaned every offset below this (the end of what its map covered); the next pass starts here.</param>
/// <param name="BytesRead">Bytes of log read (the dirty section twice: once to map it, once to rewrite it).</param>
/// <param name="BytesWritten">Bytes of cleaned segments written.</param>
/// <param name="SegmentsReplaced">Segments replaced by <paramref name="SegmentsWritten"/> cleaned ones.</param>
/// <param name="SegmentsWritten">Cleaned segments that replaced them.</param>
/// <param name="Abandoned">Why the pass stopped before it finished (the log changed under it, or the map could not hold one batch), or null.</param>
public sealed record CleanResult(CleanableSection Section, long CleanedTo, long BytesRead, long BytesWritten, int SegmentsReplaced, int SegmentsWritten, string? Abandoned)
{
    public static CleanResult Nothing(CleanableSection section) => new(section, section.FirstDirtyOffset, 0, 0, 0, 0, null);

    /// <summary>Whether the pass replaced any segment.</summary>
    public bool Cleaned => SegmentsWritten > 0;
}
