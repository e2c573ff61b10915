using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client.Hosting;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// A compacted topic as Kafka clients use it, against a broker process whose cleaner looks every 200 ms: kcat writes
/// 10,000 updates of 100 keys, some of them deletes (tombstones), to a topic with small segments; once the cleaner has
/// run, kcat reading from the beginning sees exactly the newest value of each key, tombstones included while
/// <c>delete.retention.ms</c> lasts and none after it; Confluent.Kafka's consumer and the native one see the same,
/// reading over the gaps the cleaner left in the offsets. A record without a key is refused with INVALID_RECORD.
/// </summary>
public sealed class CompactedTopicTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _data = new();
    private SiloProcess _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(_data.Sub("data"), extraArguments: ["--OrleansLog:Cleaner:Backoff", "00:00:00.200"]);

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Kcat_and_Confluent_read_the_newest_value_of_each_key_once_the_cleaner_ran()
    {
        const string topic = "compacted-updates";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.KafkaBootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = 1, ReplicationFactor = 1,
                Configs = new Dictionary<string, string>
                {
                    ["cleanup.policy"] = "compact", ["segment.bytes"] = "32768", ["min.cleanable.dirty.ratio"] = "0.01",
                    ["max.compaction.lag.ms"] = "1000", ["delete.retention.ms"] = "3000",
                },
            }]);
        }

        var random = new Random(23);
        var lines = new List<string>();
        var newest = new Dictionary<string, string?>();
        for (var i = 0; i < 10_000; i++)
        {
            var key = $"key-{random.Next(100):D3}";
            var value = random.Next(50) == 0 ? null : $"value-{i}";
            lines.Add($"{key}:{value}");
            newest[key] = value;
        }

        // The last word on ten keys is a delete.
        foreach (var key in newest.Keys.Order(StringComparer.Ordinal).Take(10).ToList())
        {
            lines.Add($"{key}:");
            newest[key] = null;
        }

        var produced = await Kcat.RunAsync(_silo.KafkaBootstrap, string.Join('\n', lines) + "\n", "-P", "-t", topic, "-K:", "-Z", "-X", "batch.size=8192");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var withTombstones = newest.Select(e => $"{e.Key}={e.Value ?? "NULL"}").Order(StringComparer.Ordinal).ToList();
        var live = newest.Where(e => e.Value is not null).Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal).ToList();
        List<string> seen = [];
        await Wait.Until(async () => (seen = await ReadWithKcat(topic)).Count == withTombstones.Count || seen.SequenceEqual(live), $"the cleaner to leave one record per key (kcat read {seen.Count} records)", Settle);
        output.WriteLine($"kcat read {seen.Count} records once the cleaner ran: {newest.Count} keys, {newest.Count - live.Count} deleted");
        Assert.True(seen.SequenceEqual(withTombstones) || seen.SequenceEqual(live), "kcat read other records than the newest of each key");

        await Wait.Until(async () => (seen = await ReadWithKcat(topic)).SequenceEqual(live), "the tombstones to go after delete.retention.ms", Settle);
        Assert.Equal(live, ReadWithConfluent(topic));
        Assert.Equal(live, await ReadWithNativeConsumer(topic, live.Count));
    }

    [Fact]
    public async Task A_record_without_a_key_is_refused_with_INVALID_RECORD()
    {
        const string topic = "compacted-keys";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.KafkaBootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["cleanup.policy"] = "compact" } }]);
        }

        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = _silo.KafkaBootstrap, MessageSendMaxRetries = 0 }).Build();
        var refused = await Assert.ThrowsAsync<ProduceException<string?, string>>(() => producer.ProduceAsync(topic, new Message<string?, string> { Key = null, Value = "no key" }));
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidRecord, refused.Error.Code);
        var accepted = await producer.ProduceAsync(topic, new Message<string?, string> { Key = "k", Value = "keyed" });
        Assert.Equal(0, accepted.Offset.Value);
    }

    /// <summary>The topic from the beginning, as "key=value" (NULL for a tombstone), ordered by key: the newest of each key comes last per key, so a sort keeps the question "one per key?" simple.</summary>
    private async Task<List<string>> ReadWithKcat(string topic)
    {
        var consumed = await Kcat.RunAsync(_silo.KafkaBootstrap, null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-Z", "-f", "%k=%s\n");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        return [.. consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> ReadWithNativeConsumer(string topic, int count)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options => options.Gateways.Add(_silo.Gateway));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var consumer = host.Services.GetRequiredService<OrleansLog.Client.OrleansLogClient>().CreateConsumer<string, string?>();
            consumer.Assign([new OrleansLog.Client.TopicPartitionOffset(topic, 0, OrleansLog.Client.Offsets.Beginning)]);
            var records = new List<string>();
            while (records.Count < count && consumer.Consume(TimeSpan.FromSeconds(20)) is { } result)
            {
                records.Add($"{result.Message.Key}={result.Message.Value ?? "NULL"}");
            }

            return [.. records.Order(StringComparer.Ordinal)];
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private List<string> ReadWithConfluent(string topic)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = _silo.KafkaBootstrap, GroupId = "compacted-reader", EnablePartitionEof = true, AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<string>();
        while (consumer.Consume(TimeSpan.FromSeconds(20)) is { } result && !result.IsPartitionEOF)
        {
            records.Add($"{result.Message.Key}={result.Message.Value ?? "NULL"}");
        }

        return [.. records.Order(StringComparer.Ordinal)];
    }
}
