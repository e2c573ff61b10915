namespace OrleansLog.Partitions;

/// <summary>Kafka's special timestamps for ListOffsets.</summary>
public static class ListOffsetsSpec
{
    /// <summary>The offset the next record will get (below the high watermark's limit: the high watermark).</summary>
    public const long Latest = -1;

    /// <summary>The log start offset.</summary>
    public const long Earliest = -2;
}
