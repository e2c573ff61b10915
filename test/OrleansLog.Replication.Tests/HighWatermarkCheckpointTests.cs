using OrleansLog.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// Every broker checkpoints the high watermark it knows for each of its logs, leader and followers alike,
/// so after a whole-cluster restart whichever replica leads serves the committed records at once.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class HighWatermarkCheckpointTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task Leader_and_followers_checkpoint_the_high_watermark_they_know()
    {
        const string topic = "checkpointed";
        await fixture.CreateTopic(topic, partitions: 1);
        var partition = fixture.Grains.GetPartitionGrain(topic, 0);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of($"v{i}")))).Error);
        }

        await fixture.WaitInSync(topic, 0);
        var leadership = await fixture.Leadership(topic, 0);
        foreach (var follower in leadership.Followers)
        {
            // A follower learns the high watermark with the leader's next push.
            await Wait.Until(async () => (await fixture.Follower(topic, 0, follower).GetState()).HighWatermark == 4, $"broker {follower} knows the high watermark");
        }

        foreach (var broker in leadership.Replicas)
        {
            Assert.True(fixture.BrokerService<HighWatermarkCheckpointer>(broker).RunOnce() > 0);
            var log = await fixture.LogOn(broker, topic, 0);
            Assert.True(log.CheckpointedHighWatermark == 4, $"broker {broker} checkpointed {log.CheckpointedHighWatermark}");
        }
    }
}
