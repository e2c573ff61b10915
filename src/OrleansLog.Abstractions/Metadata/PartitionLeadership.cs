using System.Collections.Immutable;

namespace OrleansLog.Metadata;

/// <summary>
/// Who holds a partition: its replicas (broker ids; the first is the preferred leader), the current
/// leader (<see cref="NoLeader"/> while the partition is offline), the leader epoch (bumped at every
/// leader change, so a deposed leader is fenced), the in-sync replicas, which always include the leader,
/// and the partition epoch (Kafka's): bumped by the coordinator at every change of leader or ISR, so an ISR
/// change computed from an older state is refused (a compare-and-set, as Kafka's AlterPartition).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PartitionLeadership(
    [property: Id(0)] int Partition,
    [property: Id(1)] ImmutableArray<int> Replicas,
    [property: Id(2)] int Leader,
    [property: Id(3)] int LeaderEpoch,
    [property: Id(4)] ImmutableArray<int> Isr,
    [property: Id(5)] int PartitionEpoch = 0)
{
    public const int NoLeader = -1;

    public bool IsOnline => Leader != NoLeader;

    public int PreferredLeader => Replicas[0];

    /// <summary>The replicas other than the leader: where the leader pushes its log.</summary>
    public IEnumerable<int> Followers => Replicas.Where(r => r != Leader);
}
