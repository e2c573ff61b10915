using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLog.Testing;

namespace OrleansLog.Client.Tests;

/// <summary>
/// A one-silo broker with the test faults of <see cref="ClientTestFaults"/>, switched per test through
/// <see cref="Faults"/>: the silo's own instance, injected into its grain-call filter (no static switches).
/// </summary>
public sealed class ClientClusterFixture : BrokerClusterFixture
{
    public ClientTestFaults Faults => SiloService<ClientTestFaults>();

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FaultConfigurator>();

    private sealed class FaultConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<ClientTestFaults>();
            siloBuilder.AddIncomingGrainCallFilter<ClientTestFaults.Filter>();
        }
    }
}
