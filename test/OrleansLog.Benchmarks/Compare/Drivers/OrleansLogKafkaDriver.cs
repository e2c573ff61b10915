using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// Confluent.Kafka (librdkafka) through the brokers' Kafka listener, configured as Kafka's own
/// throughput advice has it for a durable stream: idempotent, acks=all, 5 ms linger, librdkafka's
/// default 1 MB batches; topics created through the Kafka admin API; consumers in a classic group.
/// </summary>
public sealed class OrleansLogKafkaDriver(OrleansLogServers servers) : IBenchmarkDriver
{
    public string Name => "OrleansLog (Kafka listener, Confluent.Kafka)";

    public string Durability(Workload workload) => OrleansLogDurability.Describe(workload);

    public async Task CreateTopicAsync(string topic, Workload workload)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = workload.PartitionsPerTopic,
            ReplicationFactor = (short)workload.ReplicationFactor,
            Configs = OrleansLogDurability.TopicConfig(workload),
        }]);
    }

    public async Task DeleteTopicAsync(string topic, Workload workload)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers.KafkaBootstrap }).Build();
        await admin.DeleteTopicsAsync([topic]);
    }

    public Task<IBenchmarkProducer> CreateProducerAsync(string topic, Workload workload)
    {
        var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = servers.KafkaBootstrap,
            ClientId = "bench",
            Acks = workload.Acks == "all" ? Acks.All : Acks.Leader,
            EnableIdempotence = workload.Acks == "all",
            LingerMs = 5,
        }).Build();
        return Task.FromResult<IBenchmarkProducer>(new KafkaProducer(producer, topic, MessageKeys.For(workload)));
    }

    public Task<IBenchmarkConsumer> CreateConsumerAsync(string topic, string subscription, Workload workload)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new ConsumerBuilder<Ignore, long>(new ConsumerConfig
        {
            BootstrapServers = servers.KafkaBootstrap,
            GroupId = subscription,
            ClientId = "bench",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        })
            .SetValueDeserializer(SendTimeDeserializer.Instance)
            .SetPartitionsAssignedHandler((_, assigned) =>
            {
                if (assigned.Count > 0)
                {
                    ready.TrySetResult();
                }
            })
            .Build();
        consumer.Subscribe(topic);
        return Task.FromResult<IBenchmarkConsumer>(new KafkaConsumer(consumer, ready));
    }

    /// <summary>Sends each message with its key when the workload has keys (librdkafka's partitioner hashes it), else without.</summary>
    private sealed class KafkaProducer(IProducer<byte[]?, byte[]> producer, string topic, MessageKeys? keys) : IBenchmarkProducer
    {
        public void Send(long sequence, byte[] payload, long sentTimestamp, IPublishSink sink)
        {
            var message = new Message<byte[]?, byte[]> { Key = keys?.Key(sequence), Value = payload };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            sink.Failed(sentTimestamp, report.Error.Reason);
                        }
                        else
                        {
                            sink.Acknowledged(sentTimestamp);
                        }
                    });
                    return;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
        }

        public Task FlushAsync() => Task.Run(() => producer.Flush(TimeSpan.FromMinutes(2)));

        public ValueTask DisposeAsync()
        {
            producer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class KafkaConsumer(IConsumer<Ignore, long> consumer, TaskCompletionSource ready) : IBenchmarkConsumer
    {
        public Task Ready => ready.Task;

        public Task RunAsync(Action<long> received, CancellationToken stop) => Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
                    {
                        received(record.Message.Value);
                    }
                }
            },
            TaskCreationOptions.LongRunning);

        public ValueTask DisposeAsync()
        {
            consumer.Close();
            consumer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SendTimeDeserializer : IDeserializer<long>
    {
        public static SendTimeDeserializer Instance { get; } = new();

        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => SendTime.Read(data);
    }
}
