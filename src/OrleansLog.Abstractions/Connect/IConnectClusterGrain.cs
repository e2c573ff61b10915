using System.Collections.Immutable;
using OrleansLog.Security;

namespace OrleansLog.Connect;

/// <summary>
/// The cluster's connectors (one activation, key <see cref="ClusterKey"/>): which exist, how many tasks each runs, and
/// on which silo each task runs (balanced over the live silos, moving as few tasks as it can when one dies or joins).
/// Every broker wakes it each interval; each wake runs a supervision pass at most once per interval.
/// </summary>
public interface IConnectClusterGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<string>> List();

    /// <summary>The connector classes this cluster runs.</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<ConnectorPluginInfo>> Plugins();

    /// <summary>Validates <paramref name="config"/> for <paramref name="connectorClass"/>, field by field (404 for an unknown class).</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConfigValidation>> Validate(string connectorClass, ImmutableSortedDictionary<string, string> config);

    /// <summary>
    /// Records that <paramref name="name"/> exists with <paramref name="tasks"/> tasks (0 when stopped) and answers where
    /// each task runs; refused with 429 beyond the cluster's limit of connectors.
    /// </summary>
    [ClusterInternal]
    Task<ConnectAnswer<ImmutableDictionary<int, SiloAddress>>> Register(string name, int tasks);

    [ClusterInternal]
    Task Unregister(string name);

    /// <summary>Where <paramref name="task"/> is to run; null when it is not a known task.</summary>
    [ClusterInternal]
    Task<SiloAddress?> Placement(ConnectTaskId task);

    /// <summary>Runs a supervision pass if none ran in the last interval: rebalances, then has every connector run its tasks where they belong.</summary>
    [ClusterInternal]
    Task Supervise();
}
