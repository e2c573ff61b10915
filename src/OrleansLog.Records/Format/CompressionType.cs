namespace OrleansLog.Records;

/// <summary>The codec of a record batch: the low three bits of its attributes, Kafka's numbering.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
