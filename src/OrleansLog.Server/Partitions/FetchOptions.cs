namespace OrleansLog.Server.Partitions;

/// <summary>
/// How much one fetch may make the broker hold, bound from <c>OrleansLog:Kafka</c> (Kafka's names): the
/// same budget for Kafka clients, the native client, and the REST and console readers.
/// </summary>
public sealed class FetchOptions
{
    public const string SectionName = "OrleansLog:Kafka";

    /// <summary>
    /// The most record bytes one fetch answers, over all its partitions (Kafka's broker <c>fetch.max.bytes</c>,
    /// 55 MiB); a request asking for more gets this much. The first batch is still returned whole when it
    /// alone is larger, so a consumer can always make progress.
    /// </summary>
    public int FetchMaxBytes { get; set; } = 55 * 1024 * 1024;
}
