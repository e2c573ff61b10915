using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// The native client: an Orleans client calling the partition grains, with the client library's
/// defaults (128 KiB batches, 5 ms linger, idempotent acks=all producer; consumer groups with the
/// cooperative-sticky assignor and a 5 s auto-commit).
/// </summary>
public sealed class OrleansLogNativeDriver(OrleansLogServers servers) : IBenchmarkDriver
{
    public string Name => "OrleansLog (native client)";

    public string Durability(Workload workload) => OrleansLogDurability.Describe(workload);

    public Task CreateTopicAsync(string topic, Workload workload) =>
        servers.Client.Admin.CreateTopicAsync(topic, workload.PartitionsPerTopic, (short)workload.ReplicationFactor, OrleansLogDurability.TopicConfig(workload));

    public Task DeleteTopicAsync(string topic, Workload workload) => servers.Client.Admin.DeleteTopicAsync(topic);

    public Task<IBenchmarkProducer> CreateProducerAsync(string topic, Workload workload)
    {
        var config = new ProducerConfig { ClientId = "bench", Acks = workload.Acks == "all" ? Partitions.Acks.All : Partitions.Acks.Leader };
        var producer = servers.Client.NewProducer<byte[]?, byte[]>(config).SetKeySerializer(Serializers.ByteArray).Build();
        return Task.FromResult<IBenchmarkProducer>(new NativeProducer(producer, topic, MessageKeys.For(workload)));
    }

    public Task<IBenchmarkConsumer> CreateConsumerAsync(string topic, string subscription, Workload workload)
    {
        var config = new ConsumerConfig { GroupId = subscription, ClientId = "bench", AutoOffsetReset = AutoOffsetReset.Earliest, FetchMaxWait = TimeSpan.FromMilliseconds(100) };
        var consumer = servers.Client.NewConsumer<Null?, long>(config).SetKeyDeserializer(Deserializers.Null).SetValueDeserializer(SendTimeDeserializer.Instance).Build();
        consumer.Subscribe(topic);
        return Task.FromResult<IBenchmarkConsumer>(new NativeConsumer(consumer));
    }

    /// <summary>Sends each message with its key when the workload has keys (the client's partitioner hashes it), else without.</summary>
    private sealed class NativeProducer(Producer<byte[]?, byte[]> producer, string topic, MessageKeys? keys) : IBenchmarkProducer
    {
        public void Send(long sequence, byte[] payload, long sentTimestamp, IPublishSink sink) =>
            producer.Produce(topic, new Message<byte[]?, byte[]> { Key = keys?.Key(sequence), Value = payload }, report =>
            {
                if (report.IsError)
                {
                    sink.Failed(sentTimestamp, report.Error.ToString());
                }
                else
                {
                    sink.Acknowledged(sentTimestamp);
                }
            });

        public Task FlushAsync() => producer.FlushAsync();

        public ValueTask DisposeAsync() => producer.DisposeAsync();
    }

    private sealed class NativeConsumer(Consumer<Null?, long> consumer) : IBenchmarkConsumer
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Ready => _ready.Task;

        public Task RunAsync(Action<long> received, CancellationToken stop) => Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (!_ready.Task.IsCompleted && consumer.Assignment.Count > 0)
                    {
                        _ready.TrySetResult();
                    }

                    if (record is not null)
                    {
                        received(record.Message.Value);
                    }
                }
            },
            TaskCreationOptions.LongRunning);

        public ValueTask DisposeAsync() => consumer.DisposeAsync();
    }

    /// <summary>Reads the send time only: no copy of the value per message.</summary>
    private sealed class SendTimeDeserializer : IDeserializer<long>
    {
        public static SendTimeDeserializer Instance { get; } = new();

        public long Deserialize(ReadOnlySpan<byte> data, bool isNull) => SendTime.Read(data);
    }
}
