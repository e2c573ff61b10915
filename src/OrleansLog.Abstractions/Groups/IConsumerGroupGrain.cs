using OrleansLog.Security;
using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>
/// One consumer group (key: the group id): members with session timeouts, server-side partition
/// assignment that never gives a partition to a second member before the first has released it, and
/// committed offsets (persisted). Membership calls answer with error codes; admin calls throw
/// <see cref="OrleansLogException"/>.
/// </summary>
public interface IConsumerGroupGrain : IGrainWithStringKey
{
    /// <summary>Adds a member (or renews one that rejoins with its id) and rebalances.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<JoinGroupResponse> Join(JoinGroupRequest request);

    /// <summary>Keeps a member alive, reports the partitions it holds, and answers with its current assignment.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request);

    /// <summary>Removes a member at once (no session timeout to wait for) and rebalances.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task Leave(string memberId);

    /// <summary>A Kafka client joins (classic protocol); refused with INCONSISTENT_GROUP_PROTOCOL while native consumers are members. Never waits: see <see cref="ClassicJoinRequest.Resume"/>.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<ClassicJoinResponse> JoinClassic(ClassicJoinRequest request);

    /// <summary>A Kafka client's SyncGroup: the leader hands out assignments, the others collect theirs.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<ClassicSyncResponse> SyncClassic(ClassicSyncRequest request);

    /// <summary>A Kafka client's heartbeat: REBALANCE_IN_PROGRESS tells it to rejoin, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID that it was rebalanced away.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<ErrorCode> HeartbeatClassic(string memberId, int generation);

    /// <summary>A Kafka client leaves at once; the others rebalance.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<ErrorCode> LeaveClassic(string memberId);

    /// <summary>Commits offsets, refused for a member that is unknown (expired: a zombie), of another generation, or (native members) that does not hold a partition.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<CommitOffsetsResponse> CommitOffsets(CommitOffsetsRequest request);

    /// <summary>The committed offsets of the given partitions (all when empty); partitions without one are left out.</summary>
    /// <summary>
    /// Commits offsets inside the transaction of <paramref name="transactionalId"/> (Kafka's TxnOffsetCommit): they stay
    /// pending, invisible to fetches, until the transaction commits; an abort drops them.
    /// </summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<CommitOffsetsResponse> CommitTransactionalOffsets(string transactionalId, Producers.ProducerIdentity producer, CommitOffsetsRequest request);

    /// <summary>The transaction coordinator ends a producer's transaction here: its pending offsets are committed or dropped.</summary>
    [Security.ClusterInternal]
    Task CompleteTransaction(Producers.ProducerIdentity producer, bool commit);

    [RequiresAcl(AclOperation.Describe, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<ImmutableArray<CommittedOffset>> FetchOffsets(ImmutableArray<TopicPartition> partitions);

    [RequiresAcl(AclOperation.Describe, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task<GroupDescription> Describe();

    /// <summary>Overwrites committed offsets; refused with NON_EMPTY_GROUP while the group has members.</summary>
    [RequiresAcl(AclOperation.Read, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task ResetOffsets(ImmutableArray<CommittedOffset> offsets);

    /// <summary>Deletes the group and its offsets; refused with NON_EMPTY_GROUP while it has members.</summary>
    [RequiresAcl(AclOperation.Delete, AclResourceType.Group, AclResourceSource.GrainKey)]
    Task Delete();

    /// <summary>
    /// Expires the group when it has had no member, and no commit, for <c>offsets.retention.minutes</c>:
    /// its offsets are deleted and null is returned. Otherwise returns when (Unix ms) to ask again.
    /// Called by the group directory's expiry pass.
    /// </summary>
    [Security.ClusterInternal]
    Task<long?> ExpireIfIdle();
}
