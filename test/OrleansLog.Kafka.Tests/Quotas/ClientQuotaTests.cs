using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Tests.Security;
using OrleansLog.Security;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Kafka.Tests.Quotas;

/// <summary>
/// Client quotas on a broker: a producer_byte_rate on a client id slows that producer to about the rate (measured and
/// printed), while another client id runs free, and the responses carry the throttle time (Confluent.Kafka's statistics
/// report it); Kafka's AlterClientQuotas and DescribeClientQuotas set and read quotas, refusing what Kafka refuses.
/// </summary>
public sealed class ClientQuotaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double QuotaBytesPerSecond = 100_000;
    private const int MessageBytes = 5_000;
    private const int Messages = 120;

    private readonly int _port = FreePort.Next();
    private SecuredBroker _broker = null!;

    private string Bootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_port}");

    public async Task InitializeAsync()
    {
        _broker = await SecuredBroker.StartAsync(
        [
            "--listeners", $"PLAINTEXT://{Bootstrap}",

            // Four windows of half a second: the first burst a quota allows is 1.5 s worth, so the test stays short.
            "--OrleansLog:Quotas:WindowCount=4",
            "--OrleansLog:Quotas:WindowSize=00:00:00.500",
            "--OrleansLog:Quotas:RefreshInterval=00:00:00.100",
        ]);
        await _broker.Admin.CreateTopicAsync("quota", 1);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_producer_byte_rate_on_a_client_id_slows_that_producer_to_the_rate_and_responses_carry_the_throttle()
    {
        await _broker.Admin.AlterClientQuotasAsync([new ClientQuotaAlteration(new ClientQuotaEntity(null, "slow"), [new ClientQuotaOperation(ClientQuotaKeys.ProducerByteRate, QuotaBytesPerSecond, false)])]);

        // Set through the gateway, the quota applies at the broker's next refresh.
        await Wait.Until(() => _broker.Process.Output.Contains("Client quotas read: 1 entities", StringComparison.Ordinal), "the broker reads the quota");

        // A client id without a quota first, as the baseline of the same run; then the throttled one.
        var (freeRate, _) = await ProduceAll("free");
        var (slowRate, throttleMax) = await ProduceAll("slow");
        output.WriteLine($"producer_byte_rate quota {QuotaBytesPerSecond:N0} B/s: client id \"slow\" produced at {slowRate:N0} B/s, \"free\" at {freeRate:N0} B/s; largest throttle_time_ms seen by the client: {throttleMax} ms");

        Assert.True(slowRate <= QuotaBytesPerSecond * 1.5, $"the throttled producer ran at {slowRate:N0} B/s against a quota of {QuotaBytesPerSecond:N0}");
        Assert.True(freeRate > slowRate * 2, $"the unthrottled producer ran at {freeRate:N0} B/s, the throttled one at {slowRate:N0} B/s");
        Assert.True(throttleMax > 0, "no response carried a throttle time");
    }

    [Fact]
    public async Task Kafkas_quota_apis_set_and_describe_quotas_and_refuse_what_kafka_refuses()
    {
        using var connection = await RawKafkaConnection.OpenAsync(_port);

        // AlterClientQuotas v0: the default user's consumer_byte_rate, and an unknown key, which is refused on its own.
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.AlterClientQuotas, 0, correlationId: 1, w =>
        {
            w.WriteArrayLength(2, flexible: false);
            WriteEntry(w, ClientQuotaKeys.ConsumerByteRate, 5_000_000);
            WriteEntry(w, "bogus_rate", 1);
            w.WriteBool(false);
        }));
        var altered = await connection.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("no AlterClientQuotas response");
        var reader = new KafkaReader(altered.AsSpan(4));
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal(2, reader.ReadArrayLength(flexible: false));
        Assert.Equal((short)ErrorCode.None, reader.ReadInt16());
        Assert.Null(reader.ReadNullableString(flexible: false));
        SkipEntity(ref reader, flexible: false);
        Assert.Equal((short)ErrorCode.InvalidRequest, reader.ReadInt16());
        Assert.Contains("bogus_rate", reader.ReadNullableString(flexible: false), StringComparison.Ordinal);

        // DescribeClientQuotas v1 (flexible): every entity with a user part.
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.DescribeClientQuotas, 1, correlationId: 2, w =>
        {
            w.WriteArrayLength(1, flexible: true);
            w.WriteString(ClientQuotaEntity.UserType, flexible: true);
            w.WriteInt8((sbyte)ClientQuotaMatch.Any);
            w.WriteNullableString(null, flexible: true);
            w.WriteEmptyTaggedFields(true);
            w.WriteBool(false);
            w.WriteEmptyTaggedFields(true);
        }, flexible: true));
        var described = await connection.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("no DescribeClientQuotas response");
        reader = new KafkaReader(described.AsSpan(4));
        reader.SkipTaggedFields(true);
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal((short)ErrorCode.None, reader.ReadInt16());
        Assert.Null(reader.ReadNullableString(flexible: true));
        Assert.Equal(1, reader.ReadArrayLength(flexible: true));
        Assert.Equal(1, reader.ReadArrayLength(flexible: true));
        Assert.Equal(ClientQuotaEntity.UserType, reader.ReadString(flexible: true));
        Assert.Null(reader.ReadNullableString(flexible: true));
        reader.SkipTaggedFields(true);
        Assert.Equal(1, reader.ReadArrayLength(flexible: true));
        Assert.Equal(ClientQuotaKeys.ConsumerByteRate, reader.ReadString(flexible: true));
        Assert.Equal(5_000_000, reader.ReadFloat64());

        // The native admin client reads the same.
        var entry = Assert.Single(await _broker.Admin.DescribeClientQuotasAsync(new ClientQuotaFilter([new ClientQuotaFilterComponent(ClientQuotaEntity.UserType, ClientQuotaMatch.Default, null)], Strict: true)));
        Assert.Equal(5_000_000, entry.Values[ClientQuotaKeys.ConsumerByteRate]);
    }

    private static void WriteEntry(KafkaWriter w, string key, double value)
    {
        w.WriteArrayLength(1, flexible: false);
        w.WriteString(ClientQuotaEntity.UserType, flexible: false);
        w.WriteNullableString(null, flexible: false);
        w.WriteArrayLength(1, flexible: false);
        w.WriteString(key, flexible: false);
        w.WriteFloat64(value);
        w.WriteBool(false);
    }

    private static void SkipEntity(ref KafkaReader reader, bool flexible)
    {
        var parts = reader.ReadArrayLength(flexible);
        for (var i = 0; i < parts; i++)
        {
            reader.ReadString(flexible);
            reader.ReadNullableString(flexible);
            reader.SkipTaggedFields(flexible);
        }
    }

    /// <summary>
    /// Produces <see cref="Messages"/> messages with <paramref name="clientId"/> and waits for all; the rate in bytes per
    /// second over the second half (after the burst a quota allows at first), and the largest throttle time the client saw.
    /// </summary>
    private async Task<(double Rate, long ThrottleMax)> ProduceAll(string clientId)
    {
        long throttleMax = 0;
        var config = new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            ClientId = clientId,
            LingerMs = 5,

            // Small batches, so the bytes go as a stream of requests the quota can pace, not in one request.
            BatchSize = 16 * 1024,
            StatisticsIntervalMs = 200,
            MessageTimeoutMs = 120_000,
        };
        using var producer = new ProducerBuilder<Null, byte[]>(config)
            .SetStatisticsHandler((_, json) => Interlocked.Exchange(ref throttleMax, Math.Max(Interlocked.Read(ref throttleMax), MaxThrottle(json))))
            .Build();
        var value = new byte[MessageBytes];
        var clock = Stopwatch.StartNew();
        var delivered = new TimeSpan[Messages];
        var deliveries = new List<Task>();
        for (var i = 0; i < Messages; i++)
        {
            var index = i;
            deliveries.Add(producer.ProduceAsync(new TopicPartition("quota", 0), new Message<Null, byte[]> { Value = value }).ContinueWith(_ => delivered[index] = clock.Elapsed, TaskScheduler.Default));
        }

        await Task.WhenAll(deliveries);
        var secondHalf = delivered[Messages - 1] - delivered[(Messages / 2) - 1];

        // One more statistics report, so the last throttle is counted.
        await Wait.Until(() => Interlocked.Read(ref throttleMax) > 0 || clientId != "slow", "the client reports the throttle time");
        return (Messages / 2 * (double)MessageBytes / Math.Max(secondHalf.TotalSeconds, 0.001), Interlocked.Read(ref throttleMax));
    }

    /// <summary>The largest broker throttle time in a librdkafka statistics report.</summary>
    private static long MaxThrottle(string json)
    {
        using var document = JsonDocument.Parse(json);
        long max = 0;
        foreach (var broker in document.RootElement.GetProperty("brokers").EnumerateObject())
        {
            if (broker.Value.TryGetProperty("throttle", out var throttle) && throttle.TryGetProperty("max", out var value))
            {
                max = Math.Max(max, value.GetInt64());
            }
        }

        return max;
    }
}
