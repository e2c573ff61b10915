using OrleansLog.Server.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// The coordinator's evidence that a silent broker's process is gone. This TestCluster's transport is in
/// memory, where no silo listens on its TCP port: a first version that trusted a refused port found every
/// silo gone and fenced live brokers after a stall (CI's randomized fault test). The probe now only trusts a
/// refused port when its own silo's port accepts; here the evidence comes from Orleans' transport.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class SiloGoneProbeTests(ReplicatedClusterFixture fixture)
{
    [Fact]
    public async Task A_live_silo_answers_and_a_killed_one_is_gone()
    {
        await fixture.CreateTopic("probed", partitions: 1);
        var probe = fixture.BrokerService<SiloGoneProbe>(0);
        var live = fixture.BrokerSilo(1).SiloAddress;
        var victim = fixture.BrokerSilo(2).SiloAddress;

        Assert.Equal(SiloProbeFinding.Answered, await probe.ProbeAsync(live, TimeSpan.FromSeconds(5)));
        Assert.Equal(SiloProbeFinding.Answered, await probe.ProbeAsync(victim, TimeSpan.FromSeconds(5)));

        await fixture.KillBroker(2);
        try
        {
            Assert.Equal(SiloProbeFinding.Gone, await probe.ProbeAsync(victim, TimeSpan.FromSeconds(5)));
            Assert.Equal(SiloProbeFinding.Answered, await probe.ProbeAsync(live, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await fixture.RestartBroker(2);
            await Wait.Until(async () => (await fixture.Coordinator.ListBrokers()).Count(b => b.IsAlive) == 3, "broker 2 is back");
        }
    }
}
