using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

[Collection(ReplicatedCluster.Name)]
public class OfflinePartitionTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task A_partition_without_a_live_in_sync_replica_says_leader_not_available_and_comes_back_with_its_data()
    {
        // With RF=2 over three brokers, one partition lives on brokers 1 and 2 only: kill both.
        var topic = await fixture.CreateTopic("offline", partitions: 3, replicationFactor: 2);
        var victim = topic.Partitions.Single(p => !p.Replicas.Contains(0));
        // Called from inside the cluster (broker 0): the test's external client sends each grain's calls through one gateway
        // and retries a failed send once, so with two of the three gateways dead a call could fail on both before the
        // client's gateway list (refreshed every minute) drops them. That is the Orleans client's transport, not this test's subject.
        var partition = fixture.Inside.GetPartitionGrain("offline", victim.Partition);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("kept")))).Error);
        await fixture.WaitInSync("offline", victim.Partition);

        await fixture.KillBroker(1);
        await fixture.KillBroker(2);
        try
        {
            await Wait.Until(async () => !(await fixture.Leadership("offline", victim.Partition)).IsOnline, "the partition goes offline", TimeSpan.FromSeconds(20));
            var offline = await fixture.Leadership("offline", victim.Partition);
            Assert.Equal(PartitionLeadership.NoLeader, offline.Leader);
            Assert.NotEmpty(offline.Isr);

            var produce = await Assert.ThrowsAsync<OrleansLogException>(() => partition.Produce(new ProduceRequest(Batches.Of("refused"))));
            Assert.Equal(ErrorCode.LeaderNotAvailable, produce.Code);
            var fetch = await Assert.ThrowsAsync<OrleansLogException>(() => partition.Fetch(new FetchRequest(0, MaxBytes: 1024)));
            Assert.Equal(ErrorCode.LeaderNotAvailable, fetch.Code);
        }
        finally
        {
            await fixture.RestartBroker(1);
            await fixture.RestartBroker(2);
        }

        await fixture.WaitInSync("offline", victim.Partition);
        var back = await fixture.Leadership("offline", victim.Partition);
        Assert.True(back.LeaderEpoch > victim.LeaderEpoch);
        var read = await partition.Fetch(new FetchRequest(0, MaxBytes: 1 << 20));
        Assert.Equal([(0L, "kept")], Batches.Records(read.Records.Span).ToArray());
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("again")))).Error);
    }
}
