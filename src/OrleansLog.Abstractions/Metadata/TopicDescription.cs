using System.Collections.Immutable;

namespace OrleansLog.Metadata;

/// <summary>
/// What the coordinator knows of a topic: its name, its unique id (a deleted and recreated topic gets a
/// new one, so it never reads the old files), its partition count and its config overrides.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicDescription(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(2)] int PartitionCount,
    [property: Id(3)] ImmutableSortedDictionary<string, string> ConfigOverrides,
    [property: Id(4)] DateTimeOffset CreatedAt)
{
    /// <summary>The effective config: defaults with the overrides applied.</summary>
    public TopicConfig Config => TopicConfig.Parse(ConfigOverrides);
}
