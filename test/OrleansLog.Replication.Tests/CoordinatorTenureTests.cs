using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLog.Metadata;
using OrleansLog.Server.Metadata;
using OrleansLog.Server.Persistence;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// A coordinator activation that a newer one superseded (Orleans activated the coordinator twice while a silo left)
/// moves no leader: it reads the stored epoch first, refuses with NOT_CONTROLLER and deactivates, and the next
/// activation, with the next epoch, does the work. The newer activation is stood in for by writing a newer epoch.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class CoordinatorTenureTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task A_superseded_coordinator_moves_no_leader_and_the_next_activation_does()
    {
        var topic = await fixture.CreateTopic("tenure", partitions: 1);
        var home = topic.Partitions[0].Leader;
        await fixture.WaitInSync("tenure", 0);

        var storage = fixture.SiloService<IServiceProvider>().GetRequiredKeyedService<IGrainStorage>(OrleansLogStorage.Name);
        var coordinatorId = fixture.Coordinator.GetGrainId();
        var stored = new GrainState<MetadataState>();
        await storage.ReadStateAsync("metadata", coordinatorId, stored);
        Assert.NotNull(stored.State);
        var newer = stored.State.CoordinatorEpoch + 10;
        stored.State.CoordinatorEpoch = newer;
        await storage.WriteStateAsync("metadata", coordinatorId, stored);

        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => fixture.Coordinator.ShutdownBroker(home));
        Assert.Equal(ErrorCode.NotController, refused.Code);
        Assert.Equal(home, (await fixture.Leadership("tenure", 0)).Leader);

        // The next call reaches a new activation (the superseded one deactivated), which takes the next epoch and moves the leader.
        await Wait.Until(async () => await fixture.Coordinator.ShutdownBroker(home) == 0, "a new coordinator activation hands the leadership over");
        Assert.NotEqual(home, (await fixture.Leadership("tenure", 0)).Leader);
        await storage.ReadStateAsync("metadata", coordinatorId, stored);
        Assert.Equal(newer + 1, stored.State.CoordinatorEpoch);

        // The broker "returns": registering again ends its controlled shutdown, and it catches up.
        await fixture.Coordinator.RegisterBroker(home, fixture.BrokerSilo(home).SiloAddress);
        await fixture.WaitInSync("tenure", 0);
    }
}
