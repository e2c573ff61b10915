using System.CommandLine;
using OrleansLog.Benchmarks;
using OrleansLog.Benchmarks.Compaction;
using OrleansLog.Benchmarks.Compare;
using OrleansLog.Benchmarks.Connect;
using OrleansLog.Benchmarks.Density;
using OrleansLog.Benchmarks.EndToEnd;
using OrleansLog.Benchmarks.Kafka;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Benchmarks.Replicated;
using OrleansLog.Benchmarks.Storage;
using OrleansLog.Benchmarks.Transactions;

var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file." };
var quick = new Option<bool>("--quick") { Description = "Small volumes: a smoke run that every path produces figures." };
var directory = new Option<DirectoryInfo?>("--dir") { Description = "Where to write (default: .bench-data in the current folder)." };

var storage = new Command("storage", "Storage engine appends and reads against raw disk writes and reads of the same batch size.")
{
    json, quick, directory,
};
storage.SetAction(async (parse, _) => await Run(parse, folder => new StorageBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var produce = new Command("produce", "One producer through the Orleans client against a local silo, against the storage engine and raw disk.")
{
    json, quick, directory,
};
produce.SetAction(async (parse, _) => await Run(parse, folder => new ProduceBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var e2e = new Command("e2e", "Producer and consumer group through the client library, 1 KiB records, 8 partitions: maximum rate, then end-to-end latency at half of it.")
{
    json, quick, directory,
};
e2e.SetAction(async (parse, _) => await Run(parse, folder => new EndToEndBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var replicated = new Command("replicated", "Three brokers in one process: RF=3 with acks=all and acks=1 against RF=1, 1 KiB records, 8 partitions, max rate.")
{
    json, quick, directory,
};
replicated.SetAction(async (parse, _) => await Run(parse, folder => new ReplicatedBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var tls = new Option<bool>("--tls") { Description = "Also run Confluent.Kafka over a SASL_SSL listener (SCRAM-SHA-512, ACLs on), as ratios to PLAINTEXT in the same run." };
var kafka = new Command("kafka", "Confluent.Kafka through the Kafka listener against the native client, same broker, same run: 1 KiB records, 8 partitions, produce then consume; then Confluent.Kafka's consumer against kcat on 100-byte records in one partition.")
{
    json, quick, directory, tls,
};
kafka.SetAction(async (parse, _) => await Run(parse, folder => new KafkaBenchmark(folder, parse.GetValue(quick), parse.GetValue(tls)).RunAsync()));

var counts = new Option<int[]>("--counts") { Description = "Partition counts to grow to, in order (default 10000 50000 100000; --quick: 2000 5000).", AllowMultipleArgumentsPerToken = true };
var idleSeconds = new Option<int>("--idle") { Description = "Seconds the broker sits idle before its resources are read again (default 60).", DefaultValueFactory = _ => 60 };
var brokers = new Option<int>("--brokers") { Description = "1: one embedded broker (default); more: that many brokers on a PostgreSQL server started here, every topic at RF equal to the broker count.", DefaultValueFactory = _ => 1 };
var partitions = new Command("partitions", "One embedded broker (or a cluster on PostgreSQL) holding many partitions: creation rate through the Kafka admin API, a record in each, memory and open files, a hot partition's latency, a clean restart.")
{
    json, quick, directory, counts, idleSeconds, brokers,
};
partitions.SetAction(async (parse, _) => await Run(parse, folder => new PartitionsBenchmark(folder, parse.GetValue(quick), parse.GetValue(counts), TimeSpan.FromSeconds(parse.GetValue(idleSeconds)), parse.GetValue(brokers)).RunAsync()));

var compaction = new Command("compaction", "The cleaner's throughput on a log of keyed updates against a raw disk copy, and another topic's produce latency while the broker's cleaner runs against it idle.")
{
    json, quick, directory,
};
compaction.SetAction(async (parse, _) => await Run(parse, folder => new CompactionBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var transactions = new Command("transactions", "Transactional produce (transactions of 100 and 1,000 records) against idempotent produce in the same run, native client and Confluent.Kafka, 1 KiB records, 8 partitions.")
{
    json, quick, directory,
};
transactions.SetAction(async (parse, _) => await Run(parse, folder => new TransactionsBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var connect = new Command("connect", "The PostgreSQL sink's rows/s and the PostgreSQL source's changes/s against PostgreSQL's own COPY in the same run (a server started here, loopback).")
{
    json, quick, directory,
};
connect.SetAction(async (parse, _) => await Run(parse, folder => new ConnectBenchmark(folder, parse.GetValue(quick)).RunAsync()));

var output = new Option<DirectoryInfo?>("--out") { Description = "Where compare writes results.json, results.md and the charts (default: benchmark-results in the current folder)." };
var seconds = new Option<int?>("--duration") { Description = "Measured seconds per workload, instead of each workload file's testDurationMinutes." };
var systems = new Option<string[]>("--systems") { Description = $"Only these systems: {string.Join(", ", CompareBenchmark.Systems.Select(s => s.Name))}.", AllowMultipleArgumentsPerToken = true };
var workloadDirectory = new Option<DirectoryInfo?>("--workload-dir") { Description = "Where the workload files are (default: the Workloads folder beside the benchmark)." };
var workloads = new Option<string[]>("--workloads") { Description = "Only these workloads (file names without .yaml).", AllowMultipleArgumentsPerToken = true };
var compare = new Command("compare", "Every workload in Workloads/ on OrleansLog (native and Kafka clients), NATS JetStream and Redis Streams, servers started here on loopback; JSON, Markdown and PNG charts.")
{
    quick, directory, output, seconds, systems, workloads, workloadDirectory,
};
compare.SetAction(async (parse, _) =>
{
    var folder = parse.GetValue(directory)?.FullName ?? Path.Combine(Environment.CurrentDirectory, ".bench-data");
    try
    {
        var failed = await new CompareBenchmark(new CompareOptions(
            parse.GetValue(workloadDirectory)?.FullName ?? Path.Combine(AppContext.BaseDirectory, "Workloads"),
            folder,
            parse.GetValue(output)?.FullName ?? Path.Combine(Environment.CurrentDirectory, "benchmark-results"),
            parse.GetValue(quick),
            parse.GetValue(seconds) is { } s ? TimeSpan.FromSeconds(s) : null,
            parse.GetValue(systems) is { Length: > 0 } only ? only.ToHashSet() : null,
            parse.GetValue(workloads) is { Length: > 0 } names ? names.ToHashSet() : null)).RunAsync();
        if (failed > 0)
        {
            Console.Error.WriteLine($"{failed} driver and workload pairs produced no figures.");
        }

        return failed > 0 ? 1 : 0;
    }
    catch (Exception e) when (e is InvalidDataException or ArgumentException or DirectoryNotFoundException)
    {
        // A bad workload file or option: one line that says which and why.
        Console.Error.WriteLine($"compare: {e.Message}");
        return 2;
    }
    finally
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
});

var root = new RootCommand("OrleansLog benchmarks. Run in Release.") { storage, produce, e2e, replicated, kafka, partitions, compaction, transactions, connect, compare };
return await root.Parse(args).InvokeAsync();

async Task<int> Run(ParseResult parse, Func<string, Task<List<BenchmarkResult>>> benchmark)
{
    var folder = parse.GetValue(directory)?.FullName ?? Path.Combine(Environment.CurrentDirectory, ".bench-data");
    try
    {
        var results = await benchmark(folder);
        if (parse.GetValue(json) is { } file)
        {
            BenchmarkReport.WriteJson(file.FullName, results);
        }
    }
    finally
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    return 0;
}
