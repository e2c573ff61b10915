namespace OrleansLog.Partitions;

/// <summary>Kafka's <c>acks</c>: when a produce is answered.</summary>
public static class Acks
{
    /// <summary>The producer does not wait.</summary>
    public const short None = 0;

    /// <summary>Answer after the leader has the batch.</summary>
    public const short Leader = 1;

    /// <summary>Answer when every in-sync replica has it (the high watermark covers it).</summary>
    public const short All = -1;

    public static bool IsValid(short acks) => acks is None or Leader or All;
}
