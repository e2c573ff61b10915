using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using OrleansLog.Groups;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Groups.Classic;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Groups;

/// <summary>
/// One consumer group (see <see cref="IConsumerGroupGrain"/>): native members and server-side assignment
/// through <see cref="GroupMembership"/>, or Kafka clients through <see cref="ClassicGroup"/> (never both at
/// once; both in memory: members rejoin after a reactivation), and the committed offsets both share, in
/// persisted state (durable before a commit is answered). Concurrency: not reentrant, so joins,
/// heartbeats, commits and the session timer apply one at a time in arrival order. Offsets of a topic
/// that was deleted (or deleted and recreated: its id changed) are dropped when the group activates and
/// whenever it refreshes metadata. A group id that breaks Kafka's rules never activates (INVALID_GROUP_ID
/// on every path), and an unknown group that a read activated (no member, no offsets) deactivates after the
/// call. Offsets expire once the group has been idle for <see cref="GroupCoordinatorOptions.OffsetsRetention"/>
/// (see <see cref="ExpireIfIdle"/>).
/// </summary>
public sealed partial class ConsumerGroupGrain(
    [PersistentState("group", OrleansLogStorage.Name)] IPersistentState<ConsumerGroupState> state,
    IOptions<GroupCoordinatorOptions> options,
    DeepCopier copier,
    TimeProvider time,
    AuditLog audit,
    ILogger<ConsumerGroupGrain> logger) : Grain, IConsumerGroupGrain
{
    /// <summary>Kafka's <c>offset.metadata.max.bytes</c> default.</summary>
    private const int MaxOffsetMetadataLength = 4096;

    private GroupMembership _membership = null!;
    private ClassicGroup _classic = null!;
    private IGrainTimer? _sessionTimer;
    private Dictionary<string, TopicDescription> _topics = new(StringComparer.Ordinal);
    private DateTimeOffset _topicsRefreshedAt;
    private bool _registered;
    private bool _hadMembers;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        GroupId.Validate(Id);
        _membership = new GroupMembership(Id, options.Value);
        _classic = new ClassicGroup(Id, options.Value);
        if (state.RecordExists)
        {
            await RefreshTopics(state.State.Topics.Keys);
            await DropOffsetsOfDeletedTopics();
        }
    }

    public async Task<JoinGroupResponse> Join(JoinGroupRequest request)
    {
        if (_membership.ValidateJoin(request) is { } refusal)
        {
            return refusal;
        }

        if (!_classic.IsEmpty)
        {
            return new JoinGroupResponse(ErrorCode.InconsistentGroupProtocol, request.MemberId ?? "", _membership.Generation, [], $"Group \"{Id}\" has {_classic.Members.Count} Kafka client member(s); a native consumer cannot join it until they leave.");
        }

        var (member, changed) = _membership.Join(request, time.GetUtcNow());
        _hadMembers = true;
        await EnsureRegistered();
        if (changed)
        {
            LogMemberJoined(Id, member.MemberId, member.Topics);
            await RebalanceWithFreshTopics();
        }

        EnsureSessionTimer();
        var answer = _membership.Answer(member);
        return new JoinGroupResponse(ErrorCode.None, member.MemberId, answer.Generation, answer.Assignment);
    }

    public Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request)
    {
        if (_membership.Find(request.MemberId) is not { } member)
        {
            return Task.FromResult(new HeartbeatResponse(ErrorCode.UnknownMemberId, _membership.Generation, [], false, $"Member {request.MemberId} is not in group \"{Id}\": its session expired or it left. Rejoin."));
        }
        return Task.FromResult(_membership.Heartbeat(member, request.Owned, time.GetUtcNow()));
    }

    public async Task Leave(string memberId)
    {
        if (_membership.Remove(memberId))
        {
            LogMemberLeft(Id, memberId, "left");
            await RebalanceWithFreshTopics();
            await NoteIfEmptied();
        }
    }

    public async Task<ClassicJoinResponse> JoinClassic(ClassicJoinRequest request)
    {
        if (!_membership.IsEmpty)
        {
            return ClassicJoinResponse.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId);
        }

        var generation = _classic.Generation;
        var answer = _classic.Join(request, time.GetUtcNow());
        if (answer.Error == ErrorCode.None)
        {
            _hadMembers = true;
                await EnsureRegistered();
            EnsureSessionTimer();
        }

        LogClassicGeneration(generation);
        return answer;
    }

    public Task<ClassicSyncResponse> SyncClassic(ClassicSyncRequest request)
    {
        var generation = _classic.Generation;
        var answer = _classic.Sync(request, time.GetUtcNow());
        LogClassicGeneration(generation);
        return Task.FromResult(answer);
    }

    public Task<ErrorCode> HeartbeatClassic(string memberId, int generation)
    {
        var before = _classic.Generation;
        var answer = _classic.Heartbeat(memberId, generation, time.GetUtcNow());
        LogClassicGeneration(before);
        return Task.FromResult(answer);
    }

    public async Task<ErrorCode> LeaveClassic(string memberId)
    {
        var answer = _classic.Leave(memberId, time.GetUtcNow());
        if (answer == ErrorCode.None)
        {
            LogMemberLeft(Id, memberId, "left");
            await NoteIfEmptied();
        }

        return answer;
    }

    public async Task<CommitOffsetsResponse> CommitOffsets(CommitOffsetsRequest request)
    {
        var refusal = _classic.IsEmpty ? _membership.ValidateCommit(request)
            : _classic.ValidateCommit(request.MemberId, request.Generation, time.GetUtcNow()) is { } classicRefusal ? new CommitOffsetsResponse(classicRefusal.Error, classicRefusal.Message) : null;
        if (refusal is not null)
        {
            return refusal;
        }

        await RefreshTopics(request.Offsets.Select(o => o.Partition.Topic).Where(t => !_topics.ContainsKey(t)));
        if (CheckOffsets(request.Offsets) is { } problem)
        {
            return new CommitOffsetsResponse(problem.Error, problem.Message);
        }

        var before = copier.Copy(state.State);
        Apply(request.Offsets);
        await state.WriteOrRestoreAsync(before, $"the offsets committed to group \"{Id}\"");
        await EnsureRegistered();
        return CommitOffsetsResponse.Success;
    }

    public async Task<ImmutableArray<CommittedOffset>> FetchOffsets(ImmutableArray<TopicPartition> partitions)
    {
        DeactivateIfUnknown();
        await DropOffsetsOfDeletedTopicsIfIdle();
        var all = AllOffsets();
        if (partitions.IsDefaultOrEmpty)
        {
            return all;
        }

        var wanted = partitions.ToHashSet();
        return [.. all.Where(o => wanted.Contains(o.Partition))];
    }

    public async Task<GroupDescription> Describe()
    {
        DeactivateIfUnknown();
        await DropOffsetsOfDeletedTopicsIfIdle();
        if (!_classic.IsEmpty)
        {
            return DescribeClassic();
        }

        var members = _membership.Members
            .OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .Select(m => new GroupMemberDescription(m.MemberId, m.ClientId, m.Topics, GroupMembership.Sorted(m.Held)))
            .ToImmutableArray();
        return new GroupDescription(Id, _membership.State, _membership.Generation, _membership.Assignor, members, AllOffsets());
    }

    /// <summary>
    /// A group without members has no session timer to refresh its topics, and reads (a console sampling its
    /// lag every few seconds) keep its activation alive: without this, it would report the offsets of a topic
    /// deleted after activation for as long as something keeps reading it, and every lag check would ask a
    /// partition that is gone. At most one metadata look-up per topic per <see cref="GroupCoordinatorOptions.MetadataRefreshInterval"/>.
    /// </summary>
    private async Task DropOffsetsOfDeletedTopicsIfIdle()
    {
        if (_membership.IsEmpty && _classic.IsEmpty && state.State.Topics.Count > 0 && time.GetUtcNow() - _topicsRefreshedAt >= options.Value.MetadataRefreshInterval)
        {
            await RefreshTopics(state.State.Topics.Keys);
            await DropOffsetsOfDeletedTopics();
        }
    }

    private GroupDescription DescribeClassic()
    {
        var state = _classic.Phase switch
        {
            ClassicGroupPhase.PreparingRebalance => GroupState.Rebalancing,
            ClassicGroupPhase.CompletingRebalance => GroupState.CompletingRebalance,
            ClassicGroupPhase.Stable => GroupState.Stable,
            _ => GroupState.Empty,
        };
        var members = _classic.Members
            .Select(m =>
            {
                var metadata = m.MetadataFor(_classic.Protocol);
                return new GroupMemberDescription(
                    m.MemberId,
                    m.ClientId,
                    ConsumerProtocolFormat.SubscribedTopics(metadata.Span),
                    ConsumerProtocolFormat.AssignedPartitions(m.Assignment.Span),
                    m.ClientHost,
                    metadata,
                    m.Assignment,
                    m.GroupInstanceId);
            })
            .ToImmutableArray();
        return new GroupDescription(Id, state, _classic.Generation, _classic.Protocol, members, AllOffsets(), _classic.ProtocolType);
    }

    public Task ResetOffsets(ImmutableArray<CommittedOffset> offsets) =>
        audit.Change("ResetOffsets", $"Group:{Id}", () => ResetOffsetsCore(offsets));

    private async Task ResetOffsetsCore(ImmutableArray<CommittedOffset> offsets)
    {
        RequireEmpty("reset its offsets");
        await RefreshTopics(offsets.Select(o => o.Partition.Topic).Distinct(StringComparer.Ordinal));
        if (CheckOffsets(offsets) is { } problem)
        {
            throw new OrleansLogException(problem.Error, problem.Message);
        }

        var before = copier.Copy(state.State);
        Apply(offsets);
        await state.WriteOrRestoreAsync(before, $"the offsets reset in group \"{Id}\"");
        await EnsureRegistered();
    }

    public Task Delete() =>
        audit.Change("DeleteGroup", $"Group:{Id}", DeleteCore);

    private async Task DeleteCore()
    {
        RequireEmpty("delete it");
        if (!state.RecordExists)
        {
            throw new OrleansLogException(ErrorCode.GroupIdNotFound, $"Consumer group \"{Id}\" does not exist.");
        }

        await state.ClearOrRestoreAsync(copier.Copy(state.State), $"the deletion of group \"{Id}\"");
        await IConsumerGroupDirectoryGrain.ShardOf(GrainFactory, Id).Unregister(Id);
        _registered = false;
        DeactivateOnIdle();
    }

    private async Task OnSessionTimer(CancellationToken cancellationToken)
    {
        var generation = _classic.Generation;
        _classic.Tick(time.GetUtcNow());
        LogClassicGeneration(generation);

        var expired = _membership.ExpireMembers(time.GetUtcNow());
        foreach (var id in expired)
        {
            LogMemberLeft(Id, id, "session timed out");
        }

        if (expired.Count > 0 || time.GetUtcNow() - _topicsRefreshedAt >= options.Value.MetadataRefreshInterval)
        {
            await RebalanceWithFreshTopics();
        }

        if (_membership.IsEmpty && _classic.IsEmpty)
        {
            _sessionTimer?.Dispose();
            _sessionTimer = null;
            await NoteIfEmptied();
        }
    }

    public async Task<long?> ExpireIfIdle()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var retention = (long)options.Value.OffsetsRetention.TotalMilliseconds;
        if (!_membership.IsEmpty || !_classic.IsEmpty)
        {
            return now + retention;
        }

        if (state.RecordExists && state.State.LastActiveMs == 0)
        {
            // Offsets committed before this broker kept the time: their retention starts now, not at 1970.
            await MarkActive(now);
            return now + retention;
        }

        if (state.RecordExists && state.State.LastActiveMs + retention > now)
        {
            return state.State.LastActiveMs + retention;
        }

        if (state.RecordExists)
        {
            await state.ClearOrRestoreAsync(copier.Copy(state.State), $"the expiry of group \"{Id}\"");
        }

        _registered = false;
        DeactivateOnIdle();
        return null;
    }

    /// <summary>Starts the retention clock when the last member of a group that had members is gone.</summary>
    private async Task NoteIfEmptied()
    {
        if (_hadMembers && _membership.IsEmpty && _classic.IsEmpty)
        {
            _hadMembers = false;
            if (state.RecordExists)
            {
                await MarkActive(time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }
    }

    private async Task MarkActive(long nowMs)
    {
        var before = copier.Copy(state.State);
        state.State.LastActiveMs = nowMs;
        await state.WriteOrRestoreAsync(before, $"the last activity of group \"{Id}\"");
    }

    /// <summary>A read of a group nobody uses (no member, no offsets) leaves no activation behind.</summary>
    private void DeactivateIfUnknown()
    {
        if (!state.RecordExists && _membership.IsEmpty && _classic.IsEmpty)
        {
            DeactivateOnIdle();
        }
    }

    private void EnsureSessionTimer()
    {
        var period = options.Value.SessionCheckInterval;
        _sessionTimer ??= this.RegisterGrainTimer(OnSessionTimer, new GrainTimerCreationOptions(period, period) { KeepAlive = true });
    }

    /// <summary>Looks the subscribed topics up again, drops offsets of deleted ones, and recomputes targets.</summary>
    private async Task RebalanceWithFreshTopics()
    {
        await RefreshTopics(_membership.SubscribedTopics.Concat(state.State.Topics.Keys).Distinct(StringComparer.Ordinal));
        await DropOffsetsOfDeletedTopics();
        var counts = _membership.SubscribedTopics.ToDictionary(t => t, t => _topics.TryGetValue(t, out var topic) ? topic.PartitionCount : 0, StringComparer.Ordinal);
        if (_membership.Rebalance(counts))
        {
            LogRebalanced(Id, _membership.Generation, _membership.Members.Count);
        }
    }

    private async Task RefreshTopics(IEnumerable<string> names)
    {
        var metadata = GrainFactory.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        foreach (var name in names.ToList())
        {
            if (await metadata.TryGetTopic(name) is { } topic)
            {
                _topics[name] = topic;
            }
            else
            {
                _topics.Remove(name);
            }
        }

        _topicsRefreshedAt = time.GetUtcNow();
    }

    private async Task DropOffsetsOfDeletedTopics()
    {
        var stale = state.State.Topics
            .Where(t => !_topics.TryGetValue(t.Key, out var topic) || topic.TopicId != t.Value.TopicId)
            .Select(t => t.Key)
            .ToList();
        if (stale.Count == 0)
        {
            return;
        }

        var before = copier.Copy(state.State);
        foreach (var name in stale)
        {
            state.State.Topics.Remove(name);
            LogOffsetsDropped(Id, name);
        }

        await state.WriteOrRestoreAsync(before, $"the dropped offsets of group \"{Id}\"");
    }

    /// <summary>The first offset that cannot be stored (negative, metadata too long, no such partition in the known topics), or null.</summary>
    private (ErrorCode Error, string Message)? CheckOffsets(IEnumerable<CommittedOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            if (offset.Offset < 0)
            {
                return (ErrorCode.InvalidCommitOffsetSize, $"Offset {offset.Offset} for {offset.Partition} is negative.");
            }

            if (offset.Metadata is { Length: > MaxOffsetMetadataLength })
            {
                return (ErrorCode.OffsetMetadataTooLarge, $"Offset metadata for {offset.Partition} is {offset.Metadata.Length} characters; at most {MaxOffsetMetadataLength} are allowed.");
            }

            if (!_topics.TryGetValue(offset.Partition.Topic, out var topic) || offset.Partition.Partition < 0 || offset.Partition.Partition >= topic.PartitionCount)
            {
                return (ErrorCode.UnknownTopicOrPartition, $"Partition {offset.Partition} does not exist: no offset can be stored for it.");
            }
        }

        return null;
    }

    private void Apply(IEnumerable<CommittedOffset> offsets)
    {
        state.State.LastActiveMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var commit in offsets)
        {
            var topicId = _topics[commit.Partition.Topic].TopicId;
            if (!state.State.Topics.TryGetValue(commit.Partition.Topic, out var topic) || topic.TopicId != topicId)
            {
                topic = new TopicOffsets { TopicId = topicId };
                state.State.Topics[commit.Partition.Topic] = topic;
            }

            topic.Partitions[commit.Partition.Partition] = new OffsetAndMetadata(commit.Offset, commit.Metadata);
        }
    }

    private ImmutableArray<CommittedOffset> AllOffsets() =>
        [.. state.State.Topics
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => t.Value.Partitions.OrderBy(p => p.Key).Select(p => new CommittedOffset(new TopicPartition(t.Key, p.Key), p.Value.Offset, p.Value.Metadata)))];

    private void RequireEmpty(string action)
    {
        if (!_membership.IsEmpty || !_classic.IsEmpty)
        {
            throw new OrleansLogException(ErrorCode.NonEmptyGroup, $"Consumer group \"{Id}\" has {_membership.Members.Count + _classic.Members.Count} active member(s); stop them before you {action}.");
        }
    }

    private async Task EnsureRegistered()
    {
        if (!_registered)
        {
            var checkAt = time.GetUtcNow() + options.Value.OffsetsRetention;
            await IConsumerGroupDirectoryGrain.ShardOf(GrainFactory, Id).Register(Id, checkAt.ToUnixTimeMilliseconds());
            _registered = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} joined, subscribed to {Topics}.")]
    private partial void LogMemberJoined(string group, string member, ImmutableArray<string> topics);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} removed ({Reason}).")]
    private partial void LogMemberLeft(string group, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: generation {Generation} with {Members} member(s).")]
    private partial void LogRebalanced(string group, int generation, int members);

    /// <summary>Logs a classic generation that a call (or the timer) completed.</summary>
    private void LogClassicGeneration(int before)
    {
        if (_classic.Generation != before)
        {
            LogRebalanced(Id, _classic.Generation, _classic.Members.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: dropped the offsets of deleted topic {Topic}.")]
    private partial void LogOffsetsDropped(string group, string topic);
}
