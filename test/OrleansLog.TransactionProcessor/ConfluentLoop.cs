using Confluent.Kafka;

namespace OrleansLog.TransactionProcessor;

/// <summary>The processor's loop with Confluent.Kafka (librdkafka), the canonical exactly-once pattern.</summary>
internal static class ConfluentLoop
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void Run(string bootstrap, string input, string output, string group, string transactionalId, int batch)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
        }).Build();
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            TransactionalId = transactionalId,
            LingerMs = 2,
        }).Build();
        producer.InitTransactions(Timeout);
        consumer.Subscribe(input);
        while (true)
        {
            var records = new List<ConsumeResult<string, string>>();
            while (records.Count < batch && consumer.Consume(TimeSpan.FromMilliseconds(records.Count == 0 ? 1000 : 50)) is { } record)
            {
                records.Add(record);
            }

            if (records.Count == 0)
            {
                continue;
            }

            try
            {
                producer.BeginTransaction();
                foreach (var record in records)
                {
                    producer.Produce(output, new Message<string, string> { Key = record.Message.Key, Value = record.Message.Value + "|out" });
                }

                var positions = records.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1));
                producer.SendOffsetsToTransaction(positions, consumer.ConsumerGroupMetadata, Timeout);
                producer.CommitTransaction(Timeout);
                Console.WriteLine($"committed {records.Count}");
            }
            catch (KafkaException e) when (e.Error.IsFatal)
            {
                throw new FencedException(e.Error.ToString());
            }
            catch (KafkaException e)
            {
                Console.WriteLine($"aborting: {e.Error}");
                try
                {
                    producer.AbortTransaction(Timeout);
                }
                catch (KafkaException abort) when (!abort.Error.IsFatal)
                {
                    Console.WriteLine($"abort failed: {abort.Error}");
                }

                Rewind(consumer);
            }
        }
    }

    /// <summary>Back to the group's committed offsets: what the aborted transaction read is read again.</summary>
    private static void Rewind(IConsumer<string, string> consumer)
    {
        foreach (var committed in consumer.Committed(consumer.Assignment, Timeout))
        {
            consumer.Seek(committed.Offset == Offset.Unset ? new TopicPartitionOffset(committed.TopicPartition, Offset.Beginning) : committed);
        }
    }
}
