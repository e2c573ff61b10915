using System.Globalization;
using System.Text;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// NATS JetStream: <c>nats-server</c> (Debian's 2.9.10) with JetStream on file storage in the temp
/// directory; for replication factor 3, three servers routed into one cluster (streams with three
/// replicas, acknowledged by a quorum of two).
/// </summary>
public sealed class NatsServers : IBenchmarkServers
{
    private readonly List<PeerProcess> _servers;

    private NatsServers(List<PeerProcess> servers, string url)
    {
        _servers = servers;
        Drivers = [new NatsDriver(url)];
    }

    public static BenchmarkSystem System { get; } = new("nats", StartAsync);

    public IReadOnlyList<int> ProcessIds => [.. _servers.Select(s => s.ProcessId)];

    public IReadOnlyList<IBenchmarkDriver> Drivers { get; }

    public static async Task<IBenchmarkServers> StartAsync(int replicationFactor, string directory)
    {
        var clientPorts = Enumerable.Range(0, replicationFactor).Select(_ => Benchmarks.FreePort()).ToList();
        var routePorts = Enumerable.Range(0, replicationFactor).Select(_ => Benchmarks.FreePort()).ToList();
        var servers = new List<PeerProcess>();
        try
        {
            for (var i = 0; i < replicationFactor; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(directory, $"nats-{i}")).FullName;
                var config = Path.Combine(folder, "nats.conf");
                await File.WriteAllTextAsync(config, Config(i, clientPorts, routePorts, folder));
                servers.Add(await PeerProcess.StartAsync("nats-server", ["-c", config], clientPorts[i], folder));
            }
        }
        catch
        {
            await PeerProcess.DisposeAllAsync(servers);
            throw;
        }

        return new NatsServers(servers, string.Join(',', clientPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"nats://127.0.0.1:{p}"))));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in Drivers.OfType<NatsDriver>())
        {
            await driver.DisposeAsync();
        }

        await PeerProcess.DisposeAllAsync(_servers);
    }

    /// <summary>The server's configuration file; JetStream's limits are raised so a 1 GB backlog fits.</summary>
    private static string Config(int index, List<int> clientPorts, List<int> routePorts, string folder)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"server_name: n{index}");
        text.AppendLine(CultureInfo.InvariantCulture, $"listen: 127.0.0.1:{clientPorts[index]}");
        text.AppendLine(CultureInfo.InvariantCulture, $"jetstream {{ store_dir: \"{folder}\", max_file_store: 64GB, max_memory_store: 256MB }}");
        if (clientPorts.Count > 1)
        {
            var routes = string.Join(", ", routePorts.Where((_, i) => i != index).Select(p => string.Create(CultureInfo.InvariantCulture, $"nats-route://127.0.0.1:{p}")));
            text.AppendLine(CultureInfo.InvariantCulture, $"cluster {{ name: bench, listen: 127.0.0.1:{routePorts[index]}, routes: [{routes}] }}");
        }

        return text.ToString();
    }
}
