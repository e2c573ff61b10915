using Confluent.Kafka;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>Confluent.Kafka 2.16's transactional producer against a broker process, read back by read_committed and read_uncommitted consumers.</summary>
public class TransactionTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_read_committed_consumer_sees_the_committed_transactions_and_a_read_uncommitted_one_sees_every_record()
    {
        const string topic = "tx-basic";
        await broker.Native.Admin.CreateTopicAsync(topic, 2);
        using (var producer = Transactional("tx-basic-producer"))
        {
            producer.InitTransactions(Timeout);
            await Transaction(producer, topic, "committed", 10, commit: true);
            await Transaction(producer, topic, "aborted", 10, commit: false);
            await Transaction(producer, topic, "after", 5, commit: true);
        }

        var committed = ReadAll(topic, 2, IsolationLevel.ReadCommitted);
        var everything = ReadAll(topic, 2, IsolationLevel.ReadUncommitted);

        Assert.Equal(Values("committed", 10).Concat(Values("after", 5)).Order(StringComparer.Ordinal), committed.Order(StringComparer.Ordinal));
        Assert.Equal(Values("committed", 10).Concat(Values("aborted", 10)).Concat(Values("after", 5)).Order(StringComparer.Ordinal), everything.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_instance_with_the_same_transactional_id_fences_the_first_and_aborts_its_transaction()
    {
        const string topic = "tx-fence";
        await broker.Native.Admin.CreateTopicAsync(topic, 1);
        using var first = Transactional("tx-fence-producer");
        first.InitTransactions(Timeout);
        first.BeginTransaction();
        await first.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "zombie" });

        using var second = Transactional("tx-fence-producer");
        second.InitTransactions(Timeout);
        await Transaction(second, topic, "second", 3, commit: true);

        var fenced = Assert.ThrowsAny<KafkaException>(() => first.CommitTransaction(Timeout));
        Assert.True(fenced.Error.IsFatal || fenced.Error.Code is Confluent.Kafka.ErrorCode.ProducerFenced or Confluent.Kafka.ErrorCode.InvalidProducerEpoch, fenced.Error.ToString());
        Assert.Equal(Values("second", 3), ReadAll(topic, 1, IsolationLevel.ReadCommitted).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_abandoned_transaction_is_aborted_after_its_timeout_and_the_last_stable_offset_moves_on()
    {
        const string topic = "tx-timeout";
        await broker.Native.Admin.CreateTopicAsync(topic, 1);
        var abandoned = Transactional("tx-timeout-abandoned", transactionTimeoutMs: 2000);
        abandoned.InitTransactions(Timeout);
        abandoned.BeginTransaction();
        await abandoned.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "abandoned" });

        // Its process goes away without ending the transaction.
        abandoned.Dispose();

        using (var other = Transactional("tx-timeout-other"))
        {
            other.InitTransactions(Timeout);
            await Transaction(other, topic, "after", 2, commit: true);
        }

        // read_committed readers are held at the abandoned transaction's first offset until the coordinator aborts it.
        var committed = ReadAll(topic, 1, IsolationLevel.ReadCommitted, expected: 2);
        Assert.Equal(Values("after", 2), committed.Order(StringComparer.Ordinal));
        Assert.Equal(["abandoned", .. Values("after", 2)], ReadAll(topic, 1, IsolationLevel.ReadUncommitted).Order(StringComparer.Ordinal));

        // The coordinator aborted it (its abort fences the producer: a new epoch), not the client on its way out.
        var state = await broker.Native.Grains.GetGrain<OrleansLog.Transactions.ITransactionCoordinatorGrain>("tx-timeout-abandoned").Describe();
        Assert.Equal((OrleansLog.Transactions.TransactionState.CompleteAbort, (short)1), (state.State, state.ProducerEpoch));
    }

    private IProducer<string, string> Transactional(string transactionalId, int transactionTimeoutMs = 60_000) =>
        new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            TransactionalId = transactionalId,
            TransactionTimeoutMs = transactionTimeoutMs,
            LingerMs = 5,
        }).Build();

    private static async Task Transaction(IProducer<string, string> producer, string topic, string prefix, int count, bool commit)
    {
        producer.BeginTransaction();
        foreach (var value in Values(prefix, count))
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = value, Value = value });
        }

        if (commit)
        {
            producer.CommitTransaction(Timeout);
        }
        else
        {
            producer.AbortTransaction(Timeout);
        }
    }

    private static IEnumerable<string> Values(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i}");

    /// <summary>
    /// Every record a consumer of <paramref name="isolation"/> reads from the beginning of each partition until it reaches
    /// the end of all of them (at least <paramref name="expected"/> records, when given: the end may still move).
    /// </summary>
    private List<string> ReadAll(string topic, int partitions, IsolationLevel isolation, int expected = 0)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = broker.Bootstrap,
            GroupId = $"{topic}-{isolation}-{Guid.NewGuid():N}",
            IsolationLevel = isolation,
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<string>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + Timeout;
        while (atEnd.Count < partitions || values.Count < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{isolation} read {values.Count} record(s) and reached the end of {atEnd.Count} of {partitions} partitions");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                atEnd.Remove(result.Partition.Value);
                values.Add(result.Message.Value);
            }
        }

        return values;
    }
}
