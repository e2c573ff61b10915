namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// The bytes one fetch may still answer: its limit (the request's <c>max_bytes</c> capped by the broker's
/// <c>fetch.max.bytes</c>) less what its partitions returned so far. Not thread-safe: one fetch uses it
/// between its awaits.
/// </summary>
internal sealed class FetchBudget(long limit)
{
    public long Limit { get; } = Math.Max(limit, 0);

    public long Used { get; private set; }

    public long Remaining => Math.Max(Limit - Used, 0);

    /// <summary>
    /// What a partition may ask for: its own limit within what is left; at least 1, which returns its
    /// offsets and no batch (once the budget is spent).
    /// </summary>
    public int LimitFor(int partitionMaxBytes) => (int)Math.Max(1, Math.Min(partitionMaxBytes, Remaining));

    public void Take(long bytes) => Used += bytes;
}
