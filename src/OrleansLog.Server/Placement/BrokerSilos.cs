using System.Collections.Concurrent;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Placement;

/// <summary>
/// Where each broker lives, as the coordinator last said, kept on this silo for placement: a follower or broker grain
/// activation needs its broker's silo, and at 30,000 partitions a broker's return placed 20,000 followers, each asking
/// the coordinator the same question while it was busiest. An answer is used again while Orleans' membership still
/// counts that silo active; a silo that stopped, or a broker with no live silo, is asked about again. A broker fenced by
/// the coordinator is out of the answer only once its silo is declared dead, which the coordinator does at once.
/// A broker the coordinator called not alive is called so again for <see cref="MissingFor"/> without asking: the
/// replication links of thousands of leaders try a stopped broker in the same seconds.
/// Thread-safe: concurrent dictionaries of immutable answers.
/// </summary>
public sealed class BrokerSilos(IGrainFactory grains, IClusterMembershipService membership, TimeProvider time)
{
    /// <summary>How long "not alive" is believed without asking again (a returning broker registers within it).</summary>
    public static readonly TimeSpan MissingFor = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, SiloAddress> _known = new();
    private readonly ConcurrentDictionary<int, long> _missingSince = new();

    /// <summary>The silo of <paramref name="broker"/> when it is alive, else null; <paramref name="error"/> when the coordinator does not answer in time.</summary>
    public async Task<SiloAddress?> Find(int broker, ErrorCode error)
    {
        if (_known.TryGetValue(broker, out var known) && membership.CurrentSnapshot.GetSiloStatus(known) == SiloStatus.Active)
        {
            return known;
        }

        if (_missingSince.TryGetValue(broker, out var since) && time.GetElapsedTime(since) < MissingFor)
        {
            return null;
        }

        var silo = await CoordinatorLookup.Bounded(grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).GetBrokerSilo(broker), error, $"where broker {broker} lives");
        if (silo is null)
        {
            _known.TryRemove(broker, out _);
            _missingSince[broker] = time.GetTimestamp();
        }
        else
        {
            _known[broker] = silo;
            _missingSince.TryRemove(broker, out _);
        }

        return silo;
    }
}
