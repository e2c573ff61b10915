using System.Buffers.Binary;
using System.Globalization;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// <c>queued.max.request.bytes</c> on a broker that may hold 200 KiB of requests: a 150 KB JoinGroup (which
/// waits 3 s for the group's first generation) and a 100 KB produce from another client do not fit
/// together, so whichever the broker reads second waits to be read (the broker says so), and then both
/// are served: backpressure, nothing dropped. A 3 MB produce frame, larger than
/// the transport's read buffer, still works on a broker with the default limits.
/// </summary>
public sealed class RequestMemoryTests : IAsyncLifetime
{
    private const int Budget = 200 * 1024;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private SiloProcess _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(_data.Sub("data"), extraArguments:
        [
            $"--OrleansLog:Kafka:MaxRequestBytes={Budget.ToString(CultureInfo.InvariantCulture)}",
            $"--OrleansLog:Kafka:QueuedMaxRequestBytes={Budget.ToString(CultureInfo.InvariantCulture)}",
        ]);

    [Fact]
    public async Task A_request_that_would_pass_the_brokers_request_memory_waits_and_is_then_served()
    {
        using var joining = await RawKafkaConnection.OpenAsync(_silo.KafkaPort);
        using var producing = await RawKafkaConnection.OpenAsync(_silo.KafkaPort, from: "127.0.0.2");
        await CreateTopic(_silo, "held");

        await joining.SendAsync(JoinGroup(new byte[150_000]));
        await producing.SendAsync(ProduceFrame("held", Batches.Of(new string('x', 100_000)), correlationId: 2));

        await Wait.Until(() => _silo.Output.Contains("waits to read a", StringComparison.Ordinal), "the broker holds the produce back");
        Assert.NotNull(await joining.ReceiveAsync(Answer));
        var stored = await producing.ReceiveAsync(Answer);
        Assert.NotNull(stored);
        Assert.Equal(0, ProduceError(stored));
    }

    [Fact]
    public async Task A_produce_frame_larger_than_the_read_buffer_is_served()
    {
        await using var broker = await SiloProcess.StartAsync(_data.Sub("default"));
        await CreateTopic(broker, "big", new() { ["max.message.bytes"] = "4194304" });
        using var connection = await RawKafkaConnection.OpenAsync(broker.KafkaPort);

        var error = await Produce(connection, "big", [.. Batches.Of(new string('y', 3 * 1024 * 1024))], correlationId: 2);

        Assert.Equal(0, error);
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _data.Dispose();
    }

    private static async Task CreateTopic(SiloProcess broker, string topic, Dictionary<string, string>? configs = null)
    {
        using var admin = new Confluent.Kafka.AdminClientBuilder(new Confluent.Kafka.AdminClientConfig { BootstrapServers = broker.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = configs }]);
    }

    private static async Task<short> Produce(RawKafkaConnection connection, string topic, byte[] batch, int correlationId)
    {
        await connection.SendAsync(ProduceFrame(topic, batch, correlationId));
        return ProduceError(await connection.ReceiveAsync(Answer) ?? throw new InvalidOperationException("no answer to the produce"));
    }

    /// <summary>The error of the one partition of a Produce v7 answer: correlation id | topics [name | partitions [index | error ...]].</summary>
    private static short ProduceError(byte[] response)
    {
        var at = 4 + 4;
        at += 2 + BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at));
        return BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at + 4 + 4));
    }

    private static byte[] ProduceFrame(string topic, byte[] batch, int correlationId) =>
        RawKafkaConnection.Frame(ApiKey.Produce, 7, correlationId, w =>
        {
            w.WriteNullableString(null, flexible: false);
            w.WriteInt16((short)-1);
            w.WriteInt32(30_000);
            w.WriteArrayLength(1, flexible: false);
            w.WriteString(topic, flexible: false);
            w.WriteArrayLength(1, flexible: false);
            w.WriteInt32(0);
            w.WriteBytes(batch, flexible: false);
        });

    /// <summary>JoinGroup v5 of a new member of a new group, with <paramref name="metadata"/> as its one protocol's metadata.</summary>
    private static byte[] JoinGroup(byte[] metadata) =>
        RawKafkaConnection.Frame(ApiKey.JoinGroup, 5, correlationId: 9, w =>
        {
            w.WriteString("held-group", flexible: false);
            w.WriteInt32(10_000);
            w.WriteInt32(10_000);
            w.WriteString("", flexible: false);
            w.WriteNullableString(null, flexible: false);
            w.WriteString("consumer", flexible: false);
            w.WriteArrayLength(1, flexible: false);
            w.WriteString("range", flexible: false);
            w.WriteBytes(metadata, flexible: false);
        });
}
