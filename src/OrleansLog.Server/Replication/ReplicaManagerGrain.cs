using System.Collections.Immutable;
using OrleansLog.Replication;
using OrleansLog.Server.Placement;

namespace OrleansLog.Server.Replication;

/// <summary>
/// This broker's <see cref="IReplicaManagerGrain"/>, on its own silo (<see cref="BrokerPlacementAttribute"/>): a shell over
/// the silo's <see cref="ReplicaManager"/>. Concurrency: not reentrant; the coordinator keeps one batch in flight per broker.
/// </summary>
[BrokerPlacement]
public sealed class ReplicaManagerGrain(ReplicaManager manager) : Grain, IReplicaManagerGrain
{
    public Task Apply(ImmutableArray<LeadershipNotice> notices) => manager.ApplyAsync(notices);
}
