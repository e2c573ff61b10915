using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansLog.Connect.Grains;

/// <summary>Places a task grain on the silo the cluster's assignment gives it (see <see cref="ConnectTaskPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ConnectTaskPlacement : PlacementStrategy
{
    public static ConnectTaskPlacement Instance { get; } = new();
}

/// <summary>Puts <see cref="ConnectTaskPlacement"/> on a grain class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ConnectTaskPlacementAttribute() : PlacementAttribute(ConnectTaskPlacement.Instance);

/// <summary>
/// Asks the cluster's connector grain where the task runs, and activates it there when that silo can host it; a task the
/// cluster does not know (a deleted connector's) is activated here, where it answers UNASSIGNED and runs nothing.
/// </summary>
public sealed class ConnectTaskPlacementDirector(IGrainFactory grains) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var task = ConnectTaskId.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        var silo = await grains.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey).Placement(task);
        return silo is not null && context.GetCompatibleSilos(target).Contains(silo) ? silo : context.LocalSilo;
    }
}
