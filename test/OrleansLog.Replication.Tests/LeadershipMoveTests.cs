using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// When leadership moves, every silo that called the old leader still has its activation's address in its
/// grain directory cache. A call sent there must still reach the new leader: the old leader's silo may not
/// answer it from a fresh activation of its own, forever, as it did before the deposed activation moved
/// itself to the leader's silo (Replication's failover test failed on this in 3 of 8 CI runs).
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class LeadershipMoveTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task A_caller_whose_cache_names_the_old_leader_reaches_the_new_one()
    {
        var topic = await fixture.CreateTopic("moved", partitions: 1);
        var home = topic.Partitions[0].Leader;

        // A controlled shutdown of the preferred leader moves leadership to another replica.
        await fixture.Coordinator.ShutdownBroker(home);
        var interim = (await fixture.Leadership("moved", 0)).Leader;
        Assert.NotEqual(home, interim);
        var caller = Enumerable.Range(0, 3).Single(b => b != home && b != interim);

        // The caller reaches the interim leader, so its directory cache names the interim leader's silo.
        var fromCaller = fixture.BrokerService<IGrainFactory>(caller).GetPartitionGrain("moved", 0);
        await Wait.Until(async () => (await fromCaller.Produce(new ProduceRequest(Batches.Of("interim")))).Error == ErrorCode.None, "the interim leader serves the caller");

        // The preferred leader returns, catches up, and gets leadership back.
        await fixture.Coordinator.RegisterBroker(home, fixture.BrokerSilo(home).SiloAddress);
        await fixture.WaitInSync("moved", 0);
        Assert.True(await fixture.Coordinator.ElectPreferredLeaders("moved") >= 1);
        Assert.Equal(home, (await fixture.Leadership("moved", 0)).Leader);

        // The election returns once every broker heard it; the preferred leader's broker then starts its leader.
        await Wait.Until(() => fixture.BrokerService<ActivePartitions>(home).IsRunning(new TopicPartition("moved", 0)), "the preferred leader starts");

        // The preferred leader's activation ends (a refresh it cannot follow steps it down) while the caller's
        // cache still names the interim leader's silo, and nothing has activated the partition anywhere since.
        var described = await fixture.Coordinator.DescribeTopic("moved");
        var ahead = described with { Partitions = described.Partitions.SetItem(0, described.Partitions[0] with { LeaderEpoch = described.Partitions[0].LeaderEpoch + 1 }) };
        Assert.False(await fixture.BrokerService<IGrainFactory>(home).GetPartitionGrain("moved", 0).Refresh(ahead));
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await Wait.Until(async () => (await HostsOf(management, fromCaller)).Length == 0, "the stepped-down activation is gone");

        // The caller's produce lands on the interim leader's silo, which does not lead: it may refuse once, while
        // its activation moves to the leader's silo, but the caller's next produces are served there.
        var refusals = 0;
        await Wait.Until(
            async () =>
            {
                var response = await fromCaller.Produce(new ProduceRequest(Batches.Of("home")));
                refusals += response.Error == ErrorCode.None ? 0 : 1;
                return response.Error == ErrorCode.None;
            },
            "the caller reaches the preferred leader",
            TimeSpan.FromSeconds(10));
        Assert.True(refusals <= 1, $"{refusals} produces were refused");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(ErrorCode.None, (await fromCaller.Produce(new ProduceRequest(Batches.Of($"home-{i}")))).Error);
        }

        Assert.Equal([fixture.BrokerSilo(home).SiloAddress], await HostsOf(management, fromCaller));
    }

    /// <summary>The silos with an activation of the grain, asked of every silo's catalog (a directory cache may be stale).</summary>
    private static async Task<SiloAddress[]> HostsOf(IManagementGrain management, IPartitionGrain grain)
    {
        var id = grain.GetGrainId();
        return [.. (await management.GetDetailedGrainStatistics()).Where(s => s.GrainId == id).Select(s => s.SiloAddress)];
    }
}
