using OrleansLog.Metadata;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>What OrleansLog's topics promise in the benchmark, for both of its drivers.</summary>
internal static class OrleansLogDurability
{
    /// <summary>Replicated topics take <c>min.insync.replicas=2</c>, as a production topic with three replicas would.</summary>
    public static Dictionary<string, string> TopicConfig(Workload workload) => workload.ReplicationFactor > 1
        ? new() { [Metadata.TopicConfig.MinInsyncReplicasKey] = "2" }
        : [];

    public static string Describe(Workload workload) => workload.ReplicationFactor == 1
        ? "fdatasync before the ack (group commit per batch)"
        : workload.Acks == "all"
            ? "acks=all: every in-sync replica (3, min.insync.replicas=2) has fdatasynced it"
            : "acks=1: the leader has fdatasynced it; followers copy it after";
}
