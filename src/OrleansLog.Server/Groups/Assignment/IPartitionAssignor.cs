using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>
/// Computes the target assignment of a group: every partition of a subscribed topic to exactly one
/// member subscribed to it. Pure and deterministic (same input, same output), so it is unit-tested alone.
/// </summary>
public interface IPartitionAssignor
{
    string Name { get; }

    Dictionary<string, HashSet<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts);
}
