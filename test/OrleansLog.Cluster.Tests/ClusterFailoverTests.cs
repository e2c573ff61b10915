using System.Collections.Concurrent;
using OrleansLog.Client;
using OrleansLog.Client.Admin;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// Three broker processes on PostgreSQL, a producer and a consumer group in this (separate) process, and
/// real failures: SIGKILL of a leader, of the coordinator's silo, SIGTERM of a broker, and PostgreSQL
/// stopped under a running Cluster. Each test leaves every broker running.
/// </summary>
[Collection(PostgresCluster.Name)]
public class ClusterFailoverTests(PostgresClusterFixture cluster, ITestOutputHelper output) : BrokersRunningFirst(cluster)
{
    private OrleansLogClient Client => Cluster.Client;

    [Fact]
    public Task Killing_a_leaders_process_loses_nothing_acknowledged_the_group_finishes_and_the_broker_rejoins_the_isr() =>
        WithBrokerOutputOnFailure(output, KillingALeadersProcess);

    /// <summary>The body of the test above (it fails about one CI run in five: issue 19), with the brokers' output kept on failure.</summary>
    private async Task KillingALeadersProcess()
    {
        const string topic = "payments";
        var created = await Client.Admin.CreateTopicAsync(topic, 3, 3, MinInsync(2));
        var victim = created.Partitions[0].Leader;
        await using var producer = Client.CreateProducer<string, string>(FailoverProducer());
        var acknowledged = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        var sent = 0;
        var killed = new System.Diagnostics.Stopwatch();
        long failoverTicks = 0;
        long slowestTicks = 0;

        async Task ProduceUntil(int count)
        {
            while (acknowledged.Count < count)
            {
                var batch = Enumerable.Range(0, 25).Select(_ => $"payment-{Interlocked.Increment(ref sent)}").ToList();
                await Task.WhenAll(batch.Select(async v =>
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = v, Value = v });
                    if (killed.IsRunning)
                    {
                        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
                        for (var seen = Interlocked.Read(ref slowestTicks); took > seen; seen = Interlocked.Read(ref slowestTicks))
                        {
                            Interlocked.CompareExchange(ref slowestTicks, took, seen);
                        }
                    }

                    Assert.True(acknowledged.TryAdd(result.Message.Value!, (result.Partition, result.Offset)), $"{result.Message.Value} acknowledged twice");

                    // The first acknowledgement on the killed leader's partition once its process is gone comes from the new leader.
                    if (result.Partition == 0 && killed.IsRunning)
                    {
                        Interlocked.CompareExchange(ref failoverTicks, killed.Elapsed.Ticks, 0);
                    }
                }));
            }
        }

        var consumed = new ConcurrentDictionary<string, byte>();
        using var stop = new CancellationTokenSource();
        var consuming = Task.Run(() =>
        {
            using var consumer = Client.CreateConsumer<string, string>(GroupConfig("billing"));
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    consumed.TryAdd(record.Message.Value!, 0);
                }
            }
        });

        await ProduceUntil(1000);

        // Kill the leader in the middle of the stream; the first acknowledgement after the kill is the new leader's.
        var streaming = ProduceUntil(2000);
        await Cluster.KillBroker(victim);
        killed.Start();
        await Wait.Until(() => Interlocked.Read(ref failoverTicks) != 0, $"an acks=all produce to {topic}-0 succeeds on the new leader", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));
        var failover = TimeSpan.FromTicks(Interlocked.Read(ref failoverTicks));
        output.WriteLine($"killed broker {victim}, the leader of {topic}-0; first acknowledged acks=all produce to it after {failover.TotalMilliseconds:0} ms");
        Console.WriteLine($"[cluster] failover {failover.TotalMilliseconds:0} ms from SIGKILL of a leader's process to the first acknowledged acks=all produce to its partition");
        await streaming;
        Console.WriteLine($"[cluster] slowest acks=all produce (any partition) completed after the kill: {TimeSpan.FromTicks(slowestTicks).TotalMilliseconds:0} ms");
        await Cluster.RestartBroker(victim);
        await ProduceUntil(2500);

        await Cluster.WaitFullyInSync(topic);
        await Wait.Until(() => acknowledged.Keys.All(consumed.ContainsKey), "the group consumed every acknowledged record", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        await stop.CancelAsync();
        await consuming;

        // Every acknowledged record is in the log exactly once, at the offset it was acknowledged with; offsets are dense.
        for (var partition = 0; partition < 3; partition++)
        {
            var log = await LogReader.ReadAll(Client, topic, partition);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
            var byValue = log.ToDictionary(r => r.Value, r => r.Offset);
            Assert.All(acknowledged.Where(a => a.Value.Partition == partition), a => Assert.Equal(a.Value.Offset, byValue.GetValueOrDefault(a.Key, -1)));
        }

        var after = await Cluster.Coordinator.DescribeTopic(topic);
        Assert.True(after.Partitions[0].LeaderEpoch > created.Partitions[0].LeaderEpoch);
        Assert.All(after.Partitions, p => Assert.Contains(victim, p.Isr));
    }

    [Fact]
    public async Task Killing_the_coordinators_process_keeps_topics_assignments_and_committed_offsets()
    {
        const string topic = "ledger";
        var created = await Client.Admin.CreateTopicAsync(topic, 2, 3);
        await using (var producer = Client.CreateProducer<string, string>(FailoverProducer()))
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(new TopicPartition(topic, i % 2), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" })));
        }

        await Client.Admin.ResetGroupOffsetsAsync("audit", topic, OffsetResetSpec.ToOffset(7), [0]);
        await Client.Admin.ResetGroupOffsetsAsync("audit", topic, OffsetResetSpec.ToOffset(3), [1]);
        var coordinatorSilo = await Client.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(Cluster.Coordinator)
            ?? throw new InvalidOperationException("The coordinator is not active.");
        var host = (await Client.Admin.ListBrokersAsync()).Single(b => b.Silo.Equals(coordinatorSilo)).Id;

        await Cluster.KillBroker(host);
        output.WriteLine($"killed broker {host}, which hosted the coordinator");
        await Cluster.WaitBrokersAlive(PostgresClusterFixture.BrokerCount - 1);

        var reloaded = await Cluster.Coordinator.DescribeTopic(topic);
        Assert.Equal(created.TopicId, reloaded.TopicId);
        Assert.Equal(created.Partitions.Select(p => p.Replicas.ToArray()), reloaded.Partitions.Select(p => p.Replicas.ToArray()));
        var group = await Client.Admin.DescribeGroupAsync("audit");
        Assert.Equal(new long?[] { 7, 3 }, group.Partitions.OrderBy(p => p.Partition.Partition).Select(p => p.CommittedOffset));
        Assert.Contains("audit", await Client.Admin.ListGroupsAsync());

        await Cluster.RestartBroker(host);
        await Cluster.WaitFullyInSync(topic);
    }

    [Fact]
    public async Task A_stopping_broker_hands_its_leadership_over_before_it_exits()
    {
        const string topic = "handover";
        await CreateReplicated(topic, 3);
        var stopping = (await Cluster.Coordinator.DescribeTopic(topic)).Partitions[1].Leader;

        await Cluster.Brokers[stopping].StopAsync();
        Assert.Contains("Controlled shutdown", Cluster.Brokers[stopping].Output, StringComparison.Ordinal);

        // Moved while it still answered: the coordinator's view right after the exit, before any death detection.
        var after = await Cluster.Coordinator.DescribeTopic(topic);
        Assert.All(after.Partitions, p => Assert.NotEqual(stopping, p.Leader));
        Assert.All(after.Partitions, p => Assert.DoesNotContain(stopping, p.Isr));
        await using (var producer = Client.CreateProducer<string, string>(FailoverProducer()))
        {
            var delivered = await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<string, string> { Key = "k", Value = "after the handover" });
            Assert.Equal(0, delivered.Offset);
        }

        await Cluster.RestartBroker(stopping);
        await Cluster.WaitFullyInSync(topic);
    }

    [Fact]
    public async Task With_postgres_stopped_the_data_path_works_and_metadata_changes_fail_clearly_until_it_returns()
    {
        const string topic = "outage";
        await CreateReplicated(topic, 2);
        await using var producer = Client.CreateProducer<string, string>(FailoverProducer());
        await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = "before", Value = "before" });

        await Cluster.Postgres.StopAsync();
        try
        {
            var delivered = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"during-{i}" })));
            Assert.Equal(200, delivered.Length);

            // A producer that starts now still gets an id: ids come from a block reserved earlier.
            await using (var late = Client.CreateProducer<string, string>(FailoverProducer()))
            {
                await late.ProduceAsync(new TopicPartition(topic, 1), new Message<string, string> { Key = "late", Value = "late" });
            }

            var read = (await LogReader.ReadAll(Client, topic, 0)).Concat(await LogReader.ReadAll(Client, topic, 1)).Select(r => r.Value).ToHashSet();
            Assert.All(delivered, d => Assert.Contains(d.Message.Value!, read));
            Assert.Contains("late", read);

            var refused = await Assert.ThrowsAsync<OrleansLogException>(() => Client.Admin.CreateTopicAsync("created-during-outage", 1, 1));
            Assert.Equal(ErrorCode.KafkaStorageError, refused.Code);
            Assert.Contains("state store did not save the creation of topic \"created-during-outage\"", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("created-during-outage", (await Client.Admin.ListTopicsAsync()).Select(t => t.Name));
        }
        finally
        {
            await Cluster.Postgres.StartAsync();
        }

        await Wait.Until(async () =>
        {
            await Client.Admin.CreateTopicAsync("created-after-outage", 1, 1);
            return true;
        }, "a topic can be created once PostgreSQL is back", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        Assert.Contains("created-after-outage", (await Client.Admin.ListTopicsAsync()).Select(t => t.Name));
    }

    /// <summary>A topic with three replicas per partition and <c>min.insync.replicas=2</c>, once every replica is in sync.</summary>
    private async Task CreateReplicated(string topic, int partitions)
    {
        await Client.Admin.CreateTopicAsync(topic, partitions, 3, MinInsync(2));
        await Cluster.WaitFullyInSync(topic);
    }

    private static Dictionary<string, string> MinInsync(int count) => new() { [TopicConfig.MinInsyncReplicasKey] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static ProducerConfig FailoverProducer() => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(5),
        DeliveryTimeout = TimeSpan.FromSeconds(90),
        Linger = TimeSpan.FromMilliseconds(2),
    };

    private static ConsumerConfig GroupConfig(string group) => new()
    {
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        AutoCommitInterval = TimeSpan.FromMilliseconds(500),
        SessionTimeout = TimeSpan.FromSeconds(3),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
    };
}
