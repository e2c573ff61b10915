using OrleansLog.Security;
using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLog.Brokers;

namespace OrleansLog.Metadata;

/// <summary>
/// The coordinator, like Kafka's controller: one per cluster (key <see cref="ClusterKey"/>). Owns the
/// topics, their ids, partition counts and configs, the brokers, and for every partition its replicas,
/// leader, leader epoch and ISR. Validates every change and persists it before it answers; elects new
/// leaders from the ISR when a broker dies. Refusals throw <see cref="OrleansLogException"/> with a Kafka error code.
/// </summary>
public interface IMetadataGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>
    /// Creates a topic with <paramref name="replicationFactor"/> replicas per partition on distinct brokers
    /// (-1: the broker default); TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
    /// INVALID_REPLICATION_FACTOR (more than the live brokers) or INVALID_CONFIG otherwise.
    /// </summary>
    [RequiresAcl(AclOperation.Create, AclResourceType.Topic, AclResourceSource.FirstArgument, OrOnCluster = AclOperation.Create)]
    Task<TopicDescription> CreateTopic(string name, int partitions, short replicationFactor, ImmutableDictionary<string, string> configs);

    /// <summary>Deletes a topic and its data; UNKNOWN_TOPIC_OR_PARTITION when there is none.</summary>
    [RequiresAcl(AclOperation.Delete, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task DeleteTopic(string name);

    [AlwaysInterleave]
    [FiltersByAcl(AclResourceType.Topic)]
    Task<ImmutableArray<TopicDescription>> ListTopics();

    /// <summary>The topic, or UNKNOWN_TOPIC_OR_PARTITION.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task<TopicDescription> DescribeTopic(string name);

    /// <summary>The topic, or null when there is none (no exception: routing asks this often).</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task<TopicDescription?> TryGetTopic(string name);

    /// <summary>Grows the topic to <paramref name="totalCount"/> partitions; a count that is not larger is INVALID_PARTITIONS.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task<TopicDescription> CreatePartitions(string name, int totalCount);

    /// <summary>Sets (or, with a null value, removes) config overrides; validated as on create.</summary>
    [RequiresAcl(AclOperation.AlterConfigs, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task<TopicDescription> AlterConfigs(string name, ImmutableDictionary<string, string?> changes);

    /// <summary>
    /// A silo announces itself as broker <paramref name="brokerId"/>. Refused with
    /// INVALID_REQUEST when another live silo already is that broker. Offline partitions it can lead get a leader.
    /// <paramref name="kafkaEndpoint"/> ("host:port") is where Kafka clients reach it, when it runs the Kafka listener.
    /// </summary>
    [Security.ClusterInternal]
    Task RegisterBroker(int brokerId, SiloAddress silo, string? kafkaEndpoint = null);

    /// <summary>
    /// Controlled shutdown: broker <paramref name="brokerId"/> is stopping. Its partitions get new leaders
    /// from their ISR and it leaves every ISR, so clients move before it exits; it counts as not alive until
    /// it registers again. Returns how many partitions it still leads (no other in-sync replica is alive).
    /// </summary>
    [Security.ClusterInternal]
    Task<int> ShutdownBroker(int brokerId);

    /// <summary>
    /// Broker <paramref name="brokerId"/> on <paramref name="silo"/> renews its session (Kafka's broker
    /// heartbeat). A broker silent past the session timeout is fenced: its partitions get new leaders and its
    /// silo is declared dead, far sooner than Orleans' own failure detection would. Interleaves with
    /// everything, so a slow change never makes a live broker look dead.
    /// </summary>
    [AlwaysInterleave]
    [Security.ClusterInternal]
    Task<BrokerHeartbeatResponse> Heartbeat(int brokerId, SiloAddress silo);

    /// <summary>A silo saw cluster membership change: re-check which brokers live and elect leaders where needed.</summary>
    [Security.ClusterInternal]
    Task MembershipChanged();

    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<BrokerDescription>> ListBrokers();

    /// <summary>The silo of a live broker, or null.</summary>
    [AlwaysInterleave]
    Task<SiloAddress?> GetBrokerSilo(int brokerId);

    /// <summary>The silo of the partition's leader, or null while it has none (or the topic is unknown).</summary>
    [AlwaysInterleave]
    Task<SiloAddress?> GetLeaderSilo(string topic, int partition);

    /// <summary>
    /// The leader of <paramref name="leaderEpoch"/> asks to set the ISR (shrink a lagging follower out, or
    /// take a caught-up one back in). FENCED_LEADER_EPOCH when the leader epoch is not current;
    /// INVALID_UPDATE_VERSION when <paramref name="partitionEpoch"/> is not (the leader computed the change
    /// from a state the coordinator has since changed: it must refresh and decide again). Returns the new state.
    /// </summary>
    [Security.ClusterInternal]
    Task<PartitionLeadership> AlterIsr(string topic, int partition, int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr);

    /// <summary>
    /// Several leaders' ISR changes at once (one per partition), each checked as <see cref="AlterIsr"/> and answered
    /// in order, all saved in one write per touched bucket: when a broker stops, every partition it follows shrinks
    /// its ISR at once, and one change per coordinator turn and write fell so far behind that the queue grew
    /// without bound (as Kafka's AlterPartition carries many partitions, KIP-497).
    /// </summary>
    [Security.ClusterInternal]
    Task<ImmutableArray<IsrChangeResult>> AlterIsrs(ImmutableArray<IsrChange> changes);

    /// <summary>
    /// Moves leadership back to each partition's preferred (first) replica where it is alive and in the ISR
    /// (all topics when <paramref name="topic"/> is null). Returns the partitions that changed leader.
    /// </summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<int> ElectPreferredLeaders(string? topic);
}
