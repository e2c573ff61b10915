namespace OrleansLog.Partitions;

/// <summary>What a fetch may read (Kafka's wire values): everything below the high watermark, or only what is committed.</summary>
public enum IsolationLevel : byte
{
    ReadUncommitted = 0,

    /// <summary>Below the last stable offset only, skipping aborted transactions' batches (the answer names them) and markers.</summary>
    ReadCommitted = 1,
}
