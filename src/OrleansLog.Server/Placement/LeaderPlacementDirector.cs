using Orleans.Runtime.Placement;
using OrleansLog.Metadata;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Asks the coordinator which silo leads the partition and activates the partition grain there. Without
/// a live leader this silo can place on (an election is pending, the partition is offline, or this silo
/// has not yet learned of the leader's silo) nothing is activated: the call fails with a retriable
/// LEADER_NOT_AVAILABLE, so the caller's retry is placed afresh instead of reaching a replica that does
/// not lead.
/// </summary>
public sealed class LeaderPlacementDirector(IGrainFactory grains) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var leader = await CoordinatorLookup.Bounded(coordinator.GetLeaderSilo(partition.Topic, partition.Partition), ErrorCode.LeaderNotAvailable, $"where {partition} leads");
        if (leader is not null && context.GetCompatibleSilos(target).Contains(leader))
        {
            return leader;
        }

        // An unknown topic or partition still gets an activation, which answers UNKNOWN_TOPIC_OR_PARTITION.
        var topic = await CoordinatorLookup.Bounded(coordinator.TryGetTopic(partition.Topic), ErrorCode.LeaderNotAvailable, $"whether {partition} exists");
        return topic is not null && partition.Partition < topic.PartitionCount
            ? throw new OrleansLogException(ErrorCode.LeaderNotAvailable, $"{partition} has no leader this silo can reach yet (leader silo {leader?.ToString() ?? "none"}); retry.")
            : context.LocalSilo;
    }
}
