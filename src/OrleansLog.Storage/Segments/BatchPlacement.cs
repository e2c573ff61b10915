namespace OrleansLog.Storage.Segments;

/// <summary>One batch of an append as the segment records it: its offsets, largest timestamp and size on disk.</summary>
internal readonly record struct BatchPlacement(long BaseOffset, long LastOffset, long MaxTimestamp, int SizeInBytes);
