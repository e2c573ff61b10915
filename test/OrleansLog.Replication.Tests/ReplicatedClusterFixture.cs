using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// Three brokers in one TestCluster (broker 0 is the primary silo, which hosts the test membership
/// table, so tests kill only brokers 1 and 2). A test fault stalls a broker's follower replicas: while
/// <see cref="Stall"/> holds for a broker, every push to its followers fails, as if it had hung. The switch
/// is a service of that broker's silo (a restarted broker starts unstalled), not a static.
/// </summary>
public sealed class ReplicatedClusterFixture : BrokerClusterFixture
{

    /// <summary>The coordinator, called from inside the cluster (its internal methods are driven by these tests).</summary>
    public IMetadataGrain Coordinator => Inside.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    protected override short SiloCount => 3;

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<StallConfigurator>();

    public async Task<TopicDescription> CreateTopic(string name, int partitions, short replicationFactor = 3, ImmutableDictionary<string, string>? configs = null)
    {
        await Wait.Until(async () => (await Coordinator.ListBrokers()).Count(b => b.IsAlive) == SiloCount, "all three brokers registered");
        return await Coordinator.CreateTopic(name, partitions, replicationFactor, configs ?? ImmutableDictionary<string, string>.Empty);
    }

    public async Task<PartitionLeadership> Leadership(string topic, int partition) =>
        (await Coordinator.DescribeTopic(topic)).Partitions[partition];

    /// <summary>The open log of a partition on broker <paramref name="broker"/> (leader or follower replica).</summary>
    public async Task<Storage.PartitionLog> LogOn(int broker, string topic, int partition)
    {
        var description = await Coordinator.DescribeTopic(topic);
        return BrokerService<LogManager>(broker).Acquire(new TopicPartition(topic, partition), description);
    }

    /// <summary>Makes every push to broker <paramref name="broker"/>'s follower replicas fail until <see cref="Unstall"/>.</summary>
    public void Stall(int broker) => BrokerService<ReplicaStall>(broker).IsStalled = true;

    public void Unstall(int broker) => BrokerService<ReplicaStall>(broker).IsStalled = false;

    /// <summary>While set, broker <paramref name="broker"/>'s partition and follower grains drop the coordinator's delete notices, as a broker that was cut off would.</summary>
    public void MissDeletes(int broker, bool miss) => BrokerService<ReplicaStall>(broker).MissesDeletes = miss;

    public IFollowerGrain Follower(string topic, int partition, int broker) =>
        Inside.GetGrain<IFollowerGrain>(IFollowerGrain.Key(new TopicPartition(topic, partition), broker));

    /// <summary>Waits until every replica of the partition is in the ISR and holds the leader's whole log.</summary>
    public async Task WaitInSync(string topic, int partition, TimeSpan? timeout = null)
    {
        await Wait.Until(
            async () =>
            {
                var leadership = await Leadership(topic, partition);
                if (!leadership.IsOnline || leadership.Isr.Length != leadership.Replicas.Length)
                {
                    return false;
                }

                var state = await Grains.GetPartitionGrain(topic, partition).GetState();
                foreach (var follower in leadership.Followers)
                {
                    if ((await Follower(topic, partition, follower).GetState()).LogEndOffset != state.LogEndOffset)
                    {
                        return false;
                    }
                }

                return state.HighWatermark == state.LogEndOffset;
            },
            $"{topic}-{partition} fully in sync",
            timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Whether this silo's follower replicas refuse pushes (thread-safe: grain calls read it while a test switches it).</summary>
    private sealed class ReplicaStall
    {
        private volatile bool _stalled;
        private volatile bool _missesDeletes;

        public bool IsStalled
        {
            get => _stalled;
            set => _stalled = value;
        }

        public bool MissesDeletes
        {
            get => _missesDeletes;
            set => _missesDeletes = value;
        }
    }

    private sealed class StallFilter(ReplicaStall stall) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (stall.IsStalled && context.InterfaceMethod?.DeclaringType == typeof(IFollowerGrain) && context.InterfaceMethod.Name is "Replicate" or "Reconcile")
            {
                throw new TimeoutException("Test fault: this broker's replicas are stalled.");
            }

            if (stall.MissesDeletes && context.InterfaceMethod?.Name == "Delete" && context.InterfaceMethod.DeclaringType is { } type && (type == typeof(IFollowerGrain) || type == typeof(IPartitionGrain)))
            {
                throw new TimeoutException("Test fault: this broker missed the delete.");
            }

            await context.Invoke();
        }
    }

    private sealed class StallConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<ReplicaStall>();
            siloBuilder.AddIncomingGrainCallFilter<StallFilter>();

            // The cleaner runs only when a test calls it (LogCleanerService.RunOnce), so no pass of its own races a test's.
            siloBuilder.Services.Configure<Server.Compaction.CleanerOptions>(options => options.Backoff = TimeSpan.FromHours(1));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ReplicatedCluster : ICollectionFixture<ReplicatedClusterFixture>
{
    public const string Name = "replicated cluster";
}
