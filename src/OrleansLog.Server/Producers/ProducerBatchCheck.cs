namespace OrleansLog.Server.Producers;

/// <summary>The verdict of <see cref="ProducerStateTable.Check"/> on one batch.</summary>
public readonly record struct ProducerBatchCheck(ProducerBatchVerdict Verdict, ErrorCode Error, string? Message, long FirstOffset, long LastOffset)
{
    public static ProducerBatchCheck Append => new(ProducerBatchVerdict.Append, ErrorCode.None, null, -1, -1);

    public static ProducerBatchCheck Duplicate(long firstOffset, long lastOffset) => new(ProducerBatchVerdict.Duplicate, ErrorCode.None, null, firstOffset, lastOffset);

    public static ProducerBatchCheck Refuse(ErrorCode error, string message) => new(ProducerBatchVerdict.Refuse, error, message, -1, -1);
}
