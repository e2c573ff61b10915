namespace OrleansLog.Client.Admin;

/// <summary>Where <see cref="AdminClient.ResetGroupOffsetsAsync"/> moves committed offsets.</summary>
public readonly record struct OffsetResetSpec(OffsetResetKind Kind, long Value = 0)
{
    public static OffsetResetSpec Earliest => new(OffsetResetKind.Earliest);

    public static OffsetResetSpec Latest => new(OffsetResetKind.Latest);

    /// <summary>The first offset with a timestamp at or after <paramref name="unixMilliseconds"/> (the end when none).</summary>
    public static OffsetResetSpec ToTimestamp(long unixMilliseconds) => new(OffsetResetKind.Timestamp, unixMilliseconds);

    /// <summary>A given offset, clamped to the log.</summary>
    public static OffsetResetSpec ToOffset(long offset) => new(OffsetResetKind.Offset, offset);
}
