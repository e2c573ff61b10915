using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Metadata;
using OrleansLog.Postgres;
using Xunit;

namespace OrleansLog.Testing;

/// <summary>
/// A real cluster in cluster mode: a PostgreSQL server started for the test class, the schema applied,
/// and three broker processes (<c>OrleansLog.Silo</c> in AdoNet mode, broker ids 0 to 2, each with its own
/// loopback ports and data directory), plus an Orleans client in the test process that knows all three
/// gateways. Failure detection runs on the shipped defaults (broker sessions, Orleans membership): nothing
/// is tuned for tests. Tests that kill or stop a broker start it again before they end.
/// </summary>
public class PostgresClusterFixture : IAsyncLifetime
{
    public const int BrokerCount = 3;

    private readonly TempDirectory _root = new();
    private IHost? _clientHost;

    public PostgresServer Postgres { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    /// <summary>The broker processes, indexed by broker id.</summary>
    public SiloProcess[] Brokers { get; } = new SiloProcess[BrokerCount];

    public OrleansLogClient Client { get; private set; } = null!;

    public IGrainFactory Grains => Client.Grains;

    /// <summary>The services of the client this fixture's tests use (its gateway list provider, for one).</summary>
    public IServiceProvider ClientServices => _clientHost!.Services;

    public IMetadataGrain Coordinator => Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    /// <summary>Switches that make a silo process a cluster-mode broker of this fixture's cluster.</summary>
    public static IReadOnlyList<string> ClusterArguments(string connectionString, int brokerId) =>
    [
        "--cluster-mode", "AdoNet", "--connection", connectionString, "--advertised-address", "127.0.0.1",
        "--broker-id", brokerId.ToString(CultureInfo.InvariantCulture),
        "--OrleansLog:Groups:MinSessionTimeout=00:00:01",

        // A killed transactional processor's transaction is aborted within a second of its timeout.
        "--OrleansLog:Transactions:TimeoutCheckInterval=00:00:01",

        // Output only: a failed test's broker output shows each unanswered heartbeat.
        "--Logging:LogLevel:OrleansLog.Server.Brokers=Debug",
    ];

    /// <summary>Where a subclass keeps files of its own (certificates).</summary>
    protected TempDirectory Root => _root;

    /// <summary>Switches a subclass adds to every broker (after <see cref="ClusterArguments"/>).</summary>
    protected virtual IReadOnlyList<string> ExtraArguments(int brokerId) => [];

    /// <summary>How a subclass changes the test's client.</summary>
    protected virtual void ConfigureClient(OrleansLogClientOptions options)
    {
    }

    /// <summary>Prepares what the brokers need before they start (files a subclass writes).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        Postgres = await PostgresServer.StartNewAsync();
        ConnectionString = await Postgres.CreateDatabaseAsync("orleanslog");
        await PostgresSchema.MigrateAsync(ConnectionString);
        var started = await Task.WhenAll(Enumerable.Range(0, BrokerCount).Select(id =>
            SiloProcess.StartAsync(_root.Sub($"broker-{id}"), TimeSpan.FromSeconds(120), [.. ClusterArguments(ConnectionString, id), .. ExtraArguments(id)])));
        started.CopyTo(Brokers, 0);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options =>
        {
            foreach (var broker in Brokers)
            {
                options.Gateways.Add(broker.Gateway);
            }

            ConfigureClient(options);
        });
        _clientHost = builder.Build();
        await _clientHost.StartAsync();
        Client = _clientHost.Services.GetRequiredService<OrleansLogClient>();
        await WaitBrokersAlive(BrokerCount);
    }

    /// <summary>Waits until the coordinator counts <paramref name="count"/> live brokers.</summary>
    public Task WaitBrokersAlive(int count) =>
        Wait.Until(async () => (await Client.Admin.ListBrokersAsync()).Count(b => b.IsAlive) == count, $"{count} brokers are alive", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

    /// <summary>SIGKILLs broker <paramref name="brokerId"/>'s process.</summary>
    public Task KillBroker(int brokerId) => Brokers[brokerId].KillAsync();

    /// <summary>Starts a killed or stopped broker again on its ports and data directory, and waits until the coordinator sees it.</summary>
    public async Task RestartBroker(int brokerId)
    {
        var old = Brokers[brokerId];
        try
        {
            Brokers[brokerId] = await old.RestartAsync(TimeSpan.FromSeconds(120));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Why the others turned the new process away (a fencing, a probe) is in their output, not in its own.
            throw new InvalidOperationException($"{e.Message}\n{LastOutput(Enumerable.Range(0, BrokerCount).Where(id => id != brokerId))}", e);
        }

        await old.DisposeAsync();
        try
        {
            await WaitBrokersAlive(Brokers.Count(b => !b.HasExited));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            // A coordinator that does not answer, or does not count the new process, says why only in the brokers' output.
            throw new InvalidOperationException($"{e.Message}\n{LastOutput(Enumerable.Range(0, BrokerCount))}", e);
        }
    }

    private string LastOutput(IEnumerable<int> brokerIds) =>
        string.Join('\n', brokerIds.Select(id => $"--- broker {id}'s last output ---\n{string.Join('\n', Brokers[id].Output.Split('\n').TakeLast(60))}"));

    /// <summary>
    /// Starts again every broker a test left killed or stopped (a test that failed half-way), so one
    /// failure does not turn into wrong replica counts in the tests after it.
    /// </summary>
    public async Task RestartExitedBrokers()
    {
        foreach (var id in Enumerable.Range(0, BrokerCount).Where(id => Brokers[id].HasExited).ToList())
        {
            await RestartBroker(id);
        }

        await WaitBrokersAlive(BrokerCount);
    }

    /// <summary>Waits until every partition of <paramref name="topic"/> has all its replicas in the ISR.</summary>
    public Task WaitFullyInSync(string topic, TimeSpan? timeout = null) =>
        Wait.Until(async () => (await Coordinator.DescribeTopic(topic)).Partitions.All(p => p.IsOnline && p.Isr.Length == p.Replicas.Length),
            $"every replica of {topic} is in the ISR", timeout ?? TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

    public async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            await _clientHost.StopAsync(TimeSpan.FromSeconds(5));
            _clientHost.Dispose();
        }

        foreach (var broker in Brokers.Where(b => b is not null))
        {
            await broker.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        _root.Dispose();
    }
}
