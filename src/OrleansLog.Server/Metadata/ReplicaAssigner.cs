using System.Collections.Immutable;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// Places a topic's partitions on brokers: each partition gets <c>replicationFactor</c> distinct brokers,
/// the first of which is its preferred leader. Partition p starts at broker (start + p), so leaders go
/// round the brokers evenly and every broker follows as often as it leads. Pure.
/// </summary>
public static class ReplicaAssigner
{
    /// <summary>
    /// Assignments for partitions <paramref name="firstPartition"/>.. up to <paramref name="partitionCount"/>
    /// (exclusive) over <paramref name="brokers"/>; a fresh partition's leader is its preferred replica and
    /// its ISR is every replica (an empty log is in sync everywhere).
    /// </summary>
    public static ImmutableArray<PartitionLeadership> Assign(IReadOnlyList<int> brokers, int firstPartition, int partitionCount, int replicationFactor, int start)
    {
        if (replicationFactor < 1 || replicationFactor > brokers.Count)
        {
            throw new OrleansLogException(ErrorCode.InvalidReplicationFactor, $"Replication factor {replicationFactor} is invalid: it must be between 1 and the {brokers.Count} live broker{(brokers.Count == 1 ? "" : "s")}.");
        }

        var sorted = brokers.Order().ToArray();
        var partitions = ImmutableArray.CreateBuilder<PartitionLeadership>(partitionCount - firstPartition);
        for (var p = firstPartition; p < partitionCount; p++)
        {
            var replicas = ImmutableArray.CreateBuilder<int>(replicationFactor);
            for (var r = 0; r < replicationFactor; r++)
            {
                replicas.Add(sorted[(int)(((long)start + p + r) % sorted.Length)]);
            }

            var assigned = replicas.MoveToImmutable();
            partitions.Add(new PartitionLeadership(p, assigned, assigned[0], 0, assigned));
        }

        return partitions.MoveToImmutable();
    }
}
