using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Replication;

namespace OrleansLog.Server.Replication;

/// <summary>
/// What a <see cref="LeaderReplication"/> needs from the partition grain that hosts it: the followers and
/// the coordinator to call, and the grain's own reactions when leadership is in doubt. A plain interface,
/// so the replication logic runs in tests without a silo.
/// </summary>
public interface ILeaderReplicationHost
{
    IFollowerGrain Follower(int broker);

    /// <summary>Asks the coordinator to set the ISR (compare-and-set on the leader epoch and the partition epoch).</summary>
    Task<PartitionLeadership> AlterIsr(int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr);

    /// <summary>Reads this partition's leadership from the coordinator and applies it, as a refresh would.</summary>
    Task PullLeadership();

    /// <summary>This broker no longer leads (a follower or the coordinator named a newer epoch).</summary>
    void StepDown(string reason);

    /// <summary>Completes at the next change of the cluster's membership: a broker that was down may be back.</summary>
    Task NextMembershipChange { get; }

    /// <summary>Waits for a turn to reconcile with a follower on <paramref name="broker"/> (see <see cref="ReconcileGate"/>); disposing the result ends it.</summary>
    Task<IDisposable> EnterReconcile(int broker);
}
