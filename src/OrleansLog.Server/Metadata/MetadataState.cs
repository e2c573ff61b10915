using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>The coordinator's persisted state: every topic by name.</summary>
[GenerateSerializer]
public sealed class MetadataState
{
    [Id(0)]
    public Dictionary<string, TopicDescription> Topics { get; set; } = new(StringComparer.Ordinal);
}
