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
    /// <summary>
    /// The coordinator answers these lookups from memory; a longer wait means its silo just died and the
    /// call went there. Failing fast (retriable) lets the caller's retry reach the coordinator's new
    /// activation instead of holding the placement for Orleans' 30 s.
    /// </summary>
    internal static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(3);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        SiloAddress? leader;
        TopicDescription? topic;
        try
        {
            leader = await coordinator.GetLeaderSilo(partition.Topic, partition.Partition).WaitAsync(LookupTimeout);
            topic = leader is null || !context.GetCompatibleSilos(target).Contains(leader)
                ? await coordinator.TryGetTopic(partition.Topic).WaitAsync(LookupTimeout)
                : null;
        }
        catch (TimeoutException)
        {
            throw new OrleansLogException(ErrorCode.LeaderNotAvailable, $"The coordinator did not say within {LookupTimeout.TotalSeconds:0} s where {partition} leads; retry.");
        }

        if (leader is not null && context.GetCompatibleSilos(target).Contains(leader))
        {
            return leader;
        }

        // An unknown topic or partition still gets an activation, which answers UNKNOWN_TOPIC_OR_PARTITION.
        return topic is not null && partition.Partition < topic.PartitionCount
            ? throw new OrleansLogException(ErrorCode.LeaderNotAvailable, $"{partition} has no leader this silo can reach yet (leader silo {leader?.ToString() ?? "none"}); retry.")
            : context.LocalSilo;
    }
}
