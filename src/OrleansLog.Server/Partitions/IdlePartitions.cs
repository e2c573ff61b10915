using Orleans.Configuration;
using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// Partitions idle out through Orleans' own activation collection: the leader's and the follower's grain types
/// get <see cref="Hosting.OrleansLogOptions.PartitionIdleTimeout"/> as their collection age, and on deactivation
/// they release their log (<see cref="LogManager.Release"/>), which closes it. Orleans collects on a quantum
/// (one minute by default): an activation idle since t goes at the first quantum tick after t + age rounded up to a
/// quantum, so up to two quanta late. The quantum is therefore kept at a quarter of the idle timeout at most, which
/// closes an idle partition within 1.5 times the timeout (with the defaults, 2 min and 30 s: within 3 min, where a
/// one-minute quantum took up to 4).
/// </summary>
public static class IdlePartitions
{
    public static void Configure(GrainCollectionOptions collection, TimeSpan idleTimeout)
    {
        collection.ClassSpecificCollectionAge[typeof(PartitionGrain).FullName!] = idleTimeout;
        collection.ClassSpecificCollectionAge[typeof(FollowerGrain).FullName!] = idleTimeout;
        if (collection.CollectionQuantum > idleTimeout / 4)
        {
            collection.CollectionQuantum = idleTimeout / 4;
        }
    }
}
