using System.Collections.Concurrent;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using Rd = Confluent.Kafka;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// The traffic the fault tests run against a real-process cluster, and the audit after it: a native and a
/// librdkafka producer (idempotent, acks=all) write to every partition without pause and record every
/// acknowledgement, and a native consumer group records every record it was served. The audit then finds each
/// of them in the final log at its offset: nothing acknowledged was lost, and nothing served came from above a
/// high watermark that later moved back.
/// </summary>
public sealed class AuditedWorkload(PostgresClusterFixture cluster, string topic, int partitions)
{
    public const string Native = "native";
    public const string Kafka = "librdkafka";

    /// <summary>Produces each producer keeps in flight per partition.</summary>
    private const int InFlight = 10;

    private readonly ConcurrentDictionary<string, (int Partition, long Offset)> _consumed = new();

    public AcknowledgementLog Acks { get; } = new();

    public int ConsumedCount => _consumed.Count;

    /// <summary>Starts the two producers (the first two tasks) and the consumer (the last), until <paramref name="stop"/>.</summary>
    public Task[] Start(CancellationToken stop) =>
        [Task.Run(() => ProduceNative(stop), CancellationToken.None), Task.Run(() => ProduceKafka(stop), CancellationToken.None), Task.Run(() => Consume(stop), CancellationToken.None)];

    /// <summary>
    /// Every partition's log is dense from offset 0 and holds each value once; every acknowledged and every consumed
    /// value is in it at its offset; each producer's values on a partition are in the order it sent them.
    /// </summary>
    public async Task AuditAsync()
    {
        for (var partition = 0; partition < partitions; partition++)
        {
            var log = await LogReader.ReadAll(cluster.Client, topic, partition);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
            Assert.Equal(log.Count, log.Select(r => r.Value).Distinct().Count());
            var byValue = log.ToDictionary(r => r.Value, r => r.Offset);
            Assert.All(Acks.Acknowledged.Where(a => a.Value.Partition == partition), a => Assert.Equal(a.Value.Offset, byValue.GetValueOrDefault(a.Key, -1)));
            Assert.All(_consumed.Where(c => c.Value.Partition == partition), c => Assert.Equal(c.Value.Offset, byValue.GetValueOrDefault(c.Key, -1)));
            foreach (var producer in log.Where(r => r.Value.StartsWith(Native, StringComparison.Ordinal) || r.Value.StartsWith(Kafka, StringComparison.Ordinal)).GroupBy(r => r.Value[..r.Value.LastIndexOf('-')]))
            {
                var sequence = producer.Select(r => long.Parse(r.Value[(r.Value.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order(), sequence);
            }
        }
    }

    /// <summary>One loop per partition, so a partition that waits for its new leader does not hold up the others.</summary>
    private async Task ProduceNative(CancellationToken stop)
    {
        await using var producer = cluster.Client.CreateProducer<string, string>(new ProducerConfig
        {
            RequestTimeout = TimeSpan.FromSeconds(5),
            DeliveryTimeout = TimeSpan.FromSeconds(120),
            Linger = TimeSpan.FromMilliseconds(2),
        });
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(partition => Task.Run(async () =>
        {
            for (var next = 0; !stop.IsCancellationRequested; next += InFlight)
            {
                await Task.WhenAll(Enumerable.Range(next, InFlight).Select(async i =>
                {
                    var value = $"{Native}-{partition}-{i}";
                    var result = await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string> { Key = value, Value = value });
                    Acks.Record(Native, value, result.Partition, result.Offset);
                }));
            }
        })));
    }

    /// <summary>
    /// As <see cref="ProduceNative"/>, through the Kafka listener. librdkafka waits <c>socket.timeout.ms</c>
    /// (60 s by default) for an answer from a broker whose process is paused; 5 s here, as the native producer's request timeout.
    /// </summary>
    private async Task ProduceKafka(CancellationToken stop)
    {
        using var producer = new Rd.ProducerBuilder<string, string>(new Rd.ProducerConfig
        {
            BootstrapServers = string.Join(',', cluster.Brokers.Select(b => b.KafkaBootstrap)),
            EnableIdempotence = true,
            Acks = Rd.Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = 120_000,
            SocketTimeoutMs = 5_000,
        }).Build();
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(partition => Task.Run(async () =>
        {
            for (var next = 0; !stop.IsCancellationRequested; next += InFlight)
            {
                await Task.WhenAll(Enumerable.Range(next, InFlight).Select(async i =>
                {
                    var value = $"{Kafka}-{partition}-{i}";
                    var result = await producer.ProduceAsync(new Rd.TopicPartition(topic, new Rd.Partition(partition)), new Rd.Message<string, string> { Key = value, Value = value });
                    Acks.Record(Kafka, value, result.Partition.Value, result.Offset.Value);
                }));
            }
        })));
    }

    private void Consume(CancellationToken stop)
    {
        using var consumer = cluster.Client.CreateConsumer<string, string>(new ConsumerConfig
        {
            GroupId = $"{topic}-audit",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = TimeSpan.FromSeconds(3),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        });
        consumer.Subscribe(topic);
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                _consumed.TryAdd(record.Message.Value!, (record.Partition, record.Offset));
            }
        }
    }
}
