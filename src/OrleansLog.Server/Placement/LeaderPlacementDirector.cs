using Orleans.Runtime.Placement;
using OrleansLog.Metadata;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Asks the coordinator which silo leads the partition and activates the partition grain there. When
/// there is no live leader (an election is pending, or the partition is offline) it activates on the
/// calling silo instead: the grain finds that it does not lead, answers NOT_LEADER_OR_FOLLOWER or
/// LEADER_NOT_AVAILABLE, and deactivates, so the caller's retry is placed afresh.
/// </summary>
public sealed class LeaderPlacementDirector(IGrainFactory grains) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        var leader = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).GetLeaderSilo(partition.Topic, partition.Partition);
        var compatible = context.GetCompatibleSilos(target);
        return leader is not null && compatible.Contains(leader) ? leader
            : compatible.Contains(context.LocalSilo) ? context.LocalSilo
            : compatible[Random.Shared.Next(compatible.Length)];
    }
}
