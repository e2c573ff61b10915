using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using OrleansLog.Topics;

namespace OrleansLog.Server.Tests;

public class MetadataGrainTests(BrokerClusterFixture fixture) : IClassFixture<BrokerClusterFixture>
{
    private static readonly ImmutableDictionary<string, string> NoConfigs = ImmutableDictionary<string, string>.Empty;

    private IMetadataGrain Metadata => fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    [Fact]
    public async Task A_created_topic_is_listed_described_and_deleted()
    {
        var created = await Metadata.CreateTopic("orders", 3, 1, NoConfigs.Add("retention.ms", "1000"));
        Assert.Equal(3, created.PartitionCount);
        Assert.NotEqual(Guid.Empty, created.TopicId);
        Assert.Contains(await Metadata.ListTopics(), t => t.Name == "orders");
        var described = await Metadata.DescribeTopic("orders");
        Assert.Equal("1000", described.Config.ToDictionary()["retention.ms"]);
        Assert.Equal(1000, described.Config.RetentionMs);

        await Metadata.DeleteTopic("orders");
        Assert.DoesNotContain(await Metadata.ListTopics(), t => t.Name == "orders");
        await AssertError(ErrorCode.UnknownTopicOrPartition, () => Metadata.DescribeTopic("orders"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/ed")]
    [InlineData("ümlaut")]
    [InlineData("colon:ed")]
    public async Task Invalid_topic_names_are_refused(string name) =>
        await AssertError(ErrorCode.InvalidTopicException, () => Metadata.CreateTopic(name, 1, 1, NoConfigs));

    [Fact]
    public async Task A_name_longer_than_249_characters_is_refused()
    {
        await AssertError(ErrorCode.InvalidTopicException, () => Metadata.CreateTopic(new string('a', 250), 1, 1, NoConfigs));
        await Metadata.CreateTopic(new string('b', 249), 1, 1, NoConfigs);
    }

    [Fact]
    public async Task Names_that_differ_only_by_dot_and_underscore_collide()
    {
        await Metadata.CreateTopic("metrics.cpu", 1, 1, NoConfigs);
        await AssertError(ErrorCode.InvalidTopicException, () => Metadata.CreateTopic("metrics_cpu", 1, 1, NoConfigs));
    }

    [Fact]
    public async Task Creating_an_existing_topic_is_refused()
    {
        await Metadata.CreateTopic("twice", 1, 1, NoConfigs);
        await AssertError(ErrorCode.TopicAlreadyExists, () => Metadata.CreateTopic("twice", 2, 1, NoConfigs));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public async Task Invalid_partition_counts_are_refused(int partitions) =>
        await AssertError(ErrorCode.InvalidPartitions, () => Metadata.CreateTopic($"parts{partitions + 10}", partitions, 1, NoConfigs));

    [Fact]
    public async Task A_replication_factor_above_the_broker_count_is_refused() =>
        await AssertError(ErrorCode.InvalidReplicationFactor, () => Metadata.CreateTopic("replicated", 1, 3, NoConfigs));

    [Theory]
    [InlineData("retention.ms", "-2")]
    [InlineData("retention.ms", "soon")]
    [InlineData("retention.bytes", "-5")]
    [InlineData("segment.bytes", "13")]
    [InlineData("segment.bytes", "3000000000")]
    [InlineData("segment.ms", "0")]
    [InlineData("cleanup.policy", "shred")]
    [InlineData("cleanup.policy", "compact,shred")]
    [InlineData("delete.retention.ms", "-1")]
    [InlineData("min.cleanable.dirty.ratio", "1.5")]
    [InlineData("min.cleanable.dirty.ratio", "half")]
    [InlineData("min.compaction.lag.ms", "-1")]
    [InlineData("max.compaction.lag.ms", "0")]
    [InlineData("max.message.bytes", "-1")]
    [InlineData("min.insync.replicas", "0")]
    [InlineData("compression.type", "brotli")]
    [InlineData("flush.messages", "0")]
    [InlineData("flush.ms", "-1")]
    [InlineData("index.interval.bytes", "-1")]
    [InlineData("no.such.config", "1")]
    public async Task Invalid_configs_are_refused_naming_the_config(string name, string value)
    {
        var error = await AssertError(ErrorCode.InvalidConfig, () => Metadata.CreateTopic($"cfg-{Guid.NewGuid():N}", 1, 1, NoConfigs.Add(name, value)));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_configs_of_every_kind_are_accepted()
    {
        var configs = new Dictionary<string, string>
        {
            ["retention.ms"] = "-1", ["retention.bytes"] = "1048576", ["segment.bytes"] = "1048576", ["segment.ms"] = "60000",
            ["cleanup.policy"] = "delete", ["max.message.bytes"] = "2000000", ["min.insync.replicas"] = "1",
            ["compression.type"] = "lz4", ["flush.messages"] = "100", ["flush.ms"] = "1000", ["index.interval.bytes"] = "8192",
            ["delete.retention.ms"] = "1000", ["min.cleanable.dirty.ratio"] = "0.25", ["min.compaction.lag.ms"] = "10", ["max.compaction.lag.ms"] = "60000",
        }.ToImmutableDictionary();
        var topic = await Metadata.CreateTopic("all-configs", 1, 1, configs);
        Assert.Equal(configs.OrderBy(c => c.Key), topic.Config.ToDictionary().Where(c => configs.ContainsKey(c.Key)).OrderBy(c => c.Key));
    }

    [Theory]
    [InlineData("compact", "compact")]
    [InlineData("delete, compact", "compact,delete")]
    [InlineData("compact,delete", "compact,delete")]
    public async Task A_cleanup_policy_with_compact_is_accepted_in_one_spelling(string policy, string stored)
    {
        var topic = await Metadata.CreateTopic($"policy-{Guid.NewGuid():N}", 1, 1, NoConfigs.Add("cleanup.policy", policy));
        Assert.Equal(stored, topic.Config.CleanupPolicy);
        Assert.True(topic.Config.Compacts);
    }

    [Fact]
    public async Task Partitions_can_grow_but_never_shrink()
    {
        await Metadata.CreateTopic("growing", 2, 1, NoConfigs);
        await AssertError(ErrorCode.InvalidPartitions, () => Metadata.CreatePartitions("growing", 1));
        await AssertError(ErrorCode.InvalidPartitions, () => Metadata.CreatePartitions("growing", 2));
        var grown = await Metadata.CreatePartitions("growing", 4);
        Assert.Equal(4, grown.PartitionCount);
        Assert.Equal(4, (await fixture.Grains.GetGrain<ITopicGrain>("growing").GetMetadata()).PartitionCount);

        var response = await fixture.Grains.GetPartitionGrain("growing", 3).Produce(new ProduceRequest(Batches.Of("new")));
        Assert.Equal(ErrorCode.None, response.Error);
        await AssertError(ErrorCode.UnknownTopicOrPartition, () => Metadata.CreatePartitions("no-such-topic", 4));
    }

    [Fact]
    public async Task Configs_can_be_altered_and_removed_with_validation()
    {
        await Metadata.CreateTopic("alterable", 1, 1, NoConfigs);
        var altered = await Metadata.AlterConfigs("alterable", ImmutableDictionary<string, string?>.Empty.Add("retention.ms", "5000"));
        Assert.Equal(5000, altered.Config.RetentionMs);
        await AssertError(ErrorCode.InvalidConfig, () => Metadata.AlterConfigs("alterable", ImmutableDictionary<string, string?>.Empty.Add("retention.ms", "x")));
        Assert.Equal(5000, (await Metadata.DescribeTopic("alterable")).Config.RetentionMs);
        var removed = await Metadata.AlterConfigs("alterable", ImmutableDictionary<string, string?>.Empty.Add("retention.ms", null));
        Assert.Equal(new TopicConfig().RetentionMs, removed.Config.RetentionMs);
    }

    [Fact]
    public async Task Deleting_an_unknown_topic_is_refused() =>
        await AssertError(ErrorCode.UnknownTopicOrPartition, () => Metadata.DeleteTopic("never-created"));

    [Fact]
    public async Task A_deleted_and_recreated_topic_never_serves_the_old_data()
    {
        await Metadata.CreateTopic("reborn", 1, 1, NoConfigs);
        var partition = fixture.Grains.GetPartitionGrain("reborn", 0);
        await partition.Produce(new ProduceRequest(Batches.Of("old-1", "old-2")));
        await Metadata.DeleteTopic("reborn");
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, "broker-0", "logs", "reborn-0")));

        var recreated = await Metadata.CreateTopic("reborn", 1, 1, NoConfigs);
        var state = await partition.GetState();
        Assert.Equal(0, state.LogEndOffset);
        await partition.Produce(new ProduceRequest(Batches.Of("new")));
        var fetched = await partition.Fetch(new FetchRequest(0, MaxWaitMs: 0));
        Assert.Equal([(0L, "new")], Batches.Records(fetched.Records.Span));
        Assert.NotEqual(Guid.Empty, recreated.TopicId);
    }

    internal static async Task<OrleansLogException> AssertError(ErrorCode expected, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(action);
        Assert.Equal(expected, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }
}
