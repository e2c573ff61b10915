using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

[Collection(ReplicatedCluster.Name)]
public class ReplicaPlacementTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task Replicas_land_on_distinct_brokers_with_leaders_spread_evenly()
    {
        var topic = await fixture.CreateTopic("spread", partitions: 6);

        Assert.All(topic.Partitions, p => Assert.Equal(3, p.Replicas.Distinct().Count()));
        Assert.All(topic.Partitions, p => Assert.Equal(p.Replicas.ToArray(), p.Isr.ToArray()));
        Assert.Equal([2, 2, 2], topic.Partitions.GroupBy(p => p.Leader).Select(g => g.Count()).ToArray());
    }

    [Fact]
    public async Task More_replicas_than_live_brokers_is_refused()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => fixture.CreateTopic("too-many", partitions: 1, replicationFactor: 4));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Code);
        Assert.Null(await fixture.Coordinator.TryGetTopic("too-many"));
    }

    [Fact]
    public async Task Followers_hold_byte_identical_logs_after_a_steady_workload()
    {
        await fixture.CreateTopic("steady", partitions: 3);
        for (var p = 0; p < 3; p++)
        {
            var partition = fixture.Grains.GetPartitionGrain("steady", p);
            for (var i = 0; i < 30; i++)
            {
                var response = await partition.Produce(new ProduceRequest(Batches.Of($"p{p}-{i}-a", $"p{p}-{i}-b")));
                Assert.Equal(ErrorCode.None, response.Error);
            }
        }

        for (var p = 0; p < 3; p++)
        {
            await fixture.WaitInSync("steady", p);
            var leadership = await fixture.Leadership("steady", p);
            var leaderBytes = ReadAll(await fixture.LogOn(leadership.Leader, "steady", p));
            Assert.Equal(60, Batches.Records(leaderBytes).Count);
            foreach (var follower in leadership.Followers)
            {
                var followerLog = await fixture.LogOn(follower, "steady", p);
                Assert.Equal(leaderBytes, ReadAll(followerLog));
                Assert.Equal((await fixture.LogOn(leadership.Leader, "steady", p)).LeaderEpochs.ToArray(), followerLog.LeaderEpochs.ToArray());
            }

            // Only the three replicas have a directory for the partition: followers were placed on their own brokers.
            for (var broker = 0; broker < 3; broker++)
            {
                Assert.Equal(leadership.Replicas.Contains(broker), Directory.Exists(Path.Combine(fixture.DataDirectory, $"broker-{broker}", "logs", $"steady-{p}")));
            }
        }
    }

    private static byte[] ReadAll(Storage.PartitionLog log)
    {
        using var read = log.Read(log.LogStartOffset, int.MaxValue);
        return read.Records.ToArray();
    }
}
