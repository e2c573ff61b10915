using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Server.Tests.Replication;

/// <summary>
/// A partition grain as the leader's plain classes see it (<see cref="ILeaderReplicationHost"/>): followers
/// the test controls, and a coordinator that accepts every ISR change and records it, with the step-downs.
/// </summary>
internal sealed class FakeLeaderHost(TopicPartition id, int leader) : ILeaderReplicationHost
{
    public Dictionary<int, FakeFollower> Followers { get; } = [];

    public List<ImmutableArray<int>> IsrChanges { get; } = [];

    public List<string> StepDowns { get; } = [];

    /// <summary>Follower 3's log end when each ISR change was asked for.</summary>
    public List<long> FollowerEndsAtIsrChange { get; } = [];

    public int Epoch { get; set; }

    /// <summary>When set, the coordinator's answer to the next ISR change waits for it.</summary>
    public TaskCompletionSource<PartitionLeadership>? PendingAlterIsr { get; set; }

    public IFollowerGrain Follower(int broker) => Followers[broker];

    public Task<PartitionLeadership> AlterIsr(int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr)
    {
        IsrChanges.Add(isr);
        FollowerEndsAtIsrChange.Add(Followers[3].Log.LogEndOffset);
        return PendingAlterIsr?.Task ?? Task.FromResult(new PartitionLeadership(id.Partition, [1, 2, 3], leader, Epoch, isr));
    }

    /// <summary>What a pull of the coordinator's view does (the grain's is a Refresh that updates the term); counted in <see cref="Pulls"/>.</summary>
    public Action? OnPull { get; set; }

    public int Pulls { get; private set; }

    public Task PullLeadership()
    {
        Pulls++;
        OnPull?.Invoke();
        return Task.CompletedTask;
    }

    public void StepDown(string reason) => StepDowns.Add(reason);

    /// <summary>The cluster's next membership change, which the test signals.</summary>
    public MembershipChangeSignal MembershipChanges { get; } = new();

    public Task NextMembershipChange => MembershipChanges.Next;

    /// <summary>The silo's gate on reconciles, shared by the leaders of a test that makes several.</summary>
    public ReconcileGate Reconciles { get; init; } = new();

    public Task<IDisposable> EnterReconcile(int broker) => Reconciles.EnterAsync(broker);
}
