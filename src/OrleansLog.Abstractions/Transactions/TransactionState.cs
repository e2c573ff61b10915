namespace OrleansLog.Transactions;

/// <summary>A transactional id's state at its coordinator, with Kafka's names (DescribeTransactions and ListTransactions show them).</summary>
public enum TransactionState : byte
{
    /// <summary>Initialised, no transaction begun.</summary>
    Empty,

    /// <summary>Partitions or groups were added: data may be written.</summary>
    Ongoing,

    /// <summary>A commit is decided (durably); its markers are being written.</summary>
    PrepareCommit,

    /// <summary>An abort is decided (durably); its markers are being written.</summary>
    PrepareAbort,

    CompleteCommit,

    CompleteAbort,
}
