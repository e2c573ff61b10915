using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansLog.Connect.Hosting;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Hosting;
using Xunit;

namespace OrleansLog.Testing;

/// <summary>
/// An in-process TestCluster of OrleansLog brokers with grain state in files, all under a temp
/// directory. One per test class (xunit class fixture): deploying costs seconds, tests use their own topics.
/// Each silo is broker N (the primary 0, "Secondary_N" N) with its own log directory
/// (<c>broker-N/logs</c>), grain state is shared (the coordinator moves between silos), membership detects a dead
/// silo within about two seconds, and a follower leaves the ISR after two seconds behind.
/// </summary>
public class BrokerClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly Dictionary<int, SiloHandle> _restarted = [];

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
            ["OrleansLog:Replication:ReplicaLagTimeMax"] = "00:00:02",
            ["OrleansLog:Replication:LivenessCheckInterval"] = "00:00:00.500",
            ["OrleansLog:Replication:RetryBackoff"] = "00:00:00.100",
        }));
        builder.AddSiloBuilderConfigurator<BrokerSiloConfigurator>();
        ConfigureCluster(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var restarted in _restarted.Values.Where(s => s.IsActive))
        {
            await Cluster.StopSiloAsync(restarted);
        }

        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Adds configurators (grain call filters, more services) in a derived fixture.</summary>
    protected virtual void ConfigureCluster(TestClusterBuilder builder)
    {
    }

    /// <summary>
    /// The grain factory of a live silo: calls through it come from inside the cluster, as the brokers' own services make
    /// them; grain methods internal to the cluster refuse the test cluster's client (see ClusterInternalAttribute).
    /// </summary>
    public IGrainFactory Inside => ((InProcessSiloHandle)Cluster.Silos.First(s => s.IsActive)).SiloHost!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>A service of the (first) silo, for tests that drive broker internals such as the retention pass.</summary>
    public T SiloService<T>()
        where T : notnull =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<T>();

    /// <summary>A service of the silo that is broker <paramref name="broker"/>.</summary>
    public T BrokerService<T>(int broker)
        where T : notnull =>
        ((InProcessSiloHandle)BrokerSilo(broker)).SiloHost!.Services.GetRequiredService<T>();

    /// <summary>The live silo that is broker <paramref name="broker"/>.</summary>
    public SiloHandle BrokerSilo(int broker)
    {
        lock (_restarted)
        {
            return _restarted.TryGetValue(broker, out var restarted) && restarted.IsActive
                ? restarted
                : Cluster.GetActiveSilos().Single(s => s.IsActive && BrokerIdOf(s.Name) == broker);
        }
    }

    /// <summary>Kills broker <paramref name="broker"/>'s silo abruptly (no deactivation, no clean close of its logs).</summary>
    public Task KillBroker(int broker) => Cluster.KillSiloAsync(BrokerSilo(broker));

    /// <summary>Starts a killed broker again: the same silo name, so the same broker id and log directory.</summary>
    public async Task RestartBroker(int broker)
    {
        // The TestCluster forgets a killed silo, so it is started by instance number ("Secondary_N" is N).
        var silo = await Cluster.StartSiloAsync(broker, Cluster.Options);
        lock (_restarted)
        {
            _restarted[broker] = silo;
        }
    }

    /// <summary>The broker id of a TestCluster silo, by its name: the primary is 0, "Secondary_N" is N.</summary>
    public static int BrokerIdOf(string siloName) =>
        siloName.StartsWith("Secondary_", StringComparison.Ordinal) ? int.Parse(siloName["Secondary_".Length..], CultureInfo.InvariantCulture) : 0;

    private sealed class BrokerSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansLog().AddOrleansLogFileStorage().AddOrleansLogConnect(connect => connect.CheckInterval = TimeSpan.FromMilliseconds(500));
            if (Environment.GetEnvironmentVariable("ORLEANSLOG_SILO_LOG") is { Length: > 0 } diag)
            {
                siloBuilder.Services.AddSingleton<ILoggerProvider>(new SiloLogFile(diag));
            }

            // The silo's name is known only once the silo is built: read it when options are.
            siloBuilder.Services.AddOptions<BrokerOptions>().Configure<ILocalSiloDetails>((o, silo) => o.Id = BrokerIdOf(silo.Name));
            siloBuilder.Services.AddOptions<OrleansLogOptions>().Configure<ILocalSiloDetails>((o, silo) =>
            {
                o.LogDirectoryOverride = Path.Combine(o.DataDirectory, $"broker-{BrokerIdOf(silo.Name)}", "logs");
                o.StateDirectoryOverride = Path.Combine(o.DataDirectory, "state");
            });
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        }
    }
}
