using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLog.Server.Hosting;
using Xunit;

namespace OrleansLog.Testing;

/// <summary>
/// An in-process TestCluster of OrleansLog brokers with grain state in files, all under a temp
/// directory. One per test class (xunit class fixture): deploying costs seconds, tests use their own topics.
/// </summary>
public class BrokerClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public string DataDirectory => _data.Path;

    protected virtual short SiloCount => 1;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(SiloCount);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansLog:DataDirectory"] = _data.Path,
            ["OrleansLog:RetentionCheckInterval"] = "01:00:00",

            // Short group timings, so session expiry and new partitions show within a test.
            ["OrleansLog:Groups:MinSessionTimeout"] = "00:00:00.200",
            ["OrleansLog:Groups:SessionCheckInterval"] = "00:00:00.100",
            ["OrleansLog:Groups:MetadataRefreshInterval"] = "00:00:00.300",
        }));
        builder.AddSiloBuilderConfigurator<BrokerSiloConfigurator>();
        ConfigureCluster(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Adds configurators (grain call filters, more services) in a derived fixture.</summary>
    protected virtual void ConfigureCluster(TestClusterBuilder builder)
    {
    }

    /// <summary>A service of the (first) silo, for tests that drive broker internals such as the retention pass.</summary>
    public T SiloService<T>()
        where T : notnull =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<T>();

    private sealed class BrokerSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddOrleansLog().AddOrleansLogFileStorage();
    }
}
