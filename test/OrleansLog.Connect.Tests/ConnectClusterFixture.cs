using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLog.Connect.Hosting;
using OrleansLog.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>Three brokers in a TestCluster that run connectors (broker 0 is the primary silo: tests kill brokers 1 and 2). The HTTP sink may send to loopback.</summary>
public sealed class ConnectClusterFixture : BrokerClusterFixture
{
    protected override short SiloCount => 3;

    public IMetadataGrain Coordinator => Inside.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<LoopbackHttpSink>();

    public async Task CreateTopic(string name, int partitions)
    {
        await Wait.Until(async () => (await Coordinator.ListBrokers()).Count(b => b.IsAlive) == SiloCount, "all three brokers registered");
        await Coordinator.CreateTopic(name, partitions, 3, ImmutableDictionary<string, string>.Empty);
    }

    private sealed class LoopbackHttpSink : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.Configure<ConnectOptions>(o => o.AllowedHosts = ["127.0.0.1"]);
    }
}
