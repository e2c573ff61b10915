using System.Globalization;
using StackExchange.Redis;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// Redis Streams: <c>redis-server</c> (Debian's 7.0.15) with the append-only file on (<c>appendonly yes</c>)
/// and one of its two fsync policies, RDB snapshots off; for replication factor 3, a primary and two
/// replicas (<c>replicaof</c>), each with the same policy.
/// </summary>
public sealed class RedisServers : IBenchmarkServers
{
    private readonly List<PeerProcess> _servers;

    private RedisServers(List<PeerProcess> servers, RedisDriver driver)
    {
        _servers = servers;
        Drivers = [driver];
    }

    /// <summary><c>appendfsync always</c>: the AOF is fsynced before replies go out (one fsync per event-loop pass, a group commit).</summary>
    public static BenchmarkSystem Always { get; } = new("redis-always", (rf, directory) => StartAsync("always", rf, directory));

    /// <summary><c>appendfsync everysec</c>: Redis's default with AOF, fsynced once a second (up to a second of acknowledged writes lost on a crash).</summary>
    public static BenchmarkSystem EverySecond { get; } = new("redis-everysec", (rf, directory) => StartAsync("everysec", rf, directory));

    public IReadOnlyList<int> ProcessIds => [.. _servers.Select(s => s.ProcessId)];

    public IReadOnlyList<IBenchmarkDriver> Drivers { get; }

    private static async Task<IBenchmarkServers> StartAsync(string appendFsync, int replicationFactor, string directory)
    {
        var ports = Enumerable.Range(0, replicationFactor).Select(_ => Benchmarks.FreePort()).ToList();
        var servers = new List<PeerProcess>();
        try
        {
            for (var i = 0; i < replicationFactor; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(directory, $"redis-{appendFsync}-{i}")).FullName;
                List<string> arguments =
                [
                    "--port", ports[i].ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder,
                    "--appendonly", "yes", "--appendfsync", appendFsync, "--save", "", "--daemonize", "no", "--logfile", "",
                ];
                if (i > 0)
                {
                    arguments.AddRange(["--replicaof", "127.0.0.1", ports[0].ToString(CultureInfo.InvariantCulture)]);
                }

                servers.Add(await PeerProcess.StartAsync("redis-server", arguments, ports[i], folder));
            }

            var endpoint = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{ports[0]}");
            await WaitReplicasAsync(endpoint, replicationFactor - 1);
            return new RedisServers(servers, new RedisDriver(endpoint, appendFsync, replicationFactor - 1));
        }
        catch
        {
            await PeerProcess.DisposeAllAsync(servers);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in Drivers.OfType<RedisDriver>())
        {
            await driver.DisposeAsync();
        }

        await PeerProcess.DisposeAllAsync(_servers);
    }

    /// <summary>Waits until the primary counts its replicas as connected and synchronised.</summary>
    private static async Task WaitReplicasAsync(string endpoint, int replicas)
    {
        if (replicas == 0)
        {
            return;
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true");
        var server = connection.GetServer(endpoint);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var info = await server.InfoRawAsync("replication") ?? "";
            var online = info.Split('\n').Count(line => line.StartsWith("slave", StringComparison.Ordinal) && line.Contains("state=online", StringComparison.Ordinal));
            if (online >= replicas)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {online} of {replicas} Redis replicas came online within 30 s:\n{info}");
            }

            await Task.Delay(100);
        }
    }
}
