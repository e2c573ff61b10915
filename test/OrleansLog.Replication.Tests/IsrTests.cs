using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

[Collection(ReplicatedCluster.Name)]
public class IsrTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task An_isr_change_computed_from_an_older_partition_state_is_refused()
    {
        await fixture.CreateTopic("isr-cas", partitions: 1);
        await fixture.WaitInSync("isr-cas", 0);
        var seen = await fixture.Leadership("isr-cas", 0);
        var removed = seen.Followers.First();

        var shrunk = await fixture.Coordinator.AlterIsr("isr-cas", 0, seen.LeaderEpoch, seen.PartitionEpoch, [.. seen.Isr.Where(b => b != removed)]);
        Assert.Equal(seen.PartitionEpoch + 1, shrunk.PartitionEpoch);
        Assert.DoesNotContain(removed, shrunk.Isr);

        // A report computed from the state before the shrink may not put the removed replica back.
        var stale = await Assert.ThrowsAsync<OrleansLogException>(() => fixture.Coordinator.AlterIsr("isr-cas", 0, seen.LeaderEpoch, seen.PartitionEpoch, seen.Isr));
        Assert.Equal(ErrorCode.InvalidUpdateVersion, stale.Code);

        // Told the current state (as the coordinator tells leaders of its own changes), the leader takes the caught-up replica back.
        await fixture.Inside.GetPartitionGrain("isr-cas", 0).Refresh(await fixture.Coordinator.DescribeTopic("isr-cas"));
        await fixture.WaitInSync("isr-cas", 0);
        Assert.True((await fixture.Leadership("isr-cas", 0)).PartitionEpoch > shrunk.PartitionEpoch);
    }

    /// <summary>
    /// A silo's batch of ISR changes (several partitions of one topic, and one that does not exist) is checked change by
    /// change, answered in order, and saved whole: no change of one partition is lost to another's in the same topic.
    /// </summary>
    [Fact]
    public async Task A_batch_of_isr_changes_is_answered_change_by_change_and_saved_whole()
    {
        await fixture.CreateTopic("isr-batch", partitions: 3);
        var seen = new List<PartitionLeadership>();
        for (var partition = 0; partition < 3; partition++)
        {
            await fixture.WaitInSync("isr-batch", partition);
            seen.Add(await fixture.Leadership("isr-batch", partition));
        }

        ImmutableArray<IsrChange> changes =
        [
            .. seen.Select(l => new IsrChange("isr-batch", l.Partition, l.LeaderEpoch, l.PartitionEpoch, [.. l.Isr.Where(b => b != l.Followers.First())])),
            new IsrChange("isr-batch", 7, 0, 0, [0]),
        ];
        var results = await fixture.Coordinator.AlterIsrs(changes);

        Assert.Equal(changes.Length, results.Length);
        var described = await fixture.Coordinator.DescribeTopic("isr-batch");
        for (var partition = 0; partition < 3; partition++)
        {
            Assert.Equal(ErrorCode.None, results[partition].Error);
            Assert.Equal(seen[partition].PartitionEpoch + 1, results[partition].Leadership!.PartitionEpoch);
            Assert.Equal(changes[partition].Isr.Order(), described.Partitions[partition].Isr.Order());
        }

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, results[3].Error);

        // Told the current state, the leaders take their caught-up replicas back.
        for (var partition = 0; partition < 3; partition++)
        {
            await fixture.Inside.GetPartitionGrain("isr-batch", partition).Refresh(described);
            await fixture.WaitInSync("isr-batch", partition);
        }
    }

    [Fact]
    public async Task A_stalled_follower_leaves_the_isr_and_rejoins_once_it_catches_up()
    {
        using var isrChanges = new TopicCounters("stall", "orleanslog.isr.shrinks", "orleanslog.isr.expands");
        await fixture.CreateTopic("stall", partitions: 1);
        var leadership = await fixture.Leadership("stall", 0);
        var stalled = leadership.Followers.First();
        var partition = fixture.Grains.GetPartitionGrain("stall", 0);
        fixture.Stall(stalled);
        try
        {
            // acks=all waits for the stalled follower until replica.lag.time.max.ms (2 s here) drops it from the ISR.
            var response = await partition.Produce(new ProduceRequest(Batches.Of("while-stalled")));
            Assert.Equal(ErrorCode.None, response.Error);
            var shrunk = await fixture.Leadership("stall", 0);
            Assert.DoesNotContain(stalled, shrunk.Isr);
            Assert.Equal(2, shrunk.Isr.Length);
        }
        finally
        {
            fixture.Unstall(stalled);
        }

        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("after")))).Error);
        await fixture.WaitInSync("stall", 0);
        Assert.Equal(2, (await fixture.Follower("stall", 0, stalled).GetState()).LogEndOffset);

        // The leader's broker counted both changes on its metrics.
        Assert.True(isrChanges.Total("orleanslog.isr.shrinks") >= 1);
        Assert.True(isrChanges.Total("orleanslog.isr.expands") >= 1);
    }

    [Fact]
    public async Task Too_few_in_sync_replicas_refuse_acks_all_and_append_nothing()
    {
        await fixture.CreateTopic("min-isr", partitions: 1, configs: ImmutableDictionary<string, string>.Empty.Add(TopicConfig.MinInsyncReplicasKey, "3"));
        var leadership = await fixture.Leadership("min-isr", 0);
        var stalled = leadership.Followers.First();
        var partition = fixture.Grains.GetPartitionGrain("min-isr", 0);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("in-sync")))).Error);

        fixture.Stall(stalled);
        try
        {
            // The produce that was in flight when the ISR shrank is written, but reported as not safely replicated.
            var during = await partition.Produce(new ProduceRequest(Batches.Of("shrinking")));
            Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, during.Error);
            var end = (await partition.GetState()).LogEndOffset;

            var refused = await partition.Produce(new ProduceRequest(Batches.Of("refused")));
            Assert.Equal(ErrorCode.NotEnoughReplicas, refused.Error);
            Assert.Contains("min.insync.replicas is 3", refused.ErrorMessage);
            Assert.Equal(end, (await partition.GetState()).LogEndOffset);

            Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("acks-1"), Acks: Acks.Leader))).Error);
        }
        finally
        {
            fixture.Unstall(stalled);
        }

        await fixture.WaitInSync("min-isr", 0);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("back")))).Error);
    }

    [Fact]
    public async Task A_follower_refuses_pushes_from_an_older_epoch()
    {
        await fixture.CreateTopic("fenced", partitions: 1);
        var leadership = await fixture.Leadership("fenced", 0);
        var follower = fixture.Follower("fenced", 0, leadership.Followers.First());
        await follower.Fence(leadership.LeaderEpoch + 1);

        var push = await follower.Replicate(new ReplicateRequest(leadership.LeaderEpoch, Batches.Of("stale"), 0, 0));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, push.Error);
        var reconcile = await follower.Reconcile(new ReconcileRequest(leadership.LeaderEpoch, leadership.Leader, [], 0, 0, 0));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, reconcile.Error);
    }
}
