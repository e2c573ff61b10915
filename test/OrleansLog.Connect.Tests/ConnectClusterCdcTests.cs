using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Connect.Tests;

/// <summary>
/// The CDC replay on three broker processes (cluster mode on PostgreSQL), through the REST API only: the broker running
/// the source task is SIGKILLed while changes are made, and once its task runs elsewhere and it is back, the broker
/// running the sink task; the second table ends identical to the first.
/// </summary>
public sealed class ConnectClusterCdcTests(ConnectClusterCdcTests.Cluster cluster, ITestOutputHelper output) : IClassFixture<ConnectClusterCdcTests.Cluster>
{
    private int _nextId = 501;

    [Fact]
    public async Task The_tasks_move_off_each_killed_broker_and_the_replica_ends_identical()
    {
        var source = await cluster.Postgres.CreateDatabaseAsync("shop");
        var replica = await cluster.Postgres.CreateDatabaseAsync("replica");
        await PostgresRows.ExecuteAsync(source, "CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL, balance bigint)");
        await PostgresRows.ExecuteAsync(source, "INSERT INTO accounts SELECT i, 'name ' || i, i FROM generate_series(1, 500) i");
        var database = new Dictionary<string, string>
        {
            ["database.hostname"] = "127.0.0.1",
            ["database.port"] = cluster.Postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["database.user"] = "postgres",
            ["key.converter"] = "io.confluent.connect.avro.AvroConverter",
            ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
        };
        await Post(new { name = "cluster-cdc", config = new Dictionary<string, string>(database) { ["connector.class"] = "PostgresSource", ["database.dbname"] = "shop", ["table.include.list"] = "accounts", ["topic.prefix"] = "cluster", ["topic.creation.default.replication.factor"] = "3" } });
        await Post(new { name = "cluster-sink", config = new Dictionary<string, string>(database) { ["connector.class"] = "PostgresSink", ["database.dbname"] = "replica", ["topics"] = "cluster.public.accounts", ["table.name.format"] = "accounts", ["auto.create"] = "true" } });

        // One broker down at a time (topics at RF=3 keep taking writes): changes go on while each task moves. The first
        // kill comes once the snapshot reached the replica (the change topic exists: it is created at RF=3).
        await Wait.Until(async () => (await PostgresRows.ListAsync(replica, "accounts", "id, name, balance")).Count >= 500, "the snapshot reached the replica", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        await MakeChangesAsync(source, 2_500);
        var sourceBroker = await KillBrokerRunning("cluster-cdc");
        await MakeChangesAsync(source, 2_500);
        await WaitRunningElsewhere("cluster-cdc", sourceBroker);
        await cluster.RestartExitedBrokers();
        var sinkBroker = await KillBrokerRunning("cluster-sink");
        await MakeChangesAsync(source, 2_500);
        await WaitRunningElsewhere("cluster-sink", sinkBroker);
        await cluster.RestartExitedBrokers();
        await MakeChangesAsync(source, 2_500);

        var expected = await PostgresRows.ListAsync(source, "accounts", "id, name, balance");
        try
        {
            await Wait.Until(async () => (await PostgresRows.ListAsync(replica, "accounts", "id, name, balance")).SequenceEqual(expected), "the replica holds exactly the source's rows", TimeSpan.FromSeconds(180), TimeSpan.FromMilliseconds(500));
        }
        catch (Exception)
        {
            var rows = await PostgresRows.ListAsync(replica, "accounts", "id, name, balance");
            output.WriteLine($"source {expected.Count} rows, replica {rows.Count}; missing {string.Join("; ", expected.Except(rows).Take(3))}; extra {string.Join("; ", rows.Except(expected).Take(3))}");
            using var http = Http();
            output.WriteLine(await http.GetStringAsync("/connectors?expand=status"));
            foreach (var broker in cluster.Brokers)
            {
                output.WriteLine(broker.Output);
            }

            throw;
        }

        output.WriteLine($"{expected.Count} rows identical; the source's broker {sourceBroker} and the sink's broker {sinkBroker} were killed");
    }

    /// <summary>SIGKILLs the broker whose silo runs the connector's task; returns its id.</summary>
    private async Task<int> KillBrokerRunning(string connector)
    {
        var worker = "";
        await Wait.Until(async () => (worker = await WorkerOf(connector) ?? "") != "", $"{connector}'s task runs", TimeSpan.FromSeconds(60));
        var broker = Array.FindIndex(cluster.Brokers, b => !b.HasExited && worker == $"127.0.0.1:{b.SiloPort}");
        Assert.True(broker >= 0, $"no live broker has silo {worker}");
        await cluster.KillBroker(broker);
        output.WriteLine($"killed broker {broker}, which ran {connector}'s task");
        return broker;
    }

    private async Task WaitRunningElsewhere(string connector, int killed) =>
        await Wait.Until(async () => await WorkerOf(connector) is { } worker && worker != $"127.0.0.1:{cluster.Brokers[killed].SiloPort}", $"{connector}'s task runs on another broker", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));

    /// <summary>The silo of the connector's running task, asked through any live broker; null while it is not running.</summary>
    private async Task<string?> WorkerOf(string connector)
    {
        using var http = Http();
        using var status = JsonDocument.Parse(await http.GetStringAsync($"/connectors/{connector}/status"));
        var task = status.RootElement.GetProperty("tasks")[0];
        return task.GetProperty("state").GetString() == "RUNNING" ? task.GetProperty("worker_id").GetString() : null;
    }

    private async Task Post(object body)
    {
        using var http = Http();
        using var response = await http.PostAsJsonAsync("/connectors", body);
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
    }

    private HttpClient Http() =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Brokers.First(b => !b.HasExited).HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };

    private async Task MakeChangesAsync(string connectionString, int count)
    {
        var random = new Random(count + _nextId);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var made = 0; made < count;)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var statements = random.Next(1, 11);
            for (var i = 0; i < statements; i++)
            {
                var sql = random.Next(10) switch
                {
                    < 4 => $"INSERT INTO accounts VALUES ({_nextId}, 'new {_nextId++}', {random.Next()})",
                    < 8 => $"UPDATE accounts SET balance = balance + {random.Next(1, 100)} WHERE id = {random.Next(1, _nextId)}",
                    _ => $"DELETE FROM accounts WHERE id = {random.Next(1, _nextId)}",
                };
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                await command.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
            made += statements;
        }
    }

    /// <summary>Three broker processes on PostgreSQL that run connectors, which may connect to loopback; tasks are checked every 300 ms.</summary>
    public sealed class Cluster : PostgresClusterFixture
    {
        protected override IReadOnlyList<string> ExtraArguments(int brokerId) =>
            ["--OrleansLog:Connect:AllowedHosts:0", "127.0.0.1", "--OrleansLog:Connect:CheckInterval", "00:00:00.300", "--OrleansLog:Connect:ReplicationFactor", "3"];
    }
}
