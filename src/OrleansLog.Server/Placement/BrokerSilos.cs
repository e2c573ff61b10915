using System.Collections.Concurrent;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Where each broker lives, as the coordinator last said, kept on this silo for placement: a follower or broker grain
/// activation needs its broker's silo, and at 30,000 partitions a broker's return placed 20,000 followers, each asking
/// the coordinator the same question while it was busiest. An answer is used again while Orleans' membership still
/// counts that silo active; a silo that stopped, or a broker with no live silo, is asked about again. A broker fenced by
/// the coordinator is out of the answer only once its silo is declared dead, which the coordinator does at once.
/// Thread-safe: a concurrent dictionary of immutable answers.
/// </summary>
public sealed class BrokerSilos(IGrainFactory grains, IClusterMembershipService membership)
{
    private readonly ConcurrentDictionary<int, SiloAddress> _known = new();

    /// <summary>The silo of <paramref name="broker"/> when it is alive, else null; <paramref name="error"/> when the coordinator does not answer in time.</summary>
    public async Task<SiloAddress?> Find(int broker, ErrorCode error)
    {
        if (_known.TryGetValue(broker, out var known) && membership.CurrentSnapshot.GetSiloStatus(known) == SiloStatus.Active)
        {
            return known;
        }

        var silo = await CoordinatorLookup.Bounded(grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).GetBrokerSilo(broker), error, $"where broker {broker} lives");
        if (silo is null)
        {
            _known.TryRemove(broker, out _);
        }
        else
        {
            _known[broker] = silo;
        }

        return silo;
    }
}
