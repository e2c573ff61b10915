using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansLog.Metadata;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Benchmarks.Replicated;

/// <summary>
/// Three brokers (silos 0, 1, 2, each with its own log directory, grain state shared) and an Orleans
/// client in this process, talking over loopback TCP: replication traffic crosses real sockets.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<IHost> _silos;
    private readonly IHost _client;

    private LocalCluster(List<IHost> silos, IHost client)
    {
        _silos = silos;
        _client = client;
        Grains = client.Services.GetRequiredService<IClusterClient>();
    }

    public IGrainFactory Grains { get; }

    /// <summary>The first silo's own grain factory: calls through it come from inside the cluster (internal grain methods, such as a follower's state, refuse clients).</summary>
    public IGrainFactory Inside => _silos[0].Services.GetRequiredService<IGrainFactory>();

    public static async Task<LocalCluster> StartAsync(string dataDirectory, int brokers)
    {
        var ports = Enumerable.Range(0, brokers).Select(_ => (Silo: Benchmarks.FreePort(), Gateway: Benchmarks.FreePort())).ToList();
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0].Silo);
        var silos = new List<IHost>();
        for (var id = 0; id < brokers; id++)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrleansLog:DataDirectory"] = dataDirectory,
                ["OrleansLog:LogDirectoryOverride"] = Path.Combine(dataDirectory, $"broker-{id}"),
                ["OrleansLog:Broker:Id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            var (siloPort, gatewayPort) = ports[id];
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId: "bench", clusterId: "bench")
                .AddOrleansLog()
                .AddOrleansLogFileStorage());
            var host = builder.Build();
            await host.StartAsync();
            silos.Add(host);
        }

        var clientBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        clientBuilder.Logging.ClearProviders();
        clientBuilder.UseOrleansClient(client => client
            .UseStaticClustering([.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p.Gateway))])
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("bench", "bench")));
        var clientHost = clientBuilder.Build();
        await clientHost.StartAsync();
        var cluster = new LocalCluster(silos, clientHost);

        var coordinator = cluster.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        while ((await coordinator.ListBrokers()).Count(b => b.IsAlive) < brokers)
        {
            await Task.Delay(100);
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync();
        _client.Dispose();
        for (var i = _silos.Count - 1; i >= 0; i--)
        {
            await _silos[i].StopAsync();
            _silos[i].Dispose();
        }
    }
}
