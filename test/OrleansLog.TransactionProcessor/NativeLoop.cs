using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;

namespace OrleansLog.TransactionProcessor;

/// <summary>The processor's loop with OrleansLog's native client (the same pattern, Confluent.Kafka's shapes).</summary>
internal static class NativeLoop
{
    public static async Task RunAsync(OrleansLogClient client, string input, string output, string group, string transactionalId, int batch)
    {
        using var consumer = client.CreateConsumer<string, string>(new ConsumerConfig
        {
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = TimeSpan.FromSeconds(6),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        });
        await using var producer = client.CreateProducer<string, string>(new ProducerConfig { TransactionalId = transactionalId, Linger = TimeSpan.FromMilliseconds(2) });
        await producer.InitTransactionsAsync();
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
                var sends = records.Select(r => producer.ProduceAsync(output, new Message<string, string> { Key = r.Message.Key, Value = r.Message.Value + "|out" })).ToList();
                await Task.WhenAll(sends);
                var positions = records.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset) + 1));
                await producer.SendOffsetsToTransactionAsync(positions, consumer.ConsumerGroupMetadata!);
                await producer.CommitTransactionAsync();
                Console.WriteLine($"committed {records.Count}");
            }
            catch (OrleansLogException e) when (e.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch)
            {
                throw new FencedException(e.Message);
            }
            catch (Exception e) when (e is OrleansLogException or TimeoutException or ProduceException<string, string> or OrleansException)
            {
                Console.WriteLine($"aborting: {e.Message}");
                await AbortOrRestartAsync(producer);
                Rewind(consumer);
            }
        }
    }

    private static async Task AbortOrRestartAsync(Producer<string, string> producer)
    {
        try
        {
            await producer.AbortTransactionAsync();
        }
        catch (Exception e) when (e is OrleansLogException { Code: not (ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch) } or TimeoutException or OrleansException or InvalidOperationException)
        {
            // The transaction's end is unknown (the coordinator may have decided it): a new epoch settles it either way.
            Console.WriteLine($"abort failed ({e.Message}); initialising again");
            await producer.InitTransactionsAsync();
        }
    }

    /// <summary>Back to the group's committed offsets: what the aborted transaction read is read again.</summary>
    private static void Rewind(Consumer<string, string> consumer)
    {
        var committed = consumer.Committed(consumer.Assignment).ToDictionary(c => c.TopicPartition, c => c.Offset);
        foreach (var partition in consumer.Assignment)
        {
            consumer.Seek(new TopicPartitionOffset(partition, committed.TryGetValue(partition, out var offset) && offset >= 0 ? offset : 0));
        }
    }
}
