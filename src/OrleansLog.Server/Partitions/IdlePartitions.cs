using Orleans.Configuration;
using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// Partitions idle out through Orleans' own activation collection: the leader's and the follower's grain types
/// get <see cref="Hosting.OrleansLogOptions.PartitionIdleTimeout"/> as their collection age, and on deactivation
/// they release their log (<see cref="LogManager.Release"/>), which closes it. Orleans collects on a quantum
/// (one minute by default) that must be shorter than every age, so a shorter idle timeout shortens the quantum.
/// </summary>
public static class IdlePartitions
{
    public static void Configure(GrainCollectionOptions collection, TimeSpan idleTimeout)
    {
        collection.ClassSpecificCollectionAge[typeof(PartitionGrain).FullName!] = idleTimeout;
        collection.ClassSpecificCollectionAge[typeof(FollowerGrain).FullName!] = idleTimeout;
        if (collection.CollectionQuantum >= idleTimeout)
        {
            collection.CollectionQuantum = idleTimeout / 2;
        }
    }
}
