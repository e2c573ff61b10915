using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using OrleansLog.Postgres;
using OrleansLog.Testing;

namespace OrleansLog.Benchmarks.Density;

/// <summary>
/// The brokers the partitions benchmark measures, as real processes of this build: one embedded broker, or a
/// cluster of brokers on a PostgreSQL server started here (cluster mode, as deployed). Not thread-safe: the
/// benchmark drives it from one flow.
/// </summary>
internal sealed class DensityBrokers : IAsyncDisposable
{
    private readonly PostgresServer? _postgres;
    private readonly SiloProcess[] _brokers;

    private DensityBrokers(PostgresServer? postgres, SiloProcess[] brokers)
    {
        _postgres = postgres;
        _brokers = brokers;
    }

    public int Count => _brokers.Length;

    /// <summary>Every broker's Kafka listener, for a client's bootstrap list.</summary>
    public string KafkaBootstrap => string.Join(',', _brokers.Select(b => b.KafkaBootstrap));

    public static async Task<DensityBrokers> StartAsync(string directory, int count)
    {
        if (count == 1)
        {
            return new DensityBrokers(null, [await SiloProcess.StartAsync(Path.Combine(directory, "broker"), TimeSpan.FromSeconds(120))]);
        }

        var postgres = await PostgresServer.StartNewAsync();
        try
        {
            var connection = await postgres.CreateDatabaseAsync("orleanslog");
            await PostgresSchema.MigrateAsync(connection);
            var brokers = await Task.WhenAll(Enumerable.Range(0, count).Select(id =>
                SiloProcess.StartAsync(Path.Combine(directory, $"broker-{id}"), TimeSpan.FromSeconds(120), PostgresClusterFixture.ClusterArguments(connection, id))));
            return new DensityBrokers(postgres, brokers);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>Each broker's resident memory (MiB) and open file descriptors now.</summary>
    public IReadOnlyList<(double RssMb, int Files)> Usage() => [.. _brokers.Select(Usage)];

    /// <summary>
    /// Restarts each broker in turn, as a rolling update does: stopped cleanly (SIGTERM), started again, ready, and (with
    /// replicas) every partition's ISR full again before the next one stops, as Kafka's operators wait for no
    /// under-replicated partitions. Returns the longest time one took from its start to ready, and to in sync.
    /// </summary>
    public async Task<(double Ready, double InSync)> RestartAsync()
    {
        double ready = 0, inSync = 0;
        for (var i = 0; i < _brokers.Length; i++)
        {
            await _brokers[i].StopAsync(TimeSpan.FromMinutes(2));
            var clock = Stopwatch.StartNew();
            var restarted = await _brokers[i].RestartAsync(TimeSpan.FromMinutes(5));
            ready = Math.Max(ready, clock.Elapsed.TotalSeconds);
            await _brokers[i].DisposeAsync();
            _brokers[i] = restarted;
            if (_brokers.Length > 1)
            {
                await WaitInSyncAsync(i, TimeSpan.FromMinutes(10));
                inSync = Math.Max(inSync, clock.Elapsed.TotalSeconds);
            }
        }

        return (ready, inSync);
    }

    /// <summary>Waits until Metadata shows every partition with its whole replica set in sync.</summary>
    private async Task WaitInSyncAsync(int restarted, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = KafkaBootstrap }).Build();
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            var behind = -1;
            try
            {
                behind = admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics.Sum(t => t.Partitions.Count(p => p.InSyncReplicas.Length < p.Replicas.Length));
            }
            catch (KafkaException)
            {
                // Asked again below.
            }

            if (behind == 0)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"After broker {restarted} restarted, {behind} partition(s) were still under-replicated after {timeout.TotalMinutes} min.");
            }

            if (clock.Elapsed - reported > TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  broker {restarted} restarted {clock.Elapsed.TotalSeconds:0} s ago: {behind:N0} partition(s) under-replicated"));
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var broker in _brokers)
        {
            await broker.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static (double RssMb, int Files) Usage(SiloProcess broker)
    {
        var rss = File.ReadLines($"/proc/{broker.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (kilobytes / 1024.0, Directory.GetFiles($"/proc/{broker.ProcessId}/fd").Length);
    }
}
