using Confluent.Kafka;

namespace OrleansLog.Benchmarks.Kafka;

/// <summary>The Kafka benchmark's way to write many records through Confluent.Kafka as fast as it takes them.</summary>
internal static class KafkaProduceLoop
{
    /// <summary>
    /// Produces <paramref name="count"/> records of <paramref name="value"/> as fast as librdkafka takes them (waiting
    /// out a full local queue), then waits for every delivery; returns how many failed.
    /// </summary>
    public static long ProduceAll(IProducer<Null, byte[]> producer, string topic, int count, byte[] value)
    {
        long failed = 0;
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value }, report =>
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

        producer.Flush(TimeSpan.FromMinutes(5));
        return Interlocked.Read(ref failed);
    }
}
