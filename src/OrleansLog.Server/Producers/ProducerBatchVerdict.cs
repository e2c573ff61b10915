namespace OrleansLog.Server.Producers;

public enum ProducerBatchVerdict
{
    /// <summary>New and in order: append it.</summary>
    Append,

    /// <summary>A retry of a batch already in the log: answer with its offsets, append nothing.</summary>
    Duplicate,

    /// <summary>Out of order or from a fenced epoch: refuse it, append nothing.</summary>
    Refuse,
}
