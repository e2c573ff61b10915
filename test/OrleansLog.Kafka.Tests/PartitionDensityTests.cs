using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// Issue 20, on broker processes reached by librdkafka: partitions that fall idle close their files (the broker's
/// own console sampler and retention pass do not keep them open), segment files in use share a bounded set of
/// handles, and a broker under a small file limit fits that set to it instead of running out (a process out of
/// handles can die in the runtime itself, as the issue saw: "Out of memory.").
/// </summary>
public sealed class PartitionDensityTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task Idle_partitions_close_their_files_and_partitions_in_use_share_the_handle_budget()
    {
        await using var broker = await SiloProcess.StartAsync(_data.Sub("dense"), extraArguments: ["--OrleansLog:PartitionIdleTimeout=00:00:03", "--OrleansLog:MaxOpenSegmentFiles=40"]);
        const int partitions = 200;
        await Create(broker, "dense", partitions);

        Produce(broker, "dense", partitions);
        Assert.InRange(SegmentFiles(broker, "dense"), 0, 40);

        await Wait.Until(() => SegmentFiles(broker, "dense") == 0, "every idle partition closed its segment files", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.Equal(partitions, ReadOneFromEach(broker, "dense", partitions));
    }

    [Fact]
    public async Task A_broker_with_a_small_file_limit_fits_its_segment_files_in_it_and_serves_every_partition()
    {
        // Room for the runtime's own files and sockets (about 400) and a few hundred more; the segment file budget is
        // left at its default (4,000), far above that: the broker must fit it to the limit, not run out and die.
        await using var broker = await SiloProcess.StartWithFileLimitAsync(_data.Sub("crowded"), fileLimit: 700, extraArguments: ["--OrleansLog:PartitionIdleTimeout=00:00:03"]);
        var budget = int.Parse(Regex.Match(broker.Output, @"Up to (\d+) segment files open at once").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(budget, 16, 300);
        const int partitions = 1_000;
        await Create(broker, "crowded", partitions);

        Produce(broker, "crowded", partitions);

        Assert.InRange(SegmentFiles(broker, "crowded"), 0, budget);
        Assert.Equal(partitions, ReadOneFromEach(broker, "crowded", partitions));
        Assert.False(broker.HasExited);
    }

    public void Dispose() => _data.Dispose();

    private static async Task Create(SiloProcess broker, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>One record to each partition, acks=all; fails the test unless every one is acknowledged (librdkafka retries retriable errors).</summary>
    private static void Produce(SiloProcess broker, string topic, int partitions)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.KafkaBootstrap, Acks = Acks.All, LingerMs = 5, MessageTimeoutMs = 120_000 }).Build();
        var failures = new List<string>();
        for (var partition = 0; partition < partitions; partition++)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<Null, string> { Value = $"{topic}-{partition}" }, report =>
            {
                if (report.Error.IsError)
                {
                    lock (failures)
                    {
                        failures.Add($"{report.Partition.Value}: {report.Error.Code} {report.Error.Reason}");
                    }
                }
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(150)));
        Assert.Empty(failures);
    }

    /// <summary>Reads each partition's record from the beginning; returns how many partitions returned theirs.</summary>
    private static int ReadOneFromEach(SiloProcess broker, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.KafkaBootstrap, GroupId = $"{topic}-check", EnableAutoCommit = false }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var seen = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (seen.Count < partitions && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                Assert.Equal($"{topic}-{record.Partition.Value}", record.Message.Value);
                seen.Add(record.Partition.Value);
            }
        }

        return seen.Count;
    }

    /// <summary>Segment files of <paramref name="topic"/> the broker process has open now.</summary>
    private static int SegmentFiles(SiloProcess broker, string topic)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFiles($"/proc/{broker.ProcessId.ToString(CultureInfo.InvariantCulture)}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.Contains($"/logs/{topic}-", StringComparison.Ordinal) && target.EndsWith(".log", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while listed.
            }
        }

        return count;
    }
}
