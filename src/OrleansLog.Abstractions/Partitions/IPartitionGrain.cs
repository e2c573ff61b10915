using OrleansLog.Security;
namespace OrleansLog.Partitions;

/// <summary>
/// The leader of one partition (key <see cref="TopicPartition.GrainKey"/>): assigns offsets, appends
/// batches to the local log, answers fetches below the high watermark with long-polling, and answers
/// list-offsets. Data-path refusals come back as error codes in the response, never as exceptions.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    [RequiresAcl(AclOperation.Write, AclResourceType.Topic, AclResourceSource.PartitionKeyTopic)]
    Task<ProduceResponse> Produce(ProduceRequest request);

    /// <summary>
    /// Batches from <see cref="FetchRequest.Offset"/>, long-polling up to <see cref="FetchRequest.MaxWaitMs"/>. A
    /// cancelled <paramref name="stopWaiting"/> ends the wait early with what is there (the offsets, perhaps no batch),
    /// not with an error: a caller that polls many partitions stops the rest once one has answered.
    /// </summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Topic, AclResourceSource.PartitionKeyTopic)]
    Task<FetchResponse> Fetch(FetchRequest request, CancellationToken stopWaiting = default);

    /// <summary>The earliest offset with a timestamp at least <paramref name="timestamp"/> (-1 when none), or a <see cref="ListOffsetsSpec"/> position.</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.PartitionKeyTopic)]
    Task<long> ListOffset(long timestamp, IsolationLevel isolation = IsolationLevel.ReadUncommitted);

    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.PartitionKeyTopic)]
    Task<PartitionState> GetState();

    /// <summary>
    /// Where <paramref name="leaderEpoch"/> ended in this leader's log (Kafka's OffsetForLeaderEpoch).
    /// <paramref name="currentLeaderEpoch"/> (-1: not checked) is the asker's view of the current epoch:
    /// older is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH.
    /// </summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.PartitionKeyTopic)]
    Task<LeaderEpochEndOffset> OffsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch);

    /// <summary>Deletes whole segments past the topic's retention; run by the broker's retention service.</summary>
    [Security.ClusterInternal]
    Task RunRetention();

    /// <summary>
    /// Writes a transaction's commit or abort marker (from its coordinator), replicated as an acks=all produce: the
    /// producer's open transaction here ends. INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED for a stale one.
    /// </summary>
    [Security.ClusterInternal]
    Task<ErrorCode> WriteTxnMarker(TransactionMarkerRequest request);

    /// <summary>Picks up a changed topic description (from the coordinator, which passes it so nothing calls back); false when this activation does not lead (it steps down).</summary>
    [Security.ClusterInternal]
    Task<bool> Refresh(Metadata.TopicDescription topic);

    /// <summary>Deletes the partition's data (the topic is being deleted) and deactivates.</summary>
    [Security.ClusterInternal]
    Task Delete();
}
