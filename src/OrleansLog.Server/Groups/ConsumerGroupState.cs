namespace OrleansLog.Server.Groups;

/// <summary>A group's persisted state: committed offsets by topic, each topic tagged with its id so a recreated topic starts clean.</summary>
[GenerateSerializer]
public sealed class ConsumerGroupState
{
    [Id(0)]
    public Dictionary<string, TopicOffsets> Topics { get; set; } = new(StringComparer.Ordinal);
}
