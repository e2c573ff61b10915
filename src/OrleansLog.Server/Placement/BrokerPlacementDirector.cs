using Orleans.Runtime.Placement;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Activates a grain whose integer key is a broker id on that broker's silo. When the broker is down the call fails
/// with BROKER_NOT_AVAILABLE: the grain speaks for that broker's replicas and has no business anywhere else.
/// </summary>
public sealed class BrokerPlacementDirector(BrokerSilos brokers) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var broker = checked((int)target.GrainIdentity.GetIntegerKey());
        var silo = await brokers.Find(broker, ErrorCode.BrokerNotAvailable);
        return silo is not null && context.GetCompatibleSilos(target).Contains(silo)
            ? silo
            : throw new OrleansLogException(ErrorCode.BrokerNotAvailable, $"Broker {broker} is not alive.");
    }
}
