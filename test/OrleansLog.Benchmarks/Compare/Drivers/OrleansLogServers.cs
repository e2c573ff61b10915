using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Postgres;
using OrleansLog.Testing;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// OrleansLog as users run it: broker processes (<c>OrleansLog.Silo</c>, this build's configuration).
/// One broker in its embedded mode (local data directory, no outside server) for replication factor 1;
/// three brokers in cluster mode for 3, on a PostgreSQL server started in the temp directory (it holds
/// membership and metadata only: no message passes through it, and its CPU is not counted). The
/// native client (an Orleans client in this process) and the Kafka listener reach the same brokers.
/// </summary>
public sealed class OrleansLogServers : IBenchmarkServers
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly List<SiloProcess> _brokers;
    private readonly PostgresServer? _postgres;
    private readonly IHost _clientHost;

    private OrleansLogServers(List<SiloProcess> brokers, PostgresServer? postgres, IHost clientHost)
    {
        _brokers = brokers;
        _postgres = postgres;
        _clientHost = clientHost;
        Client = clientHost.Services.GetRequiredService<OrleansLogClient>();
        Drivers = [new OrleansLogNativeDriver(this), new OrleansLogKafkaDriver(this)];
    }

    public OrleansLogClient Client { get; }

    public string KafkaBootstrap => string.Join(',', _brokers.Select(b => b.KafkaBootstrap));

    public IReadOnlyList<int> ProcessIds => [.. _brokers.Select(b => b.ProcessId)];

    public IReadOnlyList<IBenchmarkDriver> Drivers { get; }

    public static BenchmarkSystem System { get; } = new("orleanslog", StartAsync);

    /// <summary>The sums over the brokers of .NET's runtime counters, read from each broker's <c>/metrics</c>.</summary>
    public async Task<ServerRuntime?> RuntimeAsync()
    {
        var total = new ServerRuntime(0, 0, 0);
        foreach (var broker in _brokers)
        {
            total += ServerRuntime.Parse(await Http.GetStringAsync(new Uri($"http://127.0.0.1:{broker.HttpPort}/metrics")));
        }

        return total;
    }

    public static async Task<IBenchmarkServers> StartAsync(int replicationFactor, string directory)
    {
        PostgresServer? postgres = null;
        var brokers = new List<SiloProcess>();
        if (replicationFactor == 1)
        {
            brokers.Add(await SiloProcess.StartAsync(Path.Combine(directory, "broker-0"), TimeSpan.FromSeconds(120)));
        }
        else
        {
            postgres = await PostgresServer.StartNewAsync();
            var connection = await postgres.CreateDatabaseAsync("orleanslog");
            await PostgresSchema.MigrateAsync(connection);
            brokers.AddRange(await Task.WhenAll(Enumerable.Range(0, replicationFactor).Select(id => SiloProcess.StartAsync(
                Path.Combine(directory, $"broker-{id}"),
                TimeSpan.FromSeconds(120),
                ["--cluster-mode", "AdoNet", "--connection", connection, "--advertised-address", "127.0.0.1", "--broker-id", id.ToString(CultureInfo.InvariantCulture)]))));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options =>
        {
            foreach (var broker in brokers)
            {
                options.Gateways.Add(broker.Gateway);
            }
        });
        var host = builder.Build();
        await host.StartAsync();
        var servers = new OrleansLogServers(brokers, postgres, host);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await servers.Client.Admin.ListBrokersAsync()).Count(b => b.IsAlive) < brokers.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only some of the {brokers.Count} brokers joined within 60 s.");
            }

            await Task.Delay(200);
        }

        return servers;
    }

    public async ValueTask DisposeAsync()
    {
        await _clientHost.StopAsync(TimeSpan.FromSeconds(5));
        _clientHost.Dispose();
        foreach (var broker in _brokers)
        {
            await broker.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
