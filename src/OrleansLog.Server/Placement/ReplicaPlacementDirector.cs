using Orleans.Runtime.Placement;
using OrleansLog.Replication;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Activates a follower grain on the silo of the broker named in its key. A replica is that broker's
/// disk: when the broker is down the call fails with REPLICA_NOT_AVAILABLE instead of creating an empty
/// replica elsewhere.
/// </summary>
public sealed class ReplicaPlacementDirector(BrokerSilos brokers) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var (partition, broker) = IFollowerGrain.ParseKey(target.GrainIdentity.Key.ToString()!);
        var silo = await brokers.Find(broker, ErrorCode.ReplicaNotAvailable);
        return silo is not null && context.GetCompatibleSilos(target).Contains(silo)
            ? silo
            : throw new OrleansLogException(ErrorCode.ReplicaNotAvailable, $"Broker {broker}, which holds a replica of {partition}, is not alive.");
    }
}
