using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Tests;

/// <summary>The native client's transactions: Confluent.Kafka's shapes, read back by read_committed and read_uncommitted consumers.</summary>
public class TransactionalProducerTests(ClientClusterFixture fixture) : IClassFixture<ClientClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private OrleansLogClient Client => new(fixture.Grains);

    [Fact]
    public async Task Read_committed_consumers_see_committed_transactions_only_and_read_uncommitted_ones_see_everything()
    {
        await Client.Admin.CreateTopicAsync("native-tx", 2);
        await using (var producer = Client.CreateProducer<string, string>(new ProducerConfig { TransactionalId = "native-tx-producer" }))
        {
            await producer.InitTransactionsAsync();
            await Transaction(producer, "native-tx", "committed", 10, commit: true);
            await Transaction(producer, "native-tx", "aborted", 10, commit: false);
            await Transaction(producer, "native-tx", "end", 2, commit: true);
        }

        var committed = ReadUntilEnd("native-tx", 2, 2, IsolationLevel.ReadCommitted);
        var everything = ReadUntilEnd("native-tx", 2, 2, IsolationLevel.ReadUncommitted);
        Assert.Equal(Values("committed", 10).Order(StringComparer.Ordinal), committed.Where(v => !v.StartsWith("end", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(Values("committed", 10).Concat(Values("aborted", 10)).Order(StringComparer.Ordinal), everything.Where(v => !v.StartsWith("end", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Offsets_sent_with_a_transaction_are_committed_with_it_and_dropped_with_an_abort()
    {
        await Client.Admin.CreateTopicAsync("native-tx-offsets", 1);
        var input = new TopicPartition("native-tx-offsets", 0);
        using var consumer = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "native-tx-readers" });
        await using var producer = Client.CreateProducer<string, string>(new ProducerConfig { TransactionalId = "native-tx-offsets-producer" });
        await producer.InitTransactionsAsync();

        producer.BeginTransaction();
        await producer.ProduceAsync("native-tx-offsets", new Message<string, string> { Key = "k", Value = "a" });
        await producer.SendOffsetsToTransactionAsync([new TopicPartitionOffset(input, 40)], consumer.ConsumerGroupMetadata!);
        Assert.DoesNotContain(consumer.Committed([input]), o => o.Offset >= 0);
        await producer.AbortTransactionAsync();
        Assert.DoesNotContain(consumer.Committed([input]), o => o.Offset >= 0);

        producer.BeginTransaction();
        await producer.SendOffsetsToTransactionAsync([new TopicPartitionOffset(input, 41)], consumer.ConsumerGroupMetadata!);
        await producer.CommitTransactionAsync();
        Assert.Equal([new TopicPartitionOffset(input, 41)], consumer.Committed([input]));
    }

    [Fact]
    public async Task A_second_producer_with_the_same_id_fences_the_first_and_records_outside_a_transaction_are_refused()
    {
        await Client.Admin.CreateTopicAsync("native-tx-fence", 1);
        await using var first = Client.CreateProducer<string, string>(new ProducerConfig { TransactionalId = "native-tx-fence-producer" });
        await first.InitTransactionsAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.ProduceAsync("native-tx-fence", new Message<string, string> { Key = "k", Value = "outside" }));

        first.BeginTransaction();
        await first.ProduceAsync("native-tx-fence", new Message<string, string> { Key = "k", Value = "zombie" });
        await using var second = Client.CreateProducer<string, string>(new ProducerConfig { TransactionalId = "native-tx-fence-producer" });
        await second.InitTransactionsAsync();
        await Transaction(second, "native-tx-fence", "end", 1, commit: true);

        var fenced = await Assert.ThrowsAsync<OrleansLogException>(first.CommitTransactionAsync);
        Assert.Equal(ErrorCode.ProducerFenced, fenced.Code);
        Assert.Equal(["end-0"], ReadUntilEnd("native-tx-fence", 1, 1, IsolationLevel.ReadCommitted));
    }

    private static async Task Transaction(Producer<string, string> producer, string topic, string prefix, int count, bool commit)
    {
        producer.BeginTransaction();
        foreach (var value in Values(prefix, count))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = value, Value = value });
        }

        await (commit ? producer.CommitTransactionAsync() : producer.AbortTransactionAsync());
    }

    private static IEnumerable<string> Values(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i}");

    /// <summary>Every record a consumer of <paramref name="isolation"/> reads from the start of each partition until it has read <paramref name="ends"/> "end-" records.</summary>
    private List<string> ReadUntilEnd(string topic, int partitions, int ends, IsolationLevel isolation)
    {
        using var consumer = Client.CreateConsumer<string, string>(new ConsumerConfig { IsolationLevel = isolation });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var values = new List<string>();
        while (values.Count(v => v.StartsWith("end-", StringComparison.Ordinal)) < ends)
        {
            var result = consumer.Consume(Timeout) ?? throw new TimeoutException($"{isolation} read {values.Count} record(s) of {topic} and then nothing for {Timeout}.");
            values.Add(result.Message.Value);
        }

        return values;
    }
}
