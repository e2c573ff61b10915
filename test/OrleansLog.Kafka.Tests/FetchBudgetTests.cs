using System.Buffers.Binary;
using System.Globalization;
using Confluent.Kafka;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// Hand-built Fetch frames against a broker whose <c>fetch.max.bytes</c> is 1 MiB and whose two partitions
/// hold 4 MB each: a request for far more, naming each partition twenty times, gets each partition once and
/// at most the budget, and the broker's memory stays bounded while several such requests run at once. A real
/// consumer whose partition limits together exceed the budget reads every record once, in order.
/// </summary>
public sealed class FetchBudgetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BrokerFetchMaxBytes = 1024 * 1024;
    private const string Topic = "budget";
    private const int Records = 800;
    private const int MaxBatchBytes = 128 * 1024;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private SiloProcess _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync(_data.Sub("data"), extraArguments: [$"--OrleansLog:Kafka:FetchMaxBytes={BrokerFetchMaxBytes.ToString(CultureInfo.InvariantCulture)}"]);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _silo.KafkaBootstrap, LingerMs = 5, BatchSize = MaxBatchBytes }).Build();
        var value = new byte[10_000];
        for (var i = 0; i < Records; i++)
        {
            producer.Produce(new TopicPartition(Topic, i % 2), new Message<Null, byte[]> { Value = value });
        }

        producer.Flush(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_fetch_for_far_more_than_the_budget_gets_each_partition_once_and_at_most_the_budget()
    {
        using var connection = await RawKafkaConnection.OpenAsync(_silo.KafkaPort);

        await connection.SendAsync(GreedyFetch(correlationId: 1));
        var answer = Parse(await connection.ReceiveAsync(Answer) ?? throw new InvalidOperationException("no answer"));

        Assert.Equal([0, 1], answer.Select(p => p.Partition).Order());
        Assert.All(answer, p => Assert.Equal(0, p.Error));
        var total = answer.Sum(p => p.RecordBytes);
        output.WriteLine($"records in the answer: {total:N0} bytes (budget {BrokerFetchMaxBytes:N0})");
        Assert.InRange(total, 1, BrokerFetchMaxBytes);
    }

    [Fact]
    public void A_consumer_whose_partition_limits_exceed_the_budget_reads_every_record_once_in_order()
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _silo.KafkaBootstrap,
            GroupId = "budget-reader",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxBytes = BrokerFetchMaxBytes,
            MaxPartitionFetchBytes = BrokerFetchMaxBytes,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign([new TopicPartitionOffset(Topic, 0, Offset.Beginning), new TopicPartitionOffset(Topic, 1, Offset.Beginning)]);
        var next = new long[2];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (next.Sum() < Records && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } record)
            {
                continue;
            }

            // Its fetches are read in waves within the budget: no record lost, repeated or reordered.
            Assert.Equal(next[record.Partition.Value], record.Offset.Value);
            next[record.Partition.Value]++;
        }

        Assert.Equal([Records / 2, Records / 2], next);
    }

    [Fact]
    public async Task Several_greedy_fetches_at_once_leave_the_brokers_memory_bounded()
    {
        var before = ResidentBytes(_silo.ProcessId);
        var peak = before;
        var sampling = new Lock();
        var clients = Enumerable.Range(0, 8).Select(async c =>
        {
            using var connection = await RawKafkaConnection.OpenAsync(_silo.KafkaPort);
            for (var i = 0; i < 5; i++)
            {
                await connection.SendAsync(GreedyFetch(correlationId: i));
                Assert.NotNull(await connection.ReceiveAsync(Answer));
                var now = ResidentBytes(_silo.ProcessId);
                lock (sampling)
                {
                    peak = Math.Max(peak, now);
                }
            }
        });
        await Task.WhenAll(clients);

        // Without the budget each of these requests read 40 x 4 MB (160 MB), 8 of them at once.
        output.WriteLine($"broker resident memory: {before / 1_048_576} MiB before, {peak / 1_048_576} MiB at the highest sample");
        Assert.True(peak - before < 256L * 1024 * 1024, $"resident memory grew by {(peak - before) / 1_048_576} MiB");
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Fetch v11 asking for int.MaxValue overall and 100 MB per partition, naming partitions 0 and 1 twenty times each.</summary>
    private static byte[] GreedyFetch(int correlationId) => Fetch(correlationId, maxWaitMs: 0, namings: 40);

    /// <summary>Fetch v11 from offset 0 asking for int.MaxValue overall and 100 MB per partition, naming partitions 0 and 1 in turn, <paramref name="namings"/> times in all.</summary>
    private static byte[] Fetch(int correlationId, int maxWaitMs, int namings) =>
        RawKafkaConnection.Frame(ApiKey.Fetch, 11, correlationId, writer =>
        {
            writer.WriteInt32(-1);
            writer.WriteInt32(maxWaitMs);
            writer.WriteInt32(1);
            writer.WriteInt32(int.MaxValue);
            writer.WriteInt8(0);
            writer.WriteInt32(0);
            writer.WriteInt32(-1);
            writer.WriteInt32(1);
            writer.WriteString(Topic, flexible: false);
            writer.WriteInt32(namings);
            for (var i = 0; i < namings; i++)
            {
                writer.WriteInt32(i % 2);
                writer.WriteInt32(-1);
                writer.WriteInt64(0);
                writer.WriteInt64(-1);
                writer.WriteInt32(100_000_000);
            }

            writer.WriteInt32(0);
            writer.WriteString("", flexible: false);
        });

    /// <summary>Each partition of a Fetch v11 response: its number, error and how many record bytes it carries.</summary>
    private static List<(int Partition, short Error, int RecordBytes)> Parse(byte[] response)
    {
        var at = 4 + 4 + 2 + 4;
        var result = new List<(int, short, int)>();
        var topics = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
        at += 4;
        for (var t = 0; t < topics; t++)
        {
            at += 2 + BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at));
            var partitions = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
            at += 4;
            for (var p = 0; p < partitions; p++)
            {
                var partition = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
                var error = BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at + 4));
                at += 4 + 2 + 8 + 8 + 8;
                var aborted = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
                at += 4 + (Math.Max(aborted, 0) * 16) + 4;
                var bytes = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
                at += 4 + Math.Max(bytes, 0);
                result.Add((partition, error, Math.Max(bytes, 0)));
            }
        }

        return result;
    }

    private static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
