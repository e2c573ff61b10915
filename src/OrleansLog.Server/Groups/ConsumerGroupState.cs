using OrleansLog.Groups;

namespace OrleansLog.Server.Groups;

/// <summary>
/// A group's persisted state: committed offsets by topic, each topic tagged with its id so a recreated topic
/// starts clean, and when the group was last active (a commit, or its last member leaving), from which its
/// offsets expire after <c>offsets.retention.minutes</c>.
/// </summary>
[GenerateSerializer]
public sealed class ConsumerGroupState
{
    [Id(0)]
    public Dictionary<string, TopicOffsets> Topics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Unix ms of the last commit or of the last member leaving; 0 when unknown (state written before it was kept).</summary>
    [Id(1)]
    public long LastActiveMs { get; set; }

    /// <summary>Offsets committed inside open transactions, by producer id: applied when the transaction commits, dropped when it aborts.</summary>
    [Id(2)]
    public Dictionary<long, List<CommittedOffset>> Pending { get; set; } = [];
}
