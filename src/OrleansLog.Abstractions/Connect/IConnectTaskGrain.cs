using OrleansLog.Security;

namespace OrleansLog.Connect;

/// <summary>
/// One task of a connector (key: <see cref="ConnectTaskId.GrainKey"/>), placed on the silo the cluster's assignment
/// names. It runs its work in the background while activated; the connector's supervision keeps it activated.
/// </summary>
[ClusterInternal]
public interface IConnectTaskGrain : IGrainWithStringKey
{
    /// <summary>Runs <paramref name="assignment"/>: starts it, keeps it, pauses or resumes it, or restarts it when its generation or restart counter changed. A failed task stays failed until restarted.</summary>
    Task<ConnectTaskStatus> Run(ConnectTaskAssignment assignment);

    Task<ConnectTaskStatus> Status();

    /// <summary>Stops the work (a sink's progress committed, a source's last transaction ended) and deactivates.</summary>
    Task Halt();
}
