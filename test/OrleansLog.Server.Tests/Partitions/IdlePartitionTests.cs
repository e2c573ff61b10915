using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Retention;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// Issue 20: a partition nobody uses costs nothing. Its leader's grain deactivates after the idle timeout and its
/// log closes (no open file, no memory); the next request reopens it from its indexes, with every record.
/// </summary>
public class IdlePartitionTests(IdlePartitionTests.ShortIdleFixture fixture) : IClassFixture<IdlePartitionTests.ShortIdleFixture>
{
    [Fact]
    public async Task An_idle_partition_closes_its_log_and_serves_its_records_again_when_asked()
    {
        var topic = await fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).CreateTopic("idle", 1, 1, ImmutableDictionary<string, string>.Empty.Add("retention.ms", "-1"));
        var partition = fixture.Grains.GetPartitionGrain("idle", 0);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("a", "b")))).Error);
        var logs = fixture.SiloService<LogManager>();
        var id = new TopicPartition("idle", 0);
        Assert.True(logs.IsOpen(id, topic.TopicId));

        // The broker's retention pass runs all the while: it must not count as use of the partition. (Kept forever:
        // the test batches carry 1970 timestamps, which a time limit would rightly wake the partition to delete.)
        var retention = fixture.SiloService<RetentionService>();
        await Wait.Until(
            async () =>
            {
                await retention.RunOnce();
                return !logs.IsOpen(id, topic.TopicId);
            },
            "the idle partition's log is closed while retention passes run",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        var fetched = await partition.Fetch(new FetchRequest(0));
        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.Equal([(0L, "a"), (1L, "b")], Batches.Records(fetched.Records.Span));
        Assert.Equal(2, fetched.HighWatermark);
        Assert.True(logs.IsOpen(id, topic.TopicId));
        Assert.False(logs.OpenLogs().Single(l => l.Partition == id).Log.Recovery.WasUnclean);
    }

    /// <summary>A single broker whose partitions idle out after 3 seconds.</summary>
    public sealed class ShortIdleFixture : BrokerClusterFixture
    {
        protected override void ConfigureCluster(TestClusterBuilder builder) =>
            builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansLog:PartitionIdleTimeout"] = "00:00:03" }));
    }
}
