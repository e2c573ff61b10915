namespace OrleansLog.Groups;

/// <summary>The assignor names a consumer may ask for (Kafka's names).</summary>
public static class PartitionAssignors
{
    /// <summary>Per topic, contiguous ranges of partitions to members in id order.</summary>
    public const string Range = "range";

    /// <summary>All subscribed partitions dealt out one at a time.</summary>
    public const string RoundRobin = "roundrobin";

    /// <summary>Balanced, and members keep the partitions they hold wherever balance allows.</summary>
    public const string CooperativeSticky = "cooperative-sticky";

    public static bool IsKnown(string name) => name is Range or RoundRobin or CooperativeSticky;
}
