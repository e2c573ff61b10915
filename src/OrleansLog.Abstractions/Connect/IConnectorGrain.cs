using System.Collections.Immutable;
using OrleansLog.Security;

namespace OrleansLog.Connect;

/// <summary>
/// A connector (key: its name): its configuration, what the user asked of it (running, paused, stopped), and the split of
/// its work into task configurations. It keeps its tasks running where the cluster places them. Connectors act with the
/// cluster's authority (they read and write any topic, and reach outside systems), so changing one needs ALTER on the
/// cluster and reading one DESCRIBE on the cluster.
/// </summary>
public interface IConnectorGrain : IGrainWithStringKey
{
    /// <summary>Creates the connector, or replaces its configuration (refused with 409 when <paramref name="createOnly"/> and it exists). The configuration is validated first (400 with every error).</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectorInfo>> Put(ImmutableSortedDictionary<string, string> config, bool createOnly);

    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectorInfo>> Info();

    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectorStatus>> Status();

    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ImmutableArray<ConnectTaskConfig>>> TaskConfigs();

    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectTaskStatus>> TaskStatus(int task);

    /// <summary>Pauses, resumes or stops the connector.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectorStatus>> SetTarget(ConnectTargetState target);

    /// <summary>Restarts the connector and, if asked, its tasks (all, or only the failed ones).</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectorStatus>> Restart(bool includeTasks, bool onlyFailed);

    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<ConnectTaskStatus>> RestartTask(int task);

    /// <summary>Stops the tasks and forgets the connector (its source offsets and its sink group's offsets stay, as in Kafka Connect).</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ConnectAnswer<bool>> Delete();

    /// <summary>Runs the tasks on the silos given (task number to silo), stopping first any that moved. Called by the cluster's pass.</summary>
    [ClusterInternal]
    Task Supervise(ImmutableDictionary<int, SiloAddress> placement);
}
