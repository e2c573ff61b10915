using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// The coordinator's news reaches each broker in one call (<see cref="IReplicaManagerGrain"/>) and starts nothing that is
/// idle: follower replicas learn the epoch without a follower grain, and only the leaders asked to wake start.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class ReplicaManagerTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task News_fences_the_follower_replicas_without_starting_them_and_starts_only_the_leaders_asked_to_wake()
    {
        var topic = await fixture.CreateTopic("news", partitions: 2);
        var woken = new TopicPartition("news", 0);
        var quiet = new TopicPartition("news", 1);

        // No client has called either partition: nothing runs for them on any broker.
        for (var broker = 0; broker < 3; broker++)
        {
            Assert.False(fixture.BrokerService<ActivePartitions>(broker).IsRunning(quiet));
            Assert.False(fixture.BrokerService<LogManager>(broker).IsOpen(quiet, topic.TopicId));
        }

        for (var broker = 0; broker < 3; broker++)
        {
            await fixture.Inside.GetGrain<IReplicaManagerGrain>(broker).Apply([new LeadershipNotice(topic, [0, 1], [0])]);
        }

        var leader = topic.Partitions[0].Leader;
        await Wait.Until(() => fixture.BrokerService<ActivePartitions>(leader).IsRunning(woken), "the leader asked to wake starts");
        foreach (var follower in topic.Partitions[1].Followers)
        {
            Assert.Equal(topic.Partitions[1].LeaderEpoch, fixture.BrokerService<LocalReplicas>(follower).TryGet(quiet, topic.TopicId)?.KnownEpoch);
        }

        for (var broker = 0; broker < 3; broker++)
        {
            Assert.False(fixture.BrokerService<ActivePartitions>(broker).IsRunning(quiet));
            Assert.False(fixture.BrokerService<LogManager>(broker).IsOpen(quiet, topic.TopicId));
        }

        await fixture.WaitInSync("news", 0);
    }
}
