using OrleansLog.Partitions;

namespace OrleansLog.Client.Admin;

/// <summary>One partition of a group: committed offset (null if none), end of the log (null if the partition is gone), lag, and the member holding it.</summary>
public sealed record ConsumerGroupPartition(TopicPartition Partition, long? CommittedOffset, long? EndOffset, long? Lag, string? MemberId);
