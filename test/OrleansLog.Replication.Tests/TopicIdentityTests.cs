using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// A broker that missed a topic's delete never serves the old topic's records as the new one's: its
/// follower switches to the recreated topic's own log when the new leader reconciles (KIP-516's topic ids).
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class TopicIdentityTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task A_broker_that_missed_the_delete_follows_the_recreated_topic_from_its_own_log()
    {
        const string topic = "recreated";
        await fixture.CreateTopic(topic, partitions: 1);
        var partition = fixture.Grains.GetPartitionGrain(topic, 0);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of($"old-{i}")))).Error);
        }

        await fixture.WaitInSync(topic, 0);
        var missing = (await fixture.Leadership(topic, 0)).Followers.First();
        Assert.Equal(10, (await fixture.Follower(topic, 0, missing).GetState()).LogEndOffset);

        fixture.MissDeletes(missing, true);
        try
        {
            await fixture.Coordinator.DeleteTopic(topic);
        }
        finally
        {
            fixture.MissDeletes(missing, false);
        }

        await fixture.CreateTopic(topic, partitions: 1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.None, (await fixture.Grains.GetPartitionGrain(topic, 0).Produce(new ProduceRequest(Batches.Of($"new-{i}")))).Error);
        }

        await fixture.WaitInSync(topic, 0);
        var replica = await fixture.LogOn(missing, topic, 0);
        using var read = replica.Read(0, 1 << 20);
        Assert.Equal(["new-0", "new-1", "new-2"], Batches.Records(read.Records.Span).Select(r => r.Value));
        Assert.Equal(3, (await fixture.Follower(topic, 0, missing).GetState()).LogEndOffset);
    }
}
