using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>One persisted bucket of the coordinator's topics (see <see cref="TopicStore"/>): the topics whose name hashes to it.</summary>
[GenerateSerializer]
public sealed class TopicBucket
{
    [Id(0)]
    public Dictionary<string, TopicDescription> Topics { get; set; } = new(StringComparer.Ordinal);
}
