using System.Diagnostics;
using Confluent.Kafka;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Client;
using NativeNull = OrleansLog.Client.Serialization.Null;
using NativeProducerConfig = OrleansLog.Client.Producing.ProducerConfig;
using NativeSerializers = OrleansLog.Client.Serialization.Serializers;

namespace OrleansLog.Benchmarks.Transactions;

/// <summary>
/// Transactional produce against idempotent produce on the same broker, in the same run: one broker (silo and clients in
/// this process, loopback), 1 KiB records, 8 partitions, durable topics. Each client first produces the records
/// idempotently (the baseline), then in transactions of 100 and of 1,000 records (begin, produce, commit, one after
/// another, as a processor does). The native client and Confluent.Kafka through the listener each against their own
/// baseline: the ratios are what a transaction's coordinator round trips, markers and waits cost per record.
/// </summary>
internal sealed class TransactionsBenchmark(string directory, bool quick)
{
    private const int RecordSize = 1024;
    private const int Partitions = 8;

    private int Records => quick ? 10_000 : 200_000;

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"transactions benchmark in {directory} ({(quick ? "quick" : "full")}): {Records:N0} records of {RecordSize} B, {Partitions} partitions, acks=all");
        var kafkaPort = Benchmarks.FreePort();
        await using var broker = await LocalBroker.StartAsync(Path.Combine(directory, "broker"), Benchmarks.FreePort(), Benchmarks.FreePort(), kafkaPort);
        var client = new OrleansLogClient(broker.Grains);
        var bootstrap = $"127.0.0.1:{kafkaPort}";
        var results = new List<BenchmarkResult>();
        var bytes = (long)Records * RecordSize;

        await client.Admin.CreateTopicAsync("tx-native-idempotent", Partitions);
        var native = Report(new BenchmarkResult("transactions", "native client: idempotent produce (baseline)", Records, bytes, await ProduceNative(client, "tx-native-idempotent", transactionSize: 0), "-", 0));
        results.Add(native);
        foreach (var size in new[] { 100, 1000 })
        {
            var topic = $"tx-native-{size}";
            await client.Admin.CreateTopicAsync(topic, Partitions);
            results.Add(Report(new BenchmarkResult("transactions", $"native client: transactions of {size} records", Records, bytes, await ProduceNative(client, topic, size), "native idempotent", native.MegabytesPerSecond)));
        }

        await client.Admin.CreateTopicAsync("tx-kafka-idempotent", Partitions);
        var kafka = Report(new BenchmarkResult("transactions", "Confluent.Kafka: idempotent produce (baseline)", Records, bytes, ProduceKafka(bootstrap, "tx-kafka-idempotent", transactionSize: 0), "-", 0));
        results.Add(kafka);
        foreach (var size in new[] { 100, 1000 })
        {
            var topic = $"tx-kafka-{size}";
            await client.Admin.CreateTopicAsync(topic, Partitions);
            results.Add(Report(new BenchmarkResult("transactions", $"Confluent.Kafka: transactions of {size} records", Records, bytes, ProduceKafka(bootstrap, topic, size), "Confluent.Kafka idempotent", kafka.MegabytesPerSecond)));
        }

        return results;
    }

    /// <summary>Seconds to produce <see cref="Records"/> records, in transactions of <paramref name="transactionSize"/> (0: idempotent, no transactions).</summary>
    private async Task<double> ProduceNative(OrleansLogClient client, string topic, int transactionSize)
    {
        var value = new byte[RecordSize];
        var config = new NativeProducerConfig { ClientId = "bench", EnableIdempotence = true, TransactionalId = transactionSize > 0 ? $"bench-{topic}" : null };
        await using var producer = client.NewProducer<NativeNull?, byte[]>(config).SetKeySerializer(NativeSerializers.Null).Build();
        if (transactionSize > 0)
        {
            await producer.InitTransactionsAsync();
        }

        var started = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < Records;)
        {
            var count = transactionSize > 0 ? Math.Min(transactionSize, Records - sent) : Records;
            if (transactionSize > 0)
            {
                producer.BeginTransaction();
            }

            for (var i = 0; i < count; i++)
            {
                producer.Produce(topic, new OrleansLog.Client.Message<NativeNull?, byte[]> { Value = value });
            }

            await (transactionSize > 0 ? producer.CommitTransactionAsync() : producer.FlushAsync());
            sent += count;
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private double ProduceKafka(string bootstrap, string topic, int transactionSize)
    {
        var value = new byte[RecordSize];
        long failed = 0;
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = "bench",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            TransactionalId = transactionSize > 0 ? $"bench-{topic}" : null,
        }).Build();
        if (transactionSize > 0)
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
        }

        var started = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < Records;)
        {
            var count = transactionSize > 0 ? Math.Min(transactionSize, Records - sent) : Records;
            if (transactionSize > 0)
            {
                producer.BeginTransaction();
            }

            for (var i = 0; i < count; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, new Confluent.Kafka.Message<Null, byte[]> { Value = value }, report =>
                        {
                            if (report.Error.IsError)
                            {
                                Interlocked.Increment(ref failed);
                            }
                        });
                        break;
                    }
                    catch (ProduceException<Null, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }

            if (transactionSize > 0)
            {
                producer.CommitTransaction(TimeSpan.FromSeconds(60));
            }
            else
            {
                producer.Flush(TimeSpan.FromMinutes(5));
            }

            sent += count;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (Interlocked.Read(ref failed) > 0)
        {
            throw new InvalidOperationException($"{failed} Confluent.Kafka records failed on {topic}.");
        }

        return seconds;
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
