using Orleans.Placement;

namespace OrleansLog.Server.Placement;

/// <summary>Places a partition grain on the silo of the partition's current leader (see <see cref="LeaderPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class LeaderPlacement : PlacementStrategy
{
    public static LeaderPlacement Instance { get; } = new();
}

/// <summary>Puts <see cref="LeaderPlacement"/> on a grain class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class LeaderPlacementAttribute() : PlacementAttribute(LeaderPlacement.Instance);
