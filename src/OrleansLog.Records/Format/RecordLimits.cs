namespace OrleansLog.Records;

/// <summary>
/// What a produced batch's records must keep to (see <see cref="RecordBatchValidator.ValidateRecords"/>):
/// how large its records may decompress to, and the window around the broker's clock (<paramref name="NowMs"/>)
/// that create times must fall in (Kafka's <c>message.timestamp.before.max.ms</c> and <c>after.max.ms</c>).
/// </summary>
public readonly record struct RecordLimits(int MaxUncompressedBytes, long NowMs, long TimestampBeforeMaxMs, long TimestampAfterMaxMs)
{
    /// <summary>Far above what any producer's <c>batch.size</c> makes, and low enough that a compression bomb costs little.</summary>
    public const int DefaultMaxUncompressedBytes = 64 * 1024 * 1024;

    /// <summary>Every record must have a key (a compacted topic: the cleaner keeps the latest record per key, and a record without one has none).</summary>
    public bool RequireKeys { get; init; }

    public bool Allows(long timestamp) =>
        (TimestampBeforeMaxMs == long.MaxValue || timestamp >= NowMs - TimestampBeforeMaxMs)
        && (TimestampAfterMaxMs == long.MaxValue || timestamp <= NowMs + TimestampAfterMaxMs);
}
