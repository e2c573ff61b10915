using OrleansLog.Groups;

namespace OrleansLog.Client.Admin;

/// <summary>A group's description with committed offset, end and lag per partition.</summary>
public sealed record ConsumerGroupDetails(GroupDescription Group, IReadOnlyList<ConsumerGroupPartition> Partitions);
