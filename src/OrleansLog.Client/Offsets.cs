namespace OrleansLog.Client;

/// <summary>Special offsets, with Confluent.Kafka's values.</summary>
public static class Offsets
{
    /// <summary>The log start offset of the partition.</summary>
    public const long Beginning = -2;

    /// <summary>The end of the partition: the next record produced.</summary>
    public const long End = -1;

    /// <summary>No position yet: the committed offset, or else <c>auto.offset.reset</c>, decides.</summary>
    public const long Unset = -1001;
}
