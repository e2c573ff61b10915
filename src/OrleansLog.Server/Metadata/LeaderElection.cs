using System.Collections.Immutable;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// Kafka's leader rules, as pure functions of a partition's state and the live brokers. A leader comes
/// from the ISR (the replicas known to hold every acknowledged record); only with unclean election may
/// another live replica lead, and then it alone is in sync. The ISR never empties: when its last member
/// dies it stays, so that broker can lead again when it returns. Every leader change bumps the epoch.
/// </summary>
public static class LeaderElection
{
    /// <summary>The partition after brokers came or went: dead replicas leave the ISR, a dead or missing leader is replaced.</summary>
    public static PartitionLeadership Review(PartitionLeadership partition, IReadOnlySet<int> live, bool unclean)
    {
        var liveIsr = partition.Isr.Where(live.Contains).ToImmutableArray();
        if (partition.IsOnline && live.Contains(partition.Leader))
        {
            return liveIsr.Length == partition.Isr.Length ? partition : partition with { Isr = liveIsr };
        }

        // Preference order among candidates is the replica order, so the preferred leader wins when it can.
        var leader = partition.Replicas.FirstOrDefault(r => liveIsr.Contains(r), PartitionLeadership.NoLeader);
        var isr = liveIsr;
        if (leader == PartitionLeadership.NoLeader && unclean)
        {
            leader = partition.Replicas.FirstOrDefault(live.Contains, PartitionLeadership.NoLeader);
            isr = leader == PartitionLeadership.NoLeader ? [] : [leader];
        }

        if (leader == PartitionLeadership.NoLeader)
        {
            // Offline. The ISR keeps its (dead) members, so only one of them can bring the partition back.
            return partition.IsOnline ? partition with { Leader = PartitionLeadership.NoLeader, LeaderEpoch = partition.LeaderEpoch + 1 } : partition;
        }

        return partition with { Leader = leader, LeaderEpoch = partition.LeaderEpoch + 1, Isr = isr };
    }

    /// <summary>
    /// Kafka's controlled shutdown: <paramref name="stopping"/> is about to go, so it hands leadership to
    /// another live in-sync replica and leaves the ISR now, while it still answers, rather than after its
    /// death is noticed. Where no other in-sync replica lives it keeps leading: going offline early would
    /// only lose availability.
    /// </summary>
    public static PartitionLeadership ControlledShutdown(PartitionLeadership partition, int stopping, IReadOnlySet<int> live)
    {
        if (!partition.Replicas.Contains(stopping))
        {
            return partition;
        }

        var others = live.Where(b => b != stopping).ToHashSet();
        var reviewed = Review(partition, others, unclean: false);
        return reviewed.IsOnline ? reviewed : partition;
    }

    /// <summary>The partition with its preferred replica as leader, when that replica is alive, in the ISR, and not leading already.</summary>
    public static PartitionLeadership? Preferred(PartitionLeadership partition, IReadOnlySet<int> live)
    {
        var preferred = partition.PreferredLeader;
        return partition.Leader != preferred && live.Contains(preferred) && partition.Isr.Contains(preferred)
            ? partition with { Leader = preferred, LeaderEpoch = partition.LeaderEpoch + 1 }
            : null;
    }
}
