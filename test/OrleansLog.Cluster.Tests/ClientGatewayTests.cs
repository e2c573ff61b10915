using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// The native client's gateways follow the cluster: a SIGKILLed broker's gateway leaves the client's list
/// within seconds and stays out while the broker is dead (a static list put it back after its refresh
/// period), and the restarted broker's gateway comes back.
/// </summary>
[Collection(PostgresCluster.Name)]
public class ClientGatewayTests(PostgresClusterFixture cluster, ITestOutputHelper output) : BrokersRunningFirst(cluster)
{
    [Fact]
    public async Task A_dead_brokers_gateway_leaves_the_clients_list_within_seconds_and_a_restarted_one_returns()
    {
        const int victim = 2;
        var gateways = Cluster.ClientServices.GetRequiredService<IGatewayListProvider>();
        var port = Cluster.Brokers[victim].GatewayPort;
        await Wait.Until(async () => (await gateways.GetGateways()).Any(g => g.Port == port), "the client knows every broker's gateway", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        await Cluster.KillBroker(victim);
        var killed = Stopwatch.StartNew();
        await Wait.Until(async () => !(await gateways.GetGateways()).Any(g => g.Port == port), "the dead broker's gateway leaves the list", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        output.WriteLine($"the dead broker's gateway left the client's list {killed.Elapsed.TotalSeconds:0.0} s after the SIGKILL");
        Assert.Equal(2, (await gateways.GetGateways()).Count);

        await Cluster.RestartBroker(victim);
        await Wait.Until(async () => (await gateways.GetGateways()).Any(g => g.Port == port), "the restarted broker's gateway is back", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }
}
