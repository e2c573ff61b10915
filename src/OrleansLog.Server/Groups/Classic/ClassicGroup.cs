using System.Collections.Immutable;
using OrleansLog.Groups;

namespace OrleansLog.Server.Groups.Classic;

/// <summary>
/// Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as a plain state machine:
/// the clients assign partitions, the group only gathers members into a generation, picks a protocol
/// every member supports and a leader, and hands the leader's assignments out. Metadata and assignments
/// pass through as bytes.
/// <para>
/// It never waits: a join or sync that has to wait for others answers <c>Pending</c>, and the caller
/// asks again (<c>Resume</c>); deadlines (the initial rebalance delay, rebalance and session timeouts) are
/// applied by <see cref="Tick"/>, which the group calls on every request and on its timer. Invariants: a
/// generation's members all joined it; only the leader of the current generation sets assignments; a
/// member of an older generation gets ILLEGAL_GENERATION. Not thread-safe: its grain calls it one turn at a time.
/// </para>
/// </summary>
public sealed class ClassicGroup(string groupId, GroupCoordinatorOptions options)
{
    private readonly List<ClassicMember> _members = [];
    private DateTimeOffset _rebalanceDeadline;
    private DateTimeOffset _initialDelayEnd;

    public ClassicGroupPhase Phase { get; private set; } = ClassicGroupPhase.Empty;

    public int Generation { get; private set; }

    public string? ProtocolType { get; private set; }

    public string? Protocol { get; private set; }

    public string? Leader { get; private set; }

    public IReadOnlyList<ClassicMember> Members => _members;

    public bool IsEmpty => _members.Count == 0;

    public ClassicJoinResponse Join(ClassicJoinRequest request, DateTimeOffset now)
    {
        Tick(now);
        var member = Find(request.MemberId);
        if (request.Resume)
        {
            // A resumed join whose rebalance was restarted meanwhile joins the new one.
            if (member is null)
            {
                return ClassicJoinResponse.Failed(ErrorCode.UnknownMemberId, request.MemberId);
            }

            if (member.JoinAnswer is { } answer)
            {
                return answer;
            }

            if (member.Joined)
            {
                return Waiting(member);
            }
        }

        if (Validate(request, member) is { } refused)
        {
            return ClassicJoinResponse.Failed(refused, request.MemberId);
        }

        var isNew = member is null;
        if (member is null)
        {
            member = new ClassicMember($"{(request.ClientId.Length > 0 ? request.ClientId : "consumer")}-{Guid.NewGuid():N}");
            _members.Add(member);
        }

        var changed = isNew || !SameProtocols(member.Protocols, request.Protocols);
        member.GroupInstanceId = request.GroupInstanceId;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        member.SessionTimeout = TimeSpan.FromMilliseconds(request.SessionTimeoutMs);
        member.RebalanceTimeout = TimeSpan.FromMilliseconds(request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs);
        member.Protocols = request.Protocols;
        member.LastHeard = now;
        ProtocolType ??= request.ProtocolType;

        // A follower of a stable group that rejoins unchanged gets its generation back; anything else rebalances.
        if (Phase is ClassicGroupPhase.Stable or ClassicGroupPhase.CompletingRebalance && !changed && member.MemberId != Leader && member.JoinAnswer is { } current && current.Generation == Generation)
        {
            return current;
        }

        if (Phase != ClassicGroupPhase.PreparingRebalance)
        {
            StartRebalance(now);
        }
        else if (isNew && now < _initialDelayEnd)
        {
            // Kafka's group.initial.rebalance.delay.ms: each newcomer to a new group extends the wait, so consumers starting together land in one generation.
            _initialDelayEnd = Min(now + options.InitialRebalanceDelay, _rebalanceDeadline);
        }

        member.Joined = true;
        member.JoinAnswer = null;
        TryCompleteJoin(now);
        return member.JoinAnswer ?? Waiting(member);
    }

    public ClassicSyncResponse Sync(ClassicSyncRequest request, DateTimeOffset now)
    {
        Tick(now);
        if (Find(request.MemberId) is not { } member)
        {
            return ClassicSyncResponse.Failed(ErrorCode.UnknownMemberId);
        }

        member.LastHeard = now;
        if (request.Resume)
        {
            return member.AwaitingSync ? new ClassicSyncResponse(ErrorCode.None, ReadOnlyMemory<byte>.Empty, Pending: true)
                : member.SyncAnswer ?? ClassicSyncResponse.Failed(ErrorCode.RebalanceInProgress);
        }

        if (request.Generation != Generation)
        {
            return ClassicSyncResponse.Failed(ErrorCode.IllegalGeneration);
        }

        switch (Phase)
        {
            case ClassicGroupPhase.PreparingRebalance:
                return ClassicSyncResponse.Failed(ErrorCode.RebalanceInProgress);
            case ClassicGroupPhase.Stable:
                return Assigned(member);
        }

        if (member.MemberId != Leader)
        {
            member.AwaitingSync = true;
            member.SyncAnswer = null;
            return new ClassicSyncResponse(ErrorCode.None, ReadOnlyMemory<byte>.Empty, Pending: true);
        }

        foreach (var each in _members)
        {
            each.Assignment = request.Assignments.TryGetValue(each.MemberId, out var assignment) ? assignment : ReadOnlyMemory<byte>.Empty;
            each.SyncAnswer = Assigned(each);
            each.AwaitingSync = false;
        }

        Phase = ClassicGroupPhase.Stable;
        return member.SyncAnswer!;
    }

    public ErrorCode Heartbeat(string memberId, int generation, DateTimeOffset now)
    {
        Tick(now);
        if (Find(memberId) is not { } member)
        {
            return ErrorCode.UnknownMemberId;
        }

        member.LastHeard = now;
        return generation != Generation ? ErrorCode.IllegalGeneration
            : Phase == ClassicGroupPhase.PreparingRebalance ? ErrorCode.RebalanceInProgress
            : ErrorCode.None;
    }

    /// <summary>Removes the member at once (no session to wait out) and rebalances the rest.</summary>
    public ErrorCode Leave(string memberId, DateTimeOffset now)
    {
        Tick(now);
        if (Find(memberId) is not { } member)
        {
            return ErrorCode.UnknownMemberId;
        }

        Remove(member, now);
        return ErrorCode.None;
    }

    /// <summary>Why a commit of this member and generation is refused, or null. Without a member id and with generation -1 only an empty group takes commits (consumers that assign partitions themselves).</summary>
    public (ErrorCode Error, string Message)? ValidateCommit(string? memberId, int generation, DateTimeOffset now)
    {
        Tick(now);
        if (string.IsNullOrEmpty(memberId) && generation < 0)
        {
            return IsEmpty ? null : (ErrorCode.UnknownMemberId, $"Group \"{groupId}\" has active members: only they may commit offsets.");
        }

        if (Find(memberId!) is not { } member)
        {
            return (ErrorCode.UnknownMemberId, $"Member {memberId} is not in group \"{groupId}\" (its session expired or it left): its commit is refused.");
        }

        member.LastHeard = now;
        if (generation != Generation)
        {
            return (ErrorCode.IllegalGeneration, $"Generation {generation} is not group \"{groupId}\"'s generation {Generation}: the commit comes from a member that was rebalanced away.");
        }

        return Phase == ClassicGroupPhase.CompletingRebalance
            ? (ErrorCode.RebalanceInProgress, $"Group \"{groupId}\" is completing a rebalance: commit after SyncGroup.")
            : null;
    }

    /// <summary>Applies deadlines: the rebalance completes when its time is up (without the members that did not rejoin), and members whose session ran out are removed.</summary>
    public void Tick(DateTimeOffset now)
    {
        if (Phase == ClassicGroupPhase.PreparingRebalance && now >= _rebalanceDeadline)
        {
            foreach (var late in _members.Where(m => !m.Joined).ToList())
            {
                _members.Remove(late);
            }

            CompleteJoin(now);
        }

        foreach (var expired in _members.Where(m => !(Phase == ClassicGroupPhase.PreparingRebalance && m.Joined) && now - m.LastHeard > m.SessionTimeout).ToList())
        {
            Remove(expired, now);
        }

        TryCompleteJoin(now);
    }

    /// <summary>Whether a rebalance is being prepared: its deadlines want a prompt <see cref="Tick"/>.</summary>
    public bool IsPreparing => Phase == ClassicGroupPhase.PreparingRebalance;

    private ErrorCode? Validate(ClassicJoinRequest request, ClassicMember? member)
    {
        var session = TimeSpan.FromMilliseconds(request.SessionTimeoutMs);
        if (request.MemberId.Length > 0 && member is null)
        {
            return ErrorCode.UnknownMemberId;
        }

        if (session < options.MinSessionTimeout || session > options.MaxSessionTimeout)
        {
            return ErrorCode.InvalidSessionTimeout;
        }

        if (request.ProtocolType.Length == 0 || request.Protocols.IsDefaultOrEmpty)
        {
            return ErrorCode.InconsistentGroupProtocol;
        }

        var others = _members.Where(m => m != member).ToList();
        if (others.Count > 0 && (request.ProtocolType != ProtocolType || !request.Protocols.Any(p => others.All(o => o.Protocols.Any(q => q.Name == p.Name)))))
        {
            return ErrorCode.InconsistentGroupProtocol;
        }

        return member is null && _members.Count >= options.MaxGroupSize ? ErrorCode.GroupMaxSizeReached : null;
    }

    private void StartRebalance(DateTimeOffset now)
    {
        var wasEmpty = Phase == ClassicGroupPhase.Empty;
        Phase = ClassicGroupPhase.PreparingRebalance;
        foreach (var member in _members)
        {
            member.Joined = false;
            member.JoinAnswer = null;
            if (member.AwaitingSync)
            {
                member.AwaitingSync = false;
                member.SyncAnswer = ClassicSyncResponse.Failed(ErrorCode.RebalanceInProgress);
            }
        }

        var longest = _members.Count == 0 ? TimeSpan.Zero : _members.Max(m => m.RebalanceTimeout);
        _rebalanceDeadline = now + longest;
        _initialDelayEnd = wasEmpty ? Min(now + options.InitialRebalanceDelay, _rebalanceDeadline) : now;
    }

    private void TryCompleteJoin(DateTimeOffset now)
    {
        if (Phase == ClassicGroupPhase.PreparingRebalance && now >= _initialDelayEnd && _members.All(m => m.Joined))
        {
            CompleteJoin(now);
        }
    }

    private void CompleteJoin(DateTimeOffset now)
    {
        Generation++;
        if (_members.Count == 0)
        {
            Phase = ClassicGroupPhase.Empty;
            Protocol = null;
            ProtocolType = null;
            Leader = null;
            return;
        }

        Protocol = ChooseProtocol();
        if (Leader is null || Find(Leader) is null)
        {
            Leader = _members[0].MemberId;
        }

        Phase = ClassicGroupPhase.CompletingRebalance;
        var everyone = _members.Select(m => new ClassicMemberMetadata(m.MemberId, m.GroupInstanceId, m.MetadataFor(Protocol))).ToImmutableArray();
        foreach (var member in _members)
        {
            member.LastHeard = now;
            member.Assignment = ReadOnlyMemory<byte>.Empty;
            member.SyncAnswer = null;
            member.JoinAnswer = new ClassicJoinResponse(ErrorCode.None, Generation, Protocol, Leader, member.MemberId, member.MemberId == Leader ? everyone : [], ProtocolType: ProtocolType);
        }
    }

    /// <summary>Kafka's vote: among the protocols every member supports, each member votes for the first it lists; the most votes win (ties: the leader-to-be's order).</summary>
    private string ChooseProtocol()
    {
        var candidates = _members[0].Protocols.Select(p => p.Name).Where(name => _members.All(m => m.Protocols.Any(p => p.Name == name))).ToList();
        var votes = candidates.ToDictionary(c => c, _ => 0, StringComparer.Ordinal);
        foreach (var member in _members)
        {
            if (member.Protocols.FirstOrDefault(p => votes.ContainsKey(p.Name)) is { } choice)
            {
                votes[choice.Name]++;
            }
        }

        return candidates.OrderByDescending(c => votes[c]).First();
    }

    private void Remove(ClassicMember member, DateTimeOffset now)
    {
        _members.Remove(member);
        if (Leader == member.MemberId)
        {
            Leader = null;
        }

        if (Phase == ClassicGroupPhase.PreparingRebalance)
        {
            TryCompleteJoin(now);
        }
        else if (_members.Count == 0)
        {
            Generation++;
            Phase = ClassicGroupPhase.Empty;
            Protocol = null;
            ProtocolType = null;
        }
        else
        {
            StartRebalance(now);
        }
    }

    private ClassicJoinResponse Waiting(ClassicMember member) =>
        new(ErrorCode.None, Generation, null, "", member.MemberId, [], Pending: true);

    private ClassicSyncResponse Assigned(ClassicMember member) => new(ErrorCode.None, member.Assignment, ProtocolType: ProtocolType, ProtocolName: Protocol);

    private ClassicMember? Find(string memberId)
    {
        foreach (var member in _members)
        {
            if (member.MemberId == memberId)
            {
                return member;
            }
        }

        return null;
    }

    private static bool SameProtocols(ImmutableArray<ClassicProtocol> a, ImmutableArray<ClassicProtocol> b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Metadata.Span.SequenceEqual(p.Second.Metadata.Span));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
