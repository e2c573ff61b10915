namespace OrleansLog.Server.Groups;

/// <summary>One directory shard's persisted groups: each id with the time (Unix ms) its offsets may next be due to expire.</summary>
[GenerateSerializer]
public sealed class ConsumerGroupDirectoryState
{
    [Id(1)]
    public Dictionary<string, long> Groups { get; set; } = new(StringComparer.Ordinal);
}
