namespace OrleansLog.Server.Groups;

/// <summary>The persisted set of group ids.</summary>
[GenerateSerializer]
public sealed class ConsumerGroupDirectoryState
{
    [Id(0)]
    public SortedSet<string> GroupIds { get; set; } = new(StringComparer.Ordinal);
}
