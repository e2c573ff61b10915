using System.Collections.Immutable;
using OrleansLog.Client;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Compaction;
using OrleansLog.Storage.Compaction;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// Compaction on three replicas: each broker cleans its own copy (as Kafka's followers do), and every copy ends with the
/// same newest record of each key, at the same offset; a leader killed while its cleaner is rewriting segments loses
/// no acknowledged record, and when it returns no half-written copy is left (the storage tests cut the power at each
/// step of a pass; here the TestCluster's silo dies in-process) and it catches up from a leader that has compacted
/// meanwhile, over the gaps in its offsets.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class CompactionReplicationTests(ReplicatedClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly ImmutableDictionary<string, string> Compacted = ImmutableDictionary<string, string>.Empty
        .Add(TopicConfig.CleanupPolicyKey, "compact").Add(TopicConfig.SegmentBytesKey, "4096").Add(TopicConfig.MinCleanableDirtyRatioKey, "0.01")
        .Add(TopicConfig.MinInsyncReplicasKey, "2");

    [Fact]
    public async Task Every_replica_cleans_its_own_copy_to_the_same_newest_record_of_each_key()
    {
        await fixture.CreateTopic("compacted-rf3", partitions: 1, configs: Compacted);
        var model = await Produce("compacted-rf3", 0, 3_000, seed: 5);
        await fixture.WaitInSync("compacted-rf3", 0);

        for (var broker = 0; broker < 3; broker++)
        {
            var cleaned = await fixture.BrokerService<LogCleanerService>(broker).RunOnce();
            Assert.Contains(cleaned, c => c.Partition == new TopicPartition("compacted-rf3", 0) && c.Result.Cleaned);
        }

        for (var broker = 0; broker < 3; broker++)
        {
            var records = CompactedLog.ReadAll(await fixture.LogOn(broker, "compacted-rf3", 0)).Records;
            output.WriteLine($"broker {broker}: {records.Count} records after cleaning 3000");
            Assert.True(records.Count < 1_500, $"broker {broker} kept {records.Count} of 3000 records");
            AssertNewest(model, CompactedLog.NewestByKey(records));
        }
    }

    [Fact]
    public async Task A_leader_killed_while_cleaning_loses_nothing_and_catches_up_from_a_compacted_leader()
    {
        var topic = await fixture.CreateTopic("compacted-failover", partitions: 3, configs: Compacted);

        // Broker 0 is the primary silo, which the TestCluster cannot lose: a partition led elsewhere.
        var victim = topic.Partitions.First(p => p.Leader != 0);
        var model = await Produce("compacted-failover", victim.Partition, 3_000, seed: 9);
        await fixture.WaitInSync("compacted-failover", victim.Partition);

        // The leader's cleaner, slowed to 40 KB/s so the kill lands in the middle of its rewrite.
        var log = await fixture.LogOn(victim.Leader, "compacted-failover", victim.Partition);
        log.Roll();
        using var stop = new CancellationTokenSource();
        var cleaning = log.CleanAsync(new OffsetMap(1 << 20), log.LogEndOffset, new CleanerThrottle(40_000, TimeProvider.System), stop.Token);
        await Wait.Until(() => Directory.EnumerateFiles(log.Directory, "*.cleaned").Any() || cleaning.IsCompleted, "the leader's cleaner to start writing a cleaned segment");
        Assert.False(cleaning.IsCompleted, "the pass ended before the kill");
        await fixture.KillBroker(victim.Leader);

        // The killed silo's objects live on in this process: the pass is stopped (or, rarely, finished) before the
        // broker's directory is opened again, as a dead process's would be.
        await stop.CancelAsync();
        try
        {
            await cleaning;
            output.WriteLine($"killed broker {victim.Leader} while it cleaned; the pass finished before it was stopped");
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansLogException)
        {
            output.WriteLine($"killed broker {victim.Leader} with a cleaned segment half written ({e.GetType().Name})");
        }

        // The new leader takes more writes, and compacts.
        model = await Produce("compacted-failover", victim.Partition, 500, seed: 10, model);
        var leader = await fixture.Leadership("compacted-failover", victim.Partition);
        Assert.NotEqual(victim.Leader, leader.Leader);
        await fixture.BrokerService<LogCleanerService>(leader.Leader).RunOnce();
        var leaderRecords = CompactedLog.ReadAll(await fixture.LogOn(leader.Leader, "compacted-failover", victim.Partition)).Records;
        AssertNewest(model, CompactedLog.NewestByKey(leaderRecords));
        Assert.True(leaderRecords.Count < 3_500 / 2, $"the new leader kept {leaderRecords.Count} records");

        // The old leader returns with no half-written copy left, and catches up over the gaps.
        await fixture.RestartBroker(victim.Leader);
        await fixture.WaitInSync("compacted-failover", victim.Partition, TimeSpan.FromSeconds(60));
        var returned = await fixture.LogOn(victim.Leader, "compacted-failover", victim.Partition);
        Assert.Empty(Directory.EnumerateFiles(returned.Directory, "*.cleaned"));
        AssertNewest(model, CompactedLog.NewestByKey(CompactedLog.ReadAll(returned).Records));

        // A consumer from the beginning reads the newest value of every key.
        var client = new OrleansLogClient(fixture.Grains);
        await using var consumer = client.CreateConsumer<string, string?>();
        consumer.Assign([new TopicPartitionOffset("compacted-failover", victim.Partition, Offsets.Beginning)]);
        var consumed = new Dictionary<string, (long Offset, string? Value)>();
        var end = leaderRecords[^1].Offset;
        while (consumer.Consume(TimeSpan.FromSeconds(10)) is { } result)
        {
            consumed[result.Message.Key!] = (result.Offset, result.Message.Value);
            if (result.Offset >= end)
            {
                break;
            }
        }

        Assert.Equal(model.OrderBy(e => e.Key), consumed.OrderBy(e => e.Key));
    }

    /// <summary>Produces <paramref name="count"/> acks=all records over 60 keys (every 15th a tombstone) and returns each key's newest (offset, value).</summary>
    private async Task<Dictionary<string, (long Offset, string? Value)>> Produce(string topic, int partition, int count, int seed, Dictionary<string, (long, string?)>? model = null)
    {
        model ??= [];
        var random = new Random(seed);
        var client = new OrleansLogClient(fixture.Grains);
        await using var producer = client.CreateProducer<string, string?>(new Client.Producing.ProducerConfig { DeliveryTimeout = TimeSpan.FromSeconds(60), BatchSize = 1024, MaxRequestSize = 2048 });
        var sends = Enumerable.Range(0, count).Select(i =>
        {
            var key = $"key-{random.Next(60):D2}";
            var value = i % 15 == 14 ? null : $"v{seed}-{i}";
            return producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string?> { Key = key, Value = value });
        }).ToList();
        foreach (var delivered in await Task.WhenAll(sends))
        {
            if (!model.TryGetValue(delivered.Message.Key, out var known) || known.Item1 < delivered.Offset)
            {
                model[delivered.Message.Key] = (delivered.Offset, delivered.Message.Value);
            }
        }

        return model;
    }

    private static void AssertNewest(Dictionary<string, (long Offset, string? Value)> model, Dictionary<string, KeyedRecord> newest)
    {
        // A tombstone may have gone (delete.retention.ms has not passed here, so none has), every other key is there as written.
        Assert.Equal(model.OrderBy(e => e.Key), newest.Select(e => KeyValuePair.Create(e.Key, (e.Value.Offset, e.Value.Value))).OrderBy(e => e.Key));
    }
}
