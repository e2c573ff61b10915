namespace OrleansLog.Server.Groups;

/// <summary>The broker's consumer group settings, bound from <c>OrleansLog:Groups</c> (Kafka's names in comments).</summary>
public sealed class GroupCoordinatorOptions
{
    public const string SectionName = "OrleansLog:Groups";

    /// <summary>Shortest session a member may ask for (<c>group.min.session.timeout.ms</c>).</summary>
    public TimeSpan MinSessionTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Longest session a member may ask for (<c>group.max.session.timeout.ms</c>).</summary>
    public TimeSpan MaxSessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Most members in one group (<c>group.max.size</c>).</summary>
    public int MaxGroupSize { get; set; } = 1000;

    /// <summary>How long a new classic (Kafka client) group waits for more members before its first generation (<c>group.initial.rebalance.delay.ms</c>).</summary>
    public TimeSpan InitialRebalanceDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a group with members checks for expired sessions.</summary>
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a group with members looks for new partitions or deleted topics (<c>metadata.max.age.ms</c>).</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a group without members keeps its committed offsets after its last commit or its last member left (<c>offsets.retention.minutes</c>: 7 days).</summary>
    public TimeSpan OffsetsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often each broker runs the expiry pass over the group directory (<c>offsets.retention.check.interval.ms</c>).</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(10);
}
