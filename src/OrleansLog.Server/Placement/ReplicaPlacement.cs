using Orleans.Placement;

namespace OrleansLog.Server.Placement;

/// <summary>Places a follower grain on its own broker's silo and nowhere else (see <see cref="ReplicaPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ReplicaPlacement : PlacementStrategy
{
    public static ReplicaPlacement Instance { get; } = new();
}

/// <summary>Puts <see cref="ReplicaPlacement"/> on a grain class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaPlacementAttribute() : PlacementAttribute(ReplicaPlacement.Instance);
