using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Server.Groups.Assignment;

namespace OrleansLog.Server.Groups;

/// <summary>
/// The membership and assignment rules of one consumer group, without Orleans (the grain holds it and
/// calls it in order). Invariant: no partition is in two members' <see cref="GroupMember.Held"/> sets.
/// A rebalance only changes targets; a member receives a partition of its target when no other member
/// holds it, and another member stops holding it only by leaving, expiring, or reporting it released
/// in a heartbeat. So every assignor is incremental: nobody stops the world, and two members never
/// consume one partition at once. The generation grows with every change of targets.
/// </summary>
public sealed class GroupMembership(string groupId, GroupCoordinatorOptions options)
{
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);

    public int Generation { get; private set; }

    public string? Assignor { get; private set; }

    public IReadOnlyCollection<GroupMember> Members => _members.Values;

    public bool IsEmpty => _members.Count == 0;

    /// <summary>Every topic some member subscribes to.</summary>
    public IReadOnlySet<string> SubscribedTopics => _members.Values.SelectMany(m => m.Topics).ToHashSet(StringComparer.Ordinal);

    public GroupState State => _members.Count == 0 ? GroupState.Empty
        : _members.Values.Any(m => !m.Held.SetEquals(m.Target)) ? GroupState.Rebalancing : GroupState.Stable;

    /// <summary>Validates a join; null when it may proceed, otherwise the refusal.</summary>
    public JoinGroupResponse? ValidateJoin(JoinGroupRequest request)
    {
        string? problem = null;
        var error = ErrorCode.None;
        var timeout = TimeSpan.FromMilliseconds(request.SessionTimeoutMs);
        if (timeout < options.MinSessionTimeout || timeout > options.MaxSessionTimeout)
        {
            error = ErrorCode.InvalidSessionTimeout;
            problem = $"session.timeout.ms={request.SessionTimeoutMs} is outside the broker's range [{options.MinSessionTimeout.TotalMilliseconds}, {options.MaxSessionTimeout.TotalMilliseconds}].";
        }
        else if (!PartitionAssignors.IsKnown(request.Assignor))
        {
            error = ErrorCode.InconsistentGroupProtocol;
            problem = $"Unknown partition assignor \"{request.Assignor}\": use {PartitionAssignors.Range}, {PartitionAssignors.RoundRobin} or {PartitionAssignors.CooperativeSticky}.";
        }
        else if (Assignor is not null && Assignor != request.Assignor && !(_members.Count == 1 && request.MemberId is not null && _members.ContainsKey(request.MemberId)))
        {
            error = ErrorCode.InconsistentGroupProtocol;
            problem = $"Group \"{groupId}\" uses the {Assignor} assignor; this member asked for {request.Assignor}.";
        }
        else if (request.Topics.IsDefaultOrEmpty)
        {
            error = ErrorCode.InvalidRequest;
            problem = "A group member must subscribe to at least one topic.";
        }
        else if (_members.Count >= options.MaxGroupSize && (request.MemberId is null || !_members.ContainsKey(request.MemberId)))
        {
            error = ErrorCode.GroupMaxSizeReached;
            problem = $"Group \"{groupId}\" already has the most members allowed ({options.MaxGroupSize}).";
        }

        return problem is null ? null : new JoinGroupResponse(error, request.MemberId ?? "", Generation, [], problem);
    }

    /// <summary>Adds the member (a new id when it has none or an unknown one) or updates its subscription; true when targets must be recomputed.</summary>
    public (GroupMember Member, bool Changed) Join(JoinGroupRequest request, DateTimeOffset now)
    {
        var topics = request.Topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        var changed = false;
        if (request.MemberId is null || !_members.TryGetValue(request.MemberId, out var member))
        {
            member = new GroupMember($"{request.ClientId}-{Guid.NewGuid():N}", request.ClientId);
            _members.Add(member.MemberId, member);
            changed = true;
        }

        if (!member.Topics.SequenceEqual(topics))
        {
            member.Topics = topics;
            changed = true;
        }

        Assignor = request.Assignor;
        member.SessionTimeout = TimeSpan.FromMilliseconds(request.SessionTimeoutMs);
        member.ExpiresAt = now + member.SessionTimeout;
        return (member, changed);
    }

    /// <summary>Recomputes every member's target; true (and a new generation) when any target changed.</summary>
    public bool Rebalance(IReadOnlyDictionary<string, int> partitionCounts)
    {
        if (_members.Count == 0 || Assignor is null)
        {
            return false;
        }

        var assignor = AssignorSupport.Find(Assignor)!;
        var inputs = _members.Values.Select(m => new AssignorMember(m.MemberId, m.Topics, m.Held)).ToList();
        var targets = assignor.Assign(inputs, partitionCounts);
        var changed = false;
        foreach (var member in _members.Values)
        {
            var target = targets[member.MemberId];
            if (!member.Target.SetEquals(target))
            {
                member.Target = target;
                changed = true;
            }
        }

        if (changed)
        {
            Generation++;
        }

        return changed;
    }

    public GroupMember? Find(string memberId) => _members.GetValueOrDefault(memberId);

    /// <summary>
    /// Records what the member holds (its report) and answers with what it may hold now: its target
    /// minus partitions another member still holds. Those become part of what it holds at once.
    /// </summary>
    public HeartbeatResponse Heartbeat(GroupMember member, IEnumerable<TopicPartition> reported, DateTimeOffset now)
    {
        member.ExpiresAt = now + member.SessionTimeout;
        member.Held.Clear();
        member.Held.UnionWith(reported);
        member.Held.RemoveWhere(p => HeldByOther(member, p));
        return Answer(member);
    }

    /// <summary>The member's current assignment, as <see cref="Heartbeat"/> answers it.</summary>
    public HeartbeatResponse Answer(GroupMember member)
    {
        var assignment = member.Target.Where(p => !HeldByOther(member, p)).ToHashSet();
        member.Held.UnionWith(assignment);
        var pending = !member.Held.SetEquals(member.Target);
        return new HeartbeatResponse(ErrorCode.None, Generation, Sorted(assignment), pending);
    }

    /// <summary>Removes the member (leave or expiry); what it held is free for others at once.</summary>
    public bool Remove(string memberId)
    {
        var removed = _members.Remove(memberId);
        if (_members.Count == 0)
        {
            Assignor = null;
        }

        return removed;
    }

    /// <summary>Removes members whose session ran out; their ids, for the log.</summary>
    public List<string> ExpireMembers(DateTimeOffset now)
    {
        var expired = _members.Values.Where(m => m.ExpiresAt <= now).Select(m => m.MemberId).ToList();
        foreach (var id in expired)
        {
            Remove(id);
        }

        return expired;
    }

    /// <summary>Why a commit must be refused, or null. Only a member holding a partition may commit it.</summary>
    public CommitOffsetsResponse? ValidateCommit(CommitOffsetsRequest request)
    {
        if (string.IsNullOrEmpty(request.MemberId))
        {
            return _members.Count == 0 ? null
                : new CommitOffsetsResponse(ErrorCode.UnknownMemberId, $"Group \"{groupId}\" has active members: only they may commit offsets.");
        }

        if (!_members.TryGetValue(request.MemberId, out var member))
        {
            return new CommitOffsetsResponse(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not in group \"{groupId}\" (its session expired or it left): its commit is refused.");
        }

        if (request.Generation > Generation)
        {
            return new CommitOffsetsResponse(ErrorCode.IllegalGeneration, $"Generation {request.Generation} is newer than group \"{groupId}\"'s generation {Generation}.");
        }

        foreach (var offset in request.Offsets)
        {
            if (!member.Held.Contains(offset.Partition))
            {
                return new CommitOffsetsResponse(ErrorCode.IllegalGeneration, $"Member {request.MemberId} does not hold {offset.Partition} in generation {Generation}: its commit is refused.");
            }
        }

        return null;
    }

    private bool HeldByOther(GroupMember member, TopicPartition partition)
    {
        foreach (var other in _members.Values)
        {
            if (!ReferenceEquals(other, member) && other.Held.Contains(partition))
            {
                return true;
            }
        }

        return false;
    }

    internal static ImmutableArray<TopicPartition> Sorted(IEnumerable<TopicPartition> partitions) =>
        [.. partitions.Order()];
}
