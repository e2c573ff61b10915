namespace OrleansLog.Partitions;

/// <summary>
/// What the broker hosting this process knows of its partitions' high watermarks (as leader or follower), read
/// without asking any partition grain: for samplers and dashboards that must not keep idle partitions active.
/// </summary>
public interface ILocalHighWatermarks
{
    /// <summary>For each topic with a replica on this broker since it started, the sum of its known high watermarks.</summary>
    IReadOnlyDictionary<string, long> SumsByTopic();
}
