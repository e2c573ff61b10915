using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Client;
using OrleansLog.Connect;
using OrleansLog.Testing;

namespace OrleansLog.Benchmarks.Connect;

/// <summary>
/// The PostgreSQL connectors against PostgreSQL's own COPY, in the same run, on the same server (started here, loopback,
/// fsync off as in the tests). Rows of about 100 bytes (id, name, balance, note).
/// <list type="bullet">
/// <item>Baseline: COPY of the rows into a table, one statement.</item>
/// <item>Sink: the rows are in a topic first (JSON with schemas, keyed by id); timed from the connector's creation until
/// the table holds every row.</item>
/// <item>Source: the connector streams (no snapshot); the rows are inserted in transactions of 1,000; timed from the first
/// insert until a consumer has read every change from the topic.</item>
/// </list>
/// Ratios are rows per second against COPY's.
/// </summary>
internal sealed class ConnectBenchmark(string directory, bool quick)
{
    private const int RowBytes = 100;
    private const int Transaction = 1_000;

    private int Rows => quick ? 20_000 : 200_000;

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"connect benchmark in {directory} ({(quick ? "quick" : "full")}): {Rows:N0} rows of about {RowBytes} B, PostgreSQL on loopback");
        await using var postgres = await PostgresServer.StartNewAsync();
        var source = await postgres.CreateDatabaseAsync("source");
        var target = await postgres.CreateDatabaseAsync("target");
        await using var broker = await LocalBroker.StartAsync(Path.Combine(directory, "broker"), Benchmarks.FreePort(), Benchmarks.FreePort(), connect: true);
        var client = new OrleansLogClient(broker.Grains);
        var bytes = (long)Rows * RowBytes;
        var results = new List<BenchmarkResult>();

        await ExecuteAsync(target, "CREATE TABLE copied (id integer PRIMARY KEY, name text, balance bigint, note text)");
        var copy = Report(new BenchmarkResult("connect", "PostgreSQL COPY (baseline)", Rows, bytes, await CopyAsync(target), "-", 0));
        results.Add(copy);

        var settings = new Dictionary<string, string>
        {
            ["database.hostname"] = "127.0.0.1",
            ["database.port"] = postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["database.user"] = "postgres",
            ["key.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
        };
        results.Add(Report(new BenchmarkResult("connect", "PostgresSink: topic to table (upsert by key)", Rows, bytes, await SinkAsync(client, target, settings), "COPY", copy.MegabytesPerSecond)));
        results.Add(Report(new BenchmarkResult("connect", "PostgresSource: committed inserts to a consumer (CDC)", Rows, bytes, await SourceAsync(client, source, settings), "COPY", copy.MegabytesPerSecond)));
        return results;
    }

    private async Task<double> CopyAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var started = Stopwatch.GetTimestamp();
        await using (var writer = await connection.BeginTextImportAsync("COPY copied (id, name, balance, note) FROM STDIN"))
        {
            for (var i = 0; i < Rows; i++)
            {
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{i}\tname {i}\t{i * 10L}\t{Note(i)}\n"));
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task<double> SinkAsync(OrleansLogClient client, string target, Dictionary<string, string> settings)
    {
        const string Topic = "bench-rows";
        await client.Admin.CreateTopicAsync(Topic, 4);
        await using (var producer = client.CreateProducer<byte[], byte[]>())
        {
            for (var i = 0; i < Rows; i++)
            {
                producer.Produce(Topic, new Message<byte[], byte[]>
                {
                    Key = Encoding.UTF8.GetBytes($$$"""{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false},"payload":{"id":{{{i}}}}}"""),
                    Value = Encoding.UTF8.GetBytes($$$"""{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"field":"balance"},{"type":"string","optional":true,"field":"note"}],"optional":false},"payload":{"id":{{{i}}},"name":"name {{{i}}}","balance":{{{i * 10L}}},"note":"{{{Note(i)}}}"}}"""),
                });
            }

            await producer.FlushAsync();
        }

        var started = Stopwatch.GetTimestamp();
        await CreateAsync(client, "bench-sink", new(settings)
        {
            ["connector.class"] = "PostgresSink",
            ["database.dbname"] = "target",
            ["topics"] = Topic,
            ["table.name.format"] = "sunk",
            ["auto.create"] = "true",
            ["tasks.max"] = "2",
        });
        await WaitUntil(async () => await CountAsync(target, "sunk") >= Rows, "the sink wrote every row");
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task<double> SourceAsync(OrleansLogClient client, string source, Dictionary<string, string> settings)
    {
        await ExecuteAsync(source, "CREATE TABLE streamed (id integer PRIMARY KEY, name text, balance bigint, note text)");
        await CreateAsync(client, "bench-source", new(settings)
        {
            ["connector.class"] = "PostgresSource",
            ["database.dbname"] = "source",
            ["table.include.list"] = "public.streamed",
            ["topic.prefix"] = "bench",
            ["snapshot.mode"] = "never",
        });
        await WaitUntil(async () => (await client.Grains.GetGrain<IConnectorGrain>("bench-source").Status()).Value?.Tasks is [{ State: ConnectStates.Running }], "the source runs");

        // RUNNING means the task started; it captures changes once its slot streams (with snapshot.mode=never, what
        // commits before that is not captured).
        await WaitUntil(async () => await ScalarAsync(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'orleanslog_bench' AND active") == 1, "the source's slot streams");

        await using var consumer = client.CreateConsumer<byte[], byte[]>(new OrleansLog.Client.Consuming.ConsumerConfig { GroupId = "bench-cdc", AutoOffsetReset = OrleansLog.Client.Consuming.AutoOffsetReset.Earliest, EnableAutoCommit = false });
        var started = Stopwatch.GetTimestamp();
        var inserts = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(source);
            await connection.OpenAsync();
            for (var first = 0; first < Rows; first += Transaction)
            {
                await using var command = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture,
                    $"INSERT INTO streamed SELECT i, 'name ' || i, i * 10, repeat('n', 60) FROM generate_series({first}, {Math.Min(first + Transaction, Rows) - 1}) i"), connection);
                await command.ExecuteNonQueryAsync();
            }
        });

        // The topic exists once the first change reaches the connector.
        await WaitUntil(async () => (await client.Admin.ListTopicsAsync()).Any(t => t.Name == "bench.public.streamed"), "the change topic exists");
        consumer.Subscribe("bench.public.streamed");
        var read = 0;
        while (read < Rows)
        {
            if (await consumer.ConsumeAsync(TimeSpan.FromSeconds(30)) is null)
            {
                var status = (await client.Grains.GetGrain<IConnectorGrain>("bench-source").Status()).Value;
                throw new TimeoutException($"the source stopped after {read:N0} of {Rows:N0} changes: {status?.Tasks.FirstOrDefault()?.State} {status?.Tasks.FirstOrDefault()?.Trace}; topic end {await client.Admin.ListOffsetAsync(new("bench.public.streamed", 0), -1)}, position {consumer.Position(new("bench.public.streamed", 0))}");
            }

            read++;
        }

        await inserts;
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static string Note(int i) => new('n', 60 + (i % 3));

    private static async Task CreateAsync(OrleansLogClient client, string name, Dictionary<string, string> config)
    {
        var answer = await client.Grains.GetGrain<IConnectorGrain>(name).Put(config.ToImmutableSortedDictionary(StringComparer.Ordinal), createOnly: true);
        if (answer.IsError)
        {
            throw new InvalidOperationException(answer.Message);
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 600.0);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{table}') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync())!)
            {
                return 0;
            }
        }

        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
