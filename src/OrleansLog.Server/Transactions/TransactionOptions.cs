namespace OrleansLog.Server.Transactions;

/// <summary>The broker's transaction coordinator settings, bound from <c>OrleansLog:Transactions</c> (Kafka's names in comments).</summary>
public sealed class TransactionOptions
{
    public const string SectionName = "OrleansLog:Transactions";

    /// <summary>Longest <c>transaction.timeout.ms</c> a producer may ask for (<c>transaction.max.timeout.ms</c>).</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each broker looks for transactions past their timeout (<c>transaction.abort.timed.out.transaction.cleanup.interval.ms</c>).</summary>
    public TimeSpan TimeoutCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a transactional id with no transaction is kept after its last use (<c>transactional.id.expiration.ms</c>).</summary>
    public TimeSpan IdExpiration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most partitions one transaction may add: what one producer can make its coordinator hold and write markers to.</summary>
    public int MaxPartitionsPerTransaction { get; set; } = 10_000;

    /// <summary>Most consumer groups one transaction may commit offsets to.</summary>
    public int MaxGroupsPerTransaction { get; set; } = 100;

    /// <summary>How long the coordinator tries to write a transaction's markers before it answers and retries in the background.</summary>
    public TimeSpan MarkerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait between attempts at a partition whose leader is moving.</summary>
    public TimeSpan MarkerRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);
}
