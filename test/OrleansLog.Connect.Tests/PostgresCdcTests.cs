using System.Globalization;
using Npgsql;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Connect.Tests;

/// <summary>
/// Change data capture from one PostgreSQL database into a topic and from the topic into another database, through the
/// REST API only: a snapshot, then 10,000 inserts, updates and deletes made while both connectors run, across a
/// SIGKILL of the broker running both tasks; the second table ends identical to the first.
/// </summary>
public sealed class PostgresCdcTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Changes = 10_000;
    private const string Columns = "id, name, balance, note";

    private PostgresServer _postgres = null!;
    private string _source = "";
    private string _replica = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync();
        _source = await _postgres.CreateDatabaseAsync("shop");
        _replica = await _postgres.CreateDatabaseAsync("replica");
        await PostgresRows.ExecuteAsync(_source, "CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL, balance bigint, note text)");
        await PostgresRows.ExecuteAsync(_source, "INSERT INTO accounts SELECT i, 'name ' || i, i * 10, CASE WHEN i % 3 = 0 THEN NULL ELSE 'tab\there, quote '' and \\ back' END FROM generate_series(1, 500) i");
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Theory]
    [InlineData("org.apache.kafka.connect.json.JsonConverter")]
    [InlineData("io.confluent.connect.avro.AvroConverter")]
    [InlineData("io.confluent.connect.json.JsonSchemaConverter")]
    public async Task A_snapshot_and_10000_changes_are_replayed_into_an_identical_table_across_a_SIGKILL(string converter)
    {
        await using var broker = await ConnectBroker.StartAsync();
        var database = new Dictionary<string, string>
        {
            ["database.hostname"] = "127.0.0.1",
            ["database.port"] = _postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["database.user"] = "postgres",
            ["key.converter"] = converter,
            ["value.converter"] = converter,
        };
        await broker.CreateAsync("shop-cdc", new(database)
        {
            ["connector.class"] = "PostgresSource",
            ["database.dbname"] = "shop",
            ["table.include.list"] = "public.accounts",
            ["topic.prefix"] = "shop",
        });
        await broker.CreateAsync("replica-sink", new(database)
        {
            ["connector.class"] = "PostgresSink",
            ["database.dbname"] = "replica",
            ["topics"] = "shop.public.accounts",
            ["table.name.format"] = "accounts",
            ["auto.create"] = "true",
        });
        await broker.WaitForTasks("shop-cdc", "RUNNING");

        // Half the changes, a SIGKILL while the connectors work on them, the other half while the broker restarts.
        await MakeChangesAsync(Changes / 2);
        await broker.KillAndRestartAsync();
        output.WriteLine($"killed after {_made} changes");
        await MakeChangesAsync(Changes);

        var expected = await PostgresRows.ListAsync(_source, "accounts", Columns);
        try
        {
            await Wait.Until(async () => await PostgresRows.ListAsync(_replica, "accounts", Columns) is { } rows && rows.SequenceEqual(expected), "the replica holds exactly the source's rows", TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(500));
        }
        catch (Exception)
        {
            var rows = await PostgresRows.ListAsync(_replica, "accounts", Columns);
            output.WriteLine($"source {expected.Count} rows, replica {rows.Count}; first differences: {string.Join("; ", expected.Except(rows).Take(3))} / {string.Join("; ", rows.Except(expected).Take(3))}");
            output.WriteLine((await broker.Send(HttpMethod.Get, "/connectors?expand=status")).Body.ToString());
            output.WriteLine((await broker.Send(HttpMethod.Get, "/v3/clusters/orleanslog/consumer-groups/connect-replica-sink/lags")).Body.ToString());
            output.WriteLine(broker.Silo.Output);
            throw;
        }

        var status = await broker.WaitForTasks("replica-sink", "RUNNING");
        output.WriteLine($"{expected.Count} rows identical; sink status {status}");
        Assert.InRange(expected.Count, 100, 10_000);
        if (!converter.EndsWith(".JsonConverter", StringComparison.Ordinal))
        {
            // The schemas went to the cluster's registry, under Confluent's TopicNameStrategy subjects.
            var (_, subjects) = await broker.Send(HttpMethod.Get, "/subjects");
            Assert.Equal(["shop.public.accounts-key", "shop.public.accounts-value"], subjects.EnumerateArray().Select(s => s.GetString()).Order());
        }
    }

    private int _made;
    private int _nextId = 501;

    /// <summary>Random inserts, updates and deletes, in transactions of 1 to 10 (some rolled back), until <paramref name="total"/> were committed.</summary>
    private async Task MakeChangesAsync(int total)
    {
        var random = new Random(25 + total);
        await using var connection = new NpgsqlConnection(_source);
        await connection.OpenAsync();
        while (_made < total)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var statements = random.Next(1, 11);
            for (var i = 0; i < statements; i++)
            {
                var id = random.Next(1, _nextId);
                var sql = random.Next(10) switch
                {
                    < 4 => $"INSERT INTO accounts VALUES ({_nextId++}, 'new {_nextId}', {random.Next()}, 'inserted') ON CONFLICT DO NOTHING",
                    < 8 => $"UPDATE accounts SET balance = balance + {random.Next(1, 100)}, note = {(random.Next(4) == 0 ? "NULL" : $"'updated {i}'")} WHERE id = {id}",
                    _ => $"DELETE FROM accounts WHERE id = {id}",
                };
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                await command.ExecuteNonQueryAsync();
            }

            if (random.Next(20) == 0)
            {
                await transaction.RollbackAsync();
                continue;
            }

            await transaction.CommitAsync();
            _made += statements;
        }
    }

}
