using Confluent.Kafka;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// A Kafka consumer's fetches leave the polls of partitions without records waiting between fetches (parked, see
/// <c>ParkedPolls</c>). A consumer whose fetches may wait 30 s still gets each record as soon as it is written, whichever of
/// its partitions it lands in and however often the same one is written in a row: a partition nobody watched would
/// hold its record back until the fetch's wait ran out.
/// </summary>
public sealed class ParkedPollTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private const int FetchWaitMs = 30_000;

    /// <summary>Well inside the fetch's wait: a record seen within it was answered by a partition's poll, not by the wait running out.</summary>
    private static readonly TimeSpan WellBeforeTheWaitRunsOut = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_consumer_whose_fetches_wait_30_s_gets_each_record_of_any_partition_at_once_and_in_order()
    {
        const string topic = "parked-polls";
        await broker.Native.Admin.CreateTopicAsync(topic, 4);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, Acks = Acks.All }).Build();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = broker.Bootstrap,
            GroupId = "parked-polls-reader",
            FetchWaitMaxMs = FetchWaitMs,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

        // A record in each partition first, read before the test begins: librdkafka's first fetch holds only the partitions
        // whose start offsets it has resolved, and it sends no other to the broker while that one waits (so would Kafka's
        // brokers make it wait).
        var next = new long[4];
        foreach (var p in Enumerable.Range(0, 4))
        {
            await producer.ProduceAsync(new TopicPartition(topic, p), new Message<Null, string> { Value = "prime" });
        }

        for (var p = 0; p < 4; p++)
        {
            var primed = await Task.Run(() => consumer.Consume(WellBeforeTheWaitRunsOut));
            Assert.True(primed is not null, "a partition's first record was not read");
            next[primed.Partition.Value]++;
        }

        int[] partitions = [0, 0, 1, 0, 2, 3, 3, 1, 0, 2, 2, 1, 3, 0];
        for (var i = 0; i < partitions.Length; i++)
        {
            var value = $"record-{i}";
            await producer.ProduceAsync(new TopicPartition(topic, partitions[i]), new Message<Null, string> { Value = value });

            var read = await Task.Run(() => consumer.Consume(WellBeforeTheWaitRunsOut));

            Assert.True(read is not null, $"{value} (partition {partitions[i]}) was not read within {WellBeforeTheWaitRunsOut.TotalSeconds} s, with fetches waiting {FetchWaitMs / 1000} s");
            Assert.Equal(value, read.Message.Value);
            Assert.Equal(partitions[i], read.Partition.Value);
            Assert.Equal(next[partitions[i]]++, read.Offset.Value);
        }
    }
}
