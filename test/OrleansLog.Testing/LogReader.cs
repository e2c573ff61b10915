using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Partitions;

namespace OrleansLog.Testing;

/// <summary>Reads a whole partition back (up to its high watermark) through the native consumer, to check what a test wrote.</summary>
public static class LogReader
{
    public static async Task<List<(long Offset, string Value)>> ReadAll(OrleansLogClient client, string topic, int partition)
    {
        var end = 0L;
        await Wait.Until(async () => (end = (await client.Grains.GetPartitionGrain(topic, partition).GetState()).HighWatermark) >= 0, $"{topic}-{partition} answers");
        await using var consumer = client.CreateConsumer<string, string>(new ConsumerConfig());
        consumer.Assign([new TopicPartitionOffset(topic, partition, 0)]);
        var records = new List<(long, string)>();
        while (records.Count < end)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"Read {records.Count} of {end} records of {topic}-{partition}.");
            records.Add((record.Offset, record.Message.Value!));
        }

        return records;
    }
}
