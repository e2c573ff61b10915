using System.Buffers;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// NATS.Net against JetStream, as NATS advises for throughput: asynchronous publishes with their acks
/// collected on one inbox subscription (the Go client's <c>PublishAsync</c> pattern: a core publish with
/// a reply subject per message, many outstanding at once, bounded by the runner; NATS.Net's own
/// <c>js.PublishAsync</c> handles each ack as a request and reached half the rate here: 47,000
/// against 96,000 msg/s of 100 bytes in a quick run),
/// one stream per topic with a subject per partition
/// (<c>topic.N</c>), and a durable pull consumer per subscription read with <c>ConsumeAsync</c>
/// (prefetching 1,000 messages). Consumers acknowledge nothing (<c>AckPolicy.None</c>): like a Kafka
/// group's offsets, the durable consumer's position is what survives.
/// </summary>
public sealed class NatsDriver(string url) : IBenchmarkDriver, IAsyncDisposable
{
    private readonly List<NatsConnection> _connections = [];
    private NatsJSContext? _admin;

    public string Name => "NATS JetStream";

    public string Durability(Workload workload) => workload.ReplicationFactor == 1
        ? "file storage: written to the OS before the ack, fsynced on the store's own interval (2.9.10 has no per-message sync setting)"
        : "R3 file storage: a quorum (2 of 3) has written it to the OS before the ack, fsynced on an interval";

    public async Task CreateTopicAsync(string topic, Workload workload)
    {
        var js = await Admin();
        var config = new StreamConfig(topic, [$"{topic}.>"]) { Storage = StreamConfigStorage.File, NumReplicas = workload.ReplicationFactor };

        // A new cluster elects its meta leader first: stream creation fails until it has.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await js.CreateStreamAsync(config);
                return;
            }
            catch (NatsJSException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    public async Task DeleteTopicAsync(string topic, Workload workload) => await (await Admin()).DeleteStreamAsync(topic);

    public async Task<IBenchmarkProducer> CreateProducerAsync(string topic, Workload workload)
    {
        var subjects = Enumerable.Range(0, workload.PartitionsPerTopic).Select(p => string.Create(CultureInfo.InvariantCulture, $"{topic}.{p}")).ToArray();
        return await NatsAsyncPublisher.StartAsync(await Connect(), subjects, MessageKeys.For(workload));
    }

    public async Task<IBenchmarkConsumer> CreateConsumerAsync(string topic, string subscription, Workload workload)
    {
        var js = new NatsJSContext(await Connect());
        var consumer = await js.CreateOrUpdateConsumerAsync(topic, new ConsumerConfig(subscription) { AckPolicy = ConsumerConfigAckPolicy.None, DeliverPolicy = ConsumerConfigDeliverPolicy.All });
        return new NatsConsumer(consumer);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _connections.Clear();
        _admin = null;
    }

    /// <summary>One connection for creating and deleting streams, kept across workloads.</summary>
    private async Task<NatsJSContext> Admin() => _admin ??= new NatsJSContext(await Connect());

    private async Task<NatsConnection> Connect()
    {
        var connection = new NatsConnection(new NatsOpts { Url = url, Name = "bench", SubPendingChannelCapacity = 65536 });
        await connection.ConnectAsync();
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    private sealed class NatsConsumer(INatsJSConsumer consumer) : IBenchmarkConsumer
    {
        public Task Ready => Task.CompletedTask;

        public async Task RunAsync(Action<long> received, CancellationToken stop)
        {
            try
            {
                await foreach (var message in consumer.ConsumeAsync(SendTimeDeserializer.Instance, new NatsJSConsumeOpts { MaxMsgs = 1000 }, stop))
                {
                    received(message.Data);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Reads the send time only: no copy of the value per message.</summary>
    private sealed class SendTimeDeserializer : INatsDeserialize<long>
    {
        public static SendTimeDeserializer Instance { get; } = new();

        public long Deserialize(in ReadOnlySequence<byte> buffer)
        {
            Span<byte> first = stackalloc byte[8];
            if (buffer.Length < 8)
            {
                return 0;
            }

            buffer.Slice(0, 8).CopyTo(first);
            return SendTime.Read(first);
        }
    }
}
