using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// The native produce path (a partition grain's Produce, as the client library and the REST API call it):
/// every forged batch is refused with its Kafka error and the log end does not move.
/// </summary>
public class ProduceValidationTests(BrokerClusterFixture fixture) : IClassFixture<BrokerClusterFixture>
{
    public static TheoryData<string> Cases => [.. ForgedBatches.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_forged_batch_is_refused_and_nothing_is_appended(string name)
    {
        var topic = "forged-" + string.Concat(name.Where(char.IsLetter));
        await fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).CreateTopic(topic, 1, 1, ImmutableDictionary<string, string>.Empty);
        var partition = fixture.Grains.GetPartitionGrain(topic, 0);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(ForgedBatches.Valid(now)))).Error);

        var refused = await partition.Produce(new ProduceRequest(ForgedBatches.Of(name, now)));

        Assert.Equal(ForgedBatches.Cases.Single(c => c.Name == name).Error, refused.Error);
        Assert.Equal(2, (await partition.GetState()).LogEndOffset);
    }

    [Fact]
    public async Task A_topic_can_widen_its_timestamp_window()
    {
        await fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).CreateTopic("far-future", 1, 1, ImmutableDictionary<string, string>.Empty.Add(TopicConfig.MessageTimestampAfterMaxMsKey, long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var partition = fixture.Grains.GetPartitionGrain("far-future", 0);

        var stored = await partition.Produce(new ProduceRequest(ForgedBatches.Of("timestamp in the year 9999", 0)));

        Assert.Equal(ErrorCode.None, stored.Error);
    }
}
