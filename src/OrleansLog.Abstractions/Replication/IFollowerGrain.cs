using System.Globalization;
using OrleansLog.Partitions;

namespace OrleansLog.Replication;

/// <summary>
/// One follower replica of a partition (key <see cref="Key"/>: "topic/partition/broker"), placed on its
/// broker's silo and nowhere else: when that broker is down, calls fail rather than land elsewhere. The
/// leader pushes its log here; the follower keeps the same offsets and refuses any epoch older than the
/// newest it has seen, which is what fences a deposed leader.
/// </summary>
[Security.ClusterInternal]
public interface IFollowerGrain : IGrainWithStringKey
{
    Task<ReplicaResponse> Reconcile(ReconcileRequest request);

    Task<ReplicaResponse> Replicate(ReplicateRequest request);

    /// <summary>The coordinator announces a new leader epoch: from now on older epochs are refused.</summary>
    Task Fence(int leaderEpoch);

    Task<ReplicaState> GetState();

    /// <summary>Deletes this replica's log (its topic is gone) and deactivates.</summary>
    Task Delete();

    public static string Key(TopicPartition partition, int broker) =>
        string.Create(CultureInfo.InvariantCulture, $"{partition.GrainKey}/{broker}");

    public static (TopicPartition Partition, int Broker) ParseKey(string key)
    {
        var slash = key.LastIndexOf('/');
        return (TopicPartition.ParseGrainKey(key[..slash]), int.Parse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }
}
