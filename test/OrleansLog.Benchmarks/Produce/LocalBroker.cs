using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansLog.Client.Hosting;
using OrleansLog.Connect.Hosting;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Benchmarks.Produce;

/// <summary>
/// A single-silo broker and a separate Orleans client in this process, talking through the silo's
/// gateway over loopback TCP, as a service on the same machine would.
/// </summary>
internal sealed class LocalBroker : IAsyncDisposable
{
    private readonly IHost _silo;
    private readonly IHost _client;

    private LocalBroker(IHost silo, IHost client)
    {
        _silo = silo;
        _client = client;
        Grains = client.Services.GetRequiredService<IClusterClient>();
    }

    public IGrainFactory Grains { get; }

    /// <summary>The silo's services.</summary>
    public IServiceProvider SiloServices => _silo.Services;

    /// <summary>Starts the broker; with <paramref name="kafkaPort"/> it also serves the Kafka protocol there, on loopback (or on the listeners <paramref name="settings"/> name).</summary>
    /// <remarks>Where the broker checks ACLs, the client signs in with <paramref name="credentials"/>.</remarks>
    /// <remarks>With <paramref name="connect"/>, the broker runs connectors, which may connect to loopback.</remarks>
    public static async Task<LocalBroker> StartAsync(string dataDirectory, int siloPort, int gatewayPort, int? kafkaPort = null, IReadOnlyDictionary<string, string?>? settings = null, (string User, string Password)? credentials = null, bool connect = false)
    {
        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        siloBuilder.Logging.ClearProviders();
        siloBuilder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansLog:DataDirectory"] = dataDirectory });
        siloBuilder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        siloBuilder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "bench", clusterId: "bench")
                .AddOrleansLog()
                .AddOrleansLogFileStorage();
            if (kafkaPort is { } port)
            {
                silo.AddOrleansLogKafka(siloBuilder.Configuration, kafka => (kafka.ListenAddress, kafka.Port) = ("127.0.0.1", port));
            }

            if (connect)
            {
                silo.AddOrleansLogConnect(options => (options.AllowedHosts, options.CheckInterval) = (["127.0.0.1"], TimeSpan.FromMilliseconds(200)));
            }
        });
        var silo = siloBuilder.Build();
        await silo.StartAsync();

        var clientBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        clientBuilder.Logging.ClearProviders();
        clientBuilder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("bench", "bench"));
            if (credentials is var (user, password))
            {
                client.UseOrleansLogSignIn(signIn => signIn.SignIn(user, password));
            }
        });
        var client = clientBuilder.Build();
        await client.StartAsync();
        return new LocalBroker(silo, client);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync();
        _client.Dispose();
        await _silo.StopAsync();
        _silo.Dispose();
    }
}
