using Orleans.Concurrency;
using System.Collections.Immutable;

namespace OrleansLog.Metadata;

/// <summary>
/// The coordinator, like Kafka's controller: one per cluster (key <see cref="ClusterKey"/>). Owns the
/// topics, their ids, partition counts and configs; validates every change and persists it before it
/// answers. Refusals throw <see cref="OrleansLogException"/> with a Kafka error code.
/// </summary>
public interface IMetadataGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>Creates a topic; TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR or INVALID_CONFIG otherwise.</summary>
    Task<TopicDescription> CreateTopic(string name, int partitions, short replicationFactor, ImmutableDictionary<string, string> configs);

    /// <summary>Deletes a topic and its data; UNKNOWN_TOPIC_OR_PARTITION when there is none.</summary>
    Task DeleteTopic(string name);

    [AlwaysInterleave]
    Task<ImmutableArray<TopicDescription>> ListTopics();

    /// <summary>The topic, or UNKNOWN_TOPIC_OR_PARTITION.</summary>
    [AlwaysInterleave]
    Task<TopicDescription> DescribeTopic(string name);

    /// <summary>The topic, or null when there is none (no exception: routing asks this often).</summary>
    [AlwaysInterleave]
    Task<TopicDescription?> TryGetTopic(string name);

    /// <summary>Grows the topic to <paramref name="totalCount"/> partitions; a count that is not larger is INVALID_PARTITIONS.</summary>
    Task<TopicDescription> CreatePartitions(string name, int totalCount);

    /// <summary>Sets (or, with a null value, removes) config overrides; validated as on create.</summary>
    Task<TopicDescription> AlterConfigs(string name, ImmutableDictionary<string, string?> changes);
}
