namespace OrleansLog.Server.Groups;

/// <summary>One topic's committed offsets in a group: partition → (offset, metadata).</summary>
[GenerateSerializer]
public sealed class TopicOffsets
{
    [Id(0)]
    public Guid TopicId { get; set; }

    [Id(1)]
    public Dictionary<int, OffsetAndMetadata> Partitions { get; set; } = [];
}
