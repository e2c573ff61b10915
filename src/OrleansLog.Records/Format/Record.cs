namespace OrleansLog.Records;

/// <summary>
/// One decoded record, a view into its batch's bytes (no copy). Valid while the
/// <see cref="RecordReader"/> that produced it is alive.
/// </summary>
public readonly ref struct Record
{
    internal Record(long offset, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, int headerCount, ReadOnlySpan<byte> headers)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        HeaderCount = headerCount;
        HeaderBytes = headers;
    }

    public long Offset { get; }

    public long Timestamp { get; }

    public ReadOnlySpan<byte> Key { get; }

    /// <summary>False for a null key (distinct from an empty one).</summary>
    public bool HasKey { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>False for a null value: a tombstone.</summary>
    public bool HasValue { get; }

    public int HeaderCount { get; }

    internal ReadOnlySpan<byte> HeaderBytes { get; }

    public RecordHeaderEnumerator Headers => new(HeaderBytes, HeaderCount);
}
