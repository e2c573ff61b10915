using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Tests.Replication;

public class LeaderElectionTests
{
    private static PartitionLeadership Partition(int leader, int epoch, params int[] isr) => new(0, [1, 2, 3], leader, epoch, [.. isr]);

    [Fact]
    public void A_dead_leader_is_replaced_by_the_first_live_replica_in_the_isr_with_a_new_epoch()
    {
        var after = LeaderElection.Review(Partition(1, 4, 1, 2, 3), new HashSet<int> { 2, 3 }, unclean: false);
        Assert.Equal((2, 5), (after.Leader, after.LeaderEpoch));
        Assert.Equal([2, 3], after.Isr.ToArray());
    }

    [Fact]
    public void A_stopping_leader_hands_over_to_the_next_isr_member_and_leaves_the_isr()
    {
        var after = LeaderElection.ControlledShutdown(Partition(1, 4, 1, 2, 3), stopping: 1, new HashSet<int> { 1, 2, 3 });
        Assert.Equal((2, 5), (after.Leader, after.LeaderEpoch));
        Assert.Equal([2, 3], after.Isr.ToArray());
    }

    [Fact]
    public void A_stopping_follower_leaves_the_isr_and_the_leader_stays()
    {
        var after = LeaderElection.ControlledShutdown(Partition(1, 4, 1, 2, 3), stopping: 3, new HashSet<int> { 1, 2, 3 });
        Assert.Equal((1, 4), (after.Leader, after.LeaderEpoch));
        Assert.Equal([1, 2], after.Isr.ToArray());
    }

    [Fact]
    public void A_stopping_leader_without_another_live_isr_member_keeps_leading()
    {
        var alone = Partition(1, 4, 1);
        Assert.Same(alone, LeaderElection.ControlledShutdown(alone, stopping: 1, new HashSet<int> { 1, 2, 3 }));
        var partnerDead = Partition(1, 4, 1, 2);
        Assert.Same(partnerDead, LeaderElection.ControlledShutdown(partnerDead, stopping: 1, new HashSet<int> { 1, 3 }));
    }

    [Fact]
    public void A_stopping_broker_leaves_partitions_it_does_not_replicate_alone()
    {
        var partition = new PartitionLeadership(0, [1, 2], 1, 4, [1, 2]);
        Assert.Same(partition, LeaderElection.ControlledShutdown(partition, stopping: 3, new HashSet<int> { 1, 2, 3 }));
    }

    [Fact]
    public void A_dead_follower_leaves_the_isr_without_an_epoch_change()
    {
        var after = LeaderElection.Review(Partition(1, 4, 1, 2, 3), new HashSet<int> { 1, 2 }, unclean: false);
        Assert.Equal((1, 4), (after.Leader, after.LeaderEpoch));
        Assert.Equal([1, 2], after.Isr.ToArray());
    }

    [Fact]
    public void Without_a_live_isr_member_the_partition_goes_offline_and_keeps_its_isr()
    {
        // Replica 3 is alive but out of sync: it may not lead (it could lack acknowledged records).
        var after = LeaderElection.Review(Partition(1, 4, 1, 2), new HashSet<int> { 3 }, unclean: false);
        Assert.False(after.IsOnline);
        Assert.Equal(5, after.LeaderEpoch);
        Assert.Equal([1, 2], after.Isr.ToArray());
        Assert.Same(after, LeaderElection.Review(after, new HashSet<int> { 3 }, unclean: false));
    }

    [Fact]
    public void An_offline_partition_comes_back_when_an_isr_member_returns()
    {
        var offline = Partition(PartitionLeadership.NoLeader, 5, 1, 2);
        var after = LeaderElection.Review(offline, new HashSet<int> { 2, 3 }, unclean: false);
        Assert.Equal((2, 6), (after.Leader, after.LeaderEpoch));
        Assert.Equal([2], after.Isr.ToArray());
    }

    [Fact]
    public void Unclean_election_lets_a_replica_outside_the_isr_lead_alone()
    {
        var after = LeaderElection.Review(Partition(1, 4, 1, 2), new HashSet<int> { 3 }, unclean: true);
        Assert.Equal((3, 5), (after.Leader, after.LeaderEpoch));
        Assert.Equal([3], after.Isr.ToArray());
    }

    [Fact]
    public void Preferred_election_moves_leadership_to_the_first_replica_only_when_it_is_alive_and_in_sync()
    {
        var elsewhere = Partition(2, 6, 1, 2, 3);
        Assert.Equal((1, 7), LeaderElection.Preferred(elsewhere, new HashSet<int> { 1, 2, 3 }) is { } p ? (p.Leader, p.LeaderEpoch) : default);
        Assert.Null(LeaderElection.Preferred(elsewhere, new HashSet<int> { 2, 3 }));
        Assert.Null(LeaderElection.Preferred(Partition(2, 6, 2, 3), new HashSet<int> { 1, 2, 3 }));
        Assert.Null(LeaderElection.Preferred(Partition(1, 6, 1, 2, 3), new HashSet<int> { 1, 2, 3 }));
    }

    [Fact]
    public void Replicas_are_distinct_brokers_and_leaders_go_round_the_brokers()
    {
        var partitions = ReplicaAssigner.Assign([5, 7, 9], 0, 6, 3, start: 0);
        Assert.All(partitions, p => Assert.Equal(3, p.Replicas.Distinct().Count()));
        Assert.Equal([5, 7, 9, 5, 7, 9], partitions.Select(p => p.Leader).ToArray());
        Assert.All(partitions, p => Assert.Equal(p.Replicas.ToArray(), p.Isr.ToArray()));

        var error = Assert.Throws<OrleansLogException>(() => ReplicaAssigner.Assign([5, 7], 0, 1, 3, start: 0));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Code);
    }
}
