using Orleans.Placement;

namespace OrleansLog.Server.Placement;

/// <summary>Places a grain keyed by a broker id on that broker's silo and nowhere else (see <see cref="BrokerPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class BrokerPlacement : PlacementStrategy
{
    public static BrokerPlacement Instance { get; } = new();
}

/// <summary>Puts <see cref="BrokerPlacement"/> on a grain class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class BrokerPlacementAttribute() : PlacementAttribute(BrokerPlacement.Instance);
