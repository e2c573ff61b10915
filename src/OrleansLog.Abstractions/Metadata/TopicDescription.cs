using System.Collections.Immutable;

namespace OrleansLog.Metadata;

/// <summary>
/// What the coordinator knows of a topic: its name, its unique id (a deleted and recreated topic gets a
/// new one, so it never reads the old files), its partition count, config overrides, replication factor
/// and who leads each partition (<see cref="Partitions"/>, indexed by partition number).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicDescription(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(2)] int PartitionCount,
    [property: Id(3)] ImmutableSortedDictionary<string, string> ConfigOverrides,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] short ReplicationFactor,
    [property: Id(6)] ImmutableArray<PartitionLeadership> Partitions)
{
    /// <summary>The effective config: defaults with the overrides applied.</summary>
    public TopicConfig Config => TopicConfig.Parse(ConfigOverrides);
}
