using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLog.Brokers;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Replication;
using OrleansLog.Topics;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator (see <see cref="IMetadataGrain"/>). Concurrency: changes are not reentrant, so they
/// apply one at a time, each persisted before it is answered and before topic and partition grains hear
/// of it; lookups interleave with everything (they only read), so a grain asked during a change can look
/// a topic up without deadlocking (placement directors ask it where leaders live).
/// <para>
/// Brokers hold sessions here (<see cref="Heartbeat"/>, <see cref="BrokerSessions"/>): a broker silent
/// past <see cref="BrokerOptions.SessionTimeout"/> is fenced, its partitions get new leaders from their
/// ISR with a bumped epoch, and its silo is declared dead in Orleans' membership at once (so its grain
/// activations move without waiting for Orleans' slower probing). Orleans membership still counts too:
/// every silo reports membership changes here (<see cref="MembershipChanged"/>), and a timer re-checks anyway.
/// </para>
/// <para>
/// Leadership changes are announced to replicas after they are persisted, outside the turn that made them
/// and retried until heard or superseded, so one unreachable replica never holds up the next election.
/// </para>
/// </summary>
public sealed partial class MetadataGrain(
    [PersistentState(MetadataGrain.MetadataStateName, OrleansLogStorage.Name)] IPersistentState<MetadataState> state,
    IOptions<OrleansLogOptions> options,
    IOptions<ReplicationOptions> replication,
    IOptions<BrokerOptions> broker,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    BrokerLease localLease,
    SiloGoneProbe probe,
    DeepCopier copier,
    TimeProvider time,
    AuditLog audit,
    ILogger<MetadataGrain> logger) : Grain, IMetadataGrain
{
    private const string MetadataStateName = "metadata";
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShutdownHandoverTimeout = TimeSpan.FromSeconds(10);

    private LeadershipAnnouncer _announcer = null!;
    private BrokerSessions _sessions = null!;
    private SilentBrokerProbes _probes = null!;

    /// <summary>
    /// Brokers in a controlled shutdown: still alive (they keep leading where nobody else can), but they
    /// neither rejoin an ISR nor take a preferred leadership back. Kept in memory only: they register again when they return.
    /// </summary>
    private readonly HashSet<int> _stopping = [];

    /// <summary>Every topic, persisted by bucket (see <see cref="TopicStore"/>); loaded at activation.</summary>
    private TopicStore _topics = null!;

    private Dictionary<int, SiloAddress> Brokers => state.State.Brokers;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _topics = new TopicStore(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OrleansLogStorage.Name), this.GetGrainId());
        await _topics.LoadAsync();
        await MoveTopicsOutOfTheMainState(cancellationToken);
        await BeginTenure(cancellationToken);

        // Every broker alive now gets a full session timeout to be heard from this activation.
        _sessions = new BrokerSessions(time, broker.Value.SessionTimeout);
        _probes = new SilentBrokerProbes(probe, _sessions, broker.Value.HeartbeatInterval, broker.Value.SessionTimeout);
        foreach (var (brokerId, silo) in Brokers.Where(b => IsActive(b.Value)))
        {
            _sessions.Open(brokerId, silo);
        }

        _announcer = new LeadershipAnnouncer(
            (brokerId, notices) => GrainFactory.GetGrain<IReplicaManagerGrain>(brokerId).Apply(notices), LiveBrokers, _topics.TryGet, time, logger);

        // The first review runs at once: an activation that follows its silo's death has leaders to move.
        var interval = replication.Value.LivenessCheckInterval;
        this.RegisterGrainTimer(ReviewLeadership, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { KeepAlive = true });
        var heartbeat = broker.Value.HeartbeatInterval;
        this.RegisterGrainTimer(CheckSessions, new GrainTimerCreationOptions(heartbeat, heartbeat) { KeepAlive = true });
    }

    /// <summary>
    /// State written before topics had buckets holds them in the main state: each moves to its bucket, then the
    /// main state lets them go. A crash in between repeats the move at the next activation (writing a topic to
    /// its bucket again changes nothing), and no change is served before it is done.
    /// </summary>
    private async Task MoveTopicsOutOfTheMainState(CancellationToken cancellationToken)
    {
        if (state.State.Topics.Count == 0)
        {
            return;
        }

        // Topics written before replication existed live on broker 0 alone.
        var moved = state.State.Topics.Values
            .Select(t => t.Partitions.IsDefault ? t with { ReplicationFactor = 1, Partitions = ReplicaAssigner.Assign([0], 0, t.PartitionCount, 1, 0) } : t)
            .ToList();
        if ((await _topics.WriteAsync(moved, [])).Values.FirstOrDefault() is { } failure)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError, $"The coordinator could not move its topics to their buckets; it tries again at its next activation ({failure.Message}).");
        }

        state.State.Topics.Clear();
        await state.WriteStateAsync(cancellationToken);
        LogTopicsMoved(moved.Count);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stops the announcement retries (a later activation announces again what is still current).
        _announcer.Stop();
        return Task.CompletedTask;
    }

    public Task<TopicDescription> CreateTopic(string name, int partitions, short replicationFactor, ImmutableDictionary<string, string> configs) =>
        audit.Change("CreateTopic", $"Topic:{name}", () => CreateTopicCore(name, partitions, replicationFactor, configs));

    private async Task<TopicDescription> CreateTopicCore(string name, int partitions, short replicationFactor, ImmutableDictionary<string, string> configs)
    {
        TopicName.Validate(name);
        if (_topics.TryGet(name) is not null)
        {
            throw new OrleansLogException(ErrorCode.TopicAlreadyExists, $"Topic \"{name}\" already exists.");
        }

        // Kafka refuses names that differ only by '.' versus '_': they collide in metric names.
        if (_topics.Colliding(name) is { } collision)
        {
            throw new OrleansLogException(ErrorCode.InvalidTopicException, $"Topic \"{name}\" collides with existing topic \"{collision}\" ('.' and '_' count as the same).");
        }

        ValidatePartitionCount(partitions);
        var factor = replicationFactor == -1 ? replication.Value.DefaultReplicationFactor : replicationFactor;
        var overrides = configs.ToImmutableSortedDictionary(StringComparer.Ordinal);
        TopicConfig.Parse(overrides);
        var assignment = ReplicaAssigner.Assign(LiveBrokers().ToList(), 0, partitions, factor, _topics.Count);
        var topic = new TopicDescription(name, Guid.NewGuid(), partitions, overrides, time.GetUtcNow(), factor, assignment);
        await _topics.PutAsync(topic, $"the creation of topic \"{name}\"");
        LogTopicCreated(name, topic.TopicId, partitions);
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(topic);
        return topic;
    }

    public Task DeleteTopic(string name) =>
        audit.Change("DeleteTopic", $"Topic:{name}", () => DeleteTopicCore(name));

    private async Task DeleteTopicCore(string name)
    {
        var topic = Require(name);
        await _topics.RemoveAsync(name, $"the deletion of topic \"{name}\"");
        LogTopicDeleted(name, topic.TopicId);
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(null);
        await Task.WhenAll(topic.Partitions.Select(p => Notify(() => GrainFactory.GetPartitionGrain(name, p.Partition).Delete())));

        // Followers on dead brokers keep their directories until the broker's retention pass removes orphans.
        await Task.WhenAll(topic.Partitions.SelectMany(p => p.Followers.Select(b => Notify(() =>
            GrainFactory.GetGrain<IFollowerGrain>(IFollowerGrain.Key(new TopicPartition(name, p.Partition), b)).Delete()))));
    }

    public Task<ImmutableArray<TopicDescription>> ListTopics() =>
        Task.FromResult(_topics.Sorted);

    public Task<TopicDescription> DescribeTopic(string name) => Task.FromResult(Require(name));

    public Task<TopicDescription?> TryGetTopic(string name) => Task.FromResult(_topics.TryGet(name));

    public Task<TopicDescription> CreatePartitions(string name, int totalCount) =>
        audit.Change("CreatePartitions", $"Topic:{name}", () => CreatePartitionsCore(name, totalCount));

    private async Task<TopicDescription> CreatePartitionsCore(string name, int totalCount)
    {
        var topic = Require(name);
        if (totalCount <= topic.PartitionCount)
        {
            throw new OrleansLogException(ErrorCode.InvalidPartitions, $"Topic \"{name}\" has {topic.PartitionCount} partitions; the new count must be larger, not {totalCount} (partitions are never removed).");
        }

        ValidatePartitionCount(totalCount);
        var added = ReplicaAssigner.Assign(LiveBrokers().ToList(), topic.PartitionCount, totalCount, topic.ReplicationFactor, _topics.Count);
        var grown = topic with { PartitionCount = totalCount, Partitions = topic.Partitions.AddRange(added) };
        await _topics.PutAsync(grown, $"the new partitions of topic \"{name}\"");
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(grown);
        return grown;
    }

    public Task<TopicDescription> AlterConfigs(string name, ImmutableDictionary<string, string?> changes) =>
        audit.Change("AlterConfigs", $"Topic:{name}", () => AlterConfigsCore(name, changes));

    private async Task<TopicDescription> AlterConfigsCore(string name, ImmutableDictionary<string, string?> changes)
    {
        var topic = Require(name);
        var overrides = topic.ConfigOverrides.ToBuilder();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                if (!TopicConfig.Names.Contains(key))
                {
                    throw new OrleansLogException(ErrorCode.InvalidConfig, $"Unknown topic config \"{key}\".");
                }

                overrides.Remove(key);
            }
            else
            {
                overrides[key] = value;
            }
        }

        var altered = topic with { ConfigOverrides = overrides.ToImmutable() };
        TopicConfig.Parse(altered.ConfigOverrides);
        await _topics.PutAsync(altered, $"the configs of topic \"{name}\"");
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(altered);
        await Notify(() => _announcer.Announce(altered, Enumerable.Range(0, altered.PartitionCount), toFollowers: false, wakeLeader: false));
        return altered;
    }

    public async Task RegisterBroker(int brokerId, SiloAddress silo, string? kafkaEndpoint = null)
    {
        if (brokerId < 0)
        {
            throw new OrleansLogException(ErrorCode.InvalidRequest, $"Broker id {brokerId} is invalid: it must be 0 or more.");
        }

        if (Brokers.TryGetValue(brokerId, out var existing) && !existing.Equals(silo) && IsAlive(existing))
        {
            throw new OrleansLogException(ErrorCode.InvalidRequest, $"Broker id {brokerId} is already taken by the live silo {existing}; every silo needs its own OrleansLog:Broker:Id.");
        }

        _stopping.Remove(brokerId);
        _sessions.Open(brokerId, silo);
        if (!silo.Equals(existing) || state.State.KafkaEndpoints.GetValueOrDefault(brokerId) != kafkaEndpoint)
        {
            var before = Snapshot();
            Brokers[brokerId] = silo;
            if (kafkaEndpoint is null)
            {
                state.State.KafkaEndpoints.Remove(brokerId);
            }
            else
            {
                state.State.KafkaEndpoints[brokerId] = kafkaEndpoint;
            }

            await state.WriteOrRestoreAsync(before, $"the registration of broker {brokerId}");
            LogBrokerRegistered(brokerId, silo);
        }

        await ReviewLeadership();

        // The leaders this broker has to catch up with: their brokers start each (a leader whose activation ended while
        // it was away has no replication link running, and nothing else would bring it back before a client does), a
        // few at a time. Not awaited: it takes minutes at tens of thousands of partitions.
        foreach (var topic in _topics.All)
        {
            var behind = topic.Partitions.Where(p => p.IsOnline && p.Leader != brokerId && p.Replicas.Contains(brokerId) && !p.Isr.Contains(brokerId)).Select(p => p.Partition).ToList();
            if (behind.Count > 0)
            {
                _ = _announcer.Announce(topic, behind, toFollowers: false, wakeLeader: true);
            }
        }
    }

    public async Task<int> ShutdownBroker(int brokerId)
    {
        var live = ElectableBrokers();
        _stopping.Add(brokerId);
        var announced = await Apply(Changes(_topics.All, p => LeaderElection.ControlledShutdown(p, brokerId, live)));
        var stillLeading = _topics.All.Sum(t => t.Partitions.Count(p => p.Leader == brokerId));

        // The stopping broker's followers must hear the new epochs while it still answers: that is the handover.
        try
        {
            await announced.WaitAsync(ShutdownHandoverTimeout);
        }
        catch (TimeoutException)
        {
            LogHandoverSlow(brokerId);
        }

        return stillLeading;
    }

    public Task<BrokerHeartbeatResponse> Heartbeat(int brokerId, SiloAddress silo)
    {
        EnsureCoordinator();
        var granted = _sessions.Heartbeat(brokerId, silo);
        if (!granted && !_sessions.IsFenced(silo) && Brokers.TryGetValue(brokerId, out var registered) && registered.Equals(silo)
            && membership.CurrentSnapshot.GetSiloStatus(silo) != SiloStatus.Dead)
        {
            // Registered before this activation and not yet seen by it as active: its session starts now.
            _sessions.Open(brokerId, silo);
            granted = true;
        }

        return Task.FromResult(new BrokerHeartbeatResponse(granted, localSilo.SiloAddress));
    }

    public Task MembershipChanged() => ReviewLeadership();

    public Task<ImmutableArray<BrokerDescription>> ListBrokers() =>
        Task.FromResult(Brokers.OrderBy(b => b.Key).Select(b => new BrokerDescription(b.Key, b.Value, IsAlive(b.Value), state.State.KafkaEndpoints.GetValueOrDefault(b.Key))).ToImmutableArray());

    public Task<SiloAddress?> GetBrokerSilo(int brokerId) =>
        Task.FromResult(Brokers.TryGetValue(brokerId, out var silo) && IsAlive(silo) ? silo : null);

    public Task<SiloAddress?> GetLeaderSilo(string topic, int partition) =>
        _topics.TryGet(topic) is { } description && partition >= 0 && partition < description.PartitionCount
            ? GetBrokerSilo(description.Partitions[partition].Leader)
            : Task.FromResult<SiloAddress?>(null);

    public async Task<int> ElectPreferredLeaders(string? topic)
    {
        var live = ElectableBrokers();
        var changes = Changes(topic is null ? _topics.All : [Require(topic)], p => LeaderElection.Preferred(p, live) ?? p);
        await await Apply(changes);
        return changes.Sum(c => c.Changed.Count);
    }

    /// <summary>
    /// Fences brokers whose sessions lapsed: each silo is declared dead in Orleans' membership (a paused
    /// process that resumes learns it is dead and exits; its own lease has already stopped its
    /// acknowledgements), and their partitions get new leaders at once.
    /// </summary>
    private async Task CheckSessions()
    {
        // A coordinator whose own broker lost its lease may be a stale activation on a silo the others have
        // declared dead (its process was paused): it listens to nobody, so it must not judge anybody.
        if (!localLease.IsHeld || _tenure.IsSuperseded)
        {
            return;
        }

        var fenced = _sessions.Expire(exempt: localSilo.SiloAddress);
        foreach (var extended in _sessions.LastExtended)
        {
            LogSessionExtended(extended);
        }

        if (membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress) == SiloStatus.Active)
        {
            // A silo that is shutting down finds every other silo unreachable: it probes nobody.
            _probes.Start(exempt: localSilo.SiloAddress);
        }
        // Fencing kills a silo: only the current coordinator may (an activation Orleans is replacing hears no heartbeats).
        if (fenced.Count == 0 || !await StillCoordinator())
        {
            return;
        }

        foreach (var session in fenced)
        {
            if (session.FoundGone)
            {
                LogSessionFoundGone(session.BrokerId, session.Silo, (long)session.Silent.TotalMilliseconds);
            }
            else
            {
                LogSessionLapsed(session.BrokerId, session.Silo, (long)session.Silent.TotalMilliseconds);
            }

            await membership.TryKill(session.Silo);
        }

        await ReviewLeadership();
    }

    /// <summary>
    /// Brings every partition in line with the live brokers: dead brokers leave ISRs, partitions whose
    /// leader died get a new one from the ISR (or go offline), offline partitions come back when an
    /// in-sync replica returns. Changes are persisted before anyone hears of them.
    /// </summary>
    private async Task ReviewLeadership()
    {
        if (_tenure.IsSuperseded)
        {
            return;
        }

        var live = LiveBrokers();
        var changes = new List<(TopicDescription, IReadOnlyList<PartitionLeadership>)>();
        foreach (var description in _topics.All)
        {
            var unclean = description.Config.UncleanLeaderElectionEnable;
            changes.AddRange(Changes([description], p => LeaderElection.Review(p, live, unclean)));
        }

        // Not awaited: the announcements retry on their own, and the next election must not wait for them.
        _ = await Apply(changes);
    }

    /// <summary>The partitions of <paramref name="topics"/> that <paramref name="rule"/> changes (it returns the same instance for the rest), by topic.</summary>
    private static List<(TopicDescription Description, IReadOnlyList<PartitionLeadership> Changed)> Changes(IEnumerable<TopicDescription> topics, Func<PartitionLeadership, PartitionLeadership> rule)
    {
        var changes = new List<(TopicDescription, IReadOnlyList<PartitionLeadership>)>();
        foreach (var description in topics)
        {
            var changed = description.Partitions.Select(rule).Where((p, i) => !ReferenceEquals(p, description.Partitions[i])).ToList();
            if (changed.Count > 0)
            {
                changes.Add((description, changed));
            }
        }

        return changes;
    }

    /// <summary>
    /// Persists leadership changes (every touched topic in one write, buckets side by side: a broker's death at 30,000
    /// partitions changed 3,000 topics, and writing them one after another held the coordinator for minutes), then starts
    /// announcing them (<see cref="LeadershipAnnouncer"/>): the replicas' brokers learn the new epoch (fencing the old
    /// leader), running activations take the new state, and new leaders are started. The returned task completes when
    /// every live broker told heard it; only a controlled shutdown waits for it. Topics whose write failed keep their
    /// state and are not announced; the caller hears KAFKA_STORAGE_ERROR after the rest was applied.
    /// </summary>
    private async Task<Task> Apply(IReadOnlyList<(TopicDescription Description, IReadOnlyList<PartitionLeadership> Changed)> changes)
    {
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Moving leaders is what a stale activation must never do: the stored epoch is read first.
        if (!await StillCoordinator())
        {
            throw Superseded();
        }

        var newLeaders = 0;
        foreach (var (description, changed) in changes)
        {
            foreach (var partition in changed)
            {
                var before = description.Partitions[partition.Partition];
                newLeaders += before.LeaderEpoch != partition.LeaderEpoch ? 1 : 0;
                LogLeaderChanged(description.Name, partition.Partition, before.Leader, partition.Leader, partition.LeaderEpoch, partition.Isr);
            }
        }

        LogLeadershipChanges(changes.Sum(c => c.Changed.Count), changes.Count, newLeaders);
        var saved = changes.Select(c => WithChanges(c.Description, c.Changed)).ToList();
        var failures = await _topics.WriteAsync(saved, []);
        var announced = new List<Task>();
        for (var i = 0; i < saved.Count; i++)
        {
            var (description, changed) = changes[i];
            if (failures.ContainsKey(description.Name))
            {
                continue;
            }

            NotifyTopicGrain(saved[i]);
            var moved = changed.Where(p => p.LeaderEpoch != description.Partitions[p.Partition].LeaderEpoch).Select(p => p.Partition).ToList();
            announced.Add(_announcer.Announce(saved[i], moved, toFollowers: true, wakeLeader: true));
            announced.Add(_announcer.Announce(saved[i], changed.Select(p => p.Partition).Except(moved), toFollowers: true, wakeLeader: false));
        }

        if (failures.Count > 0)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError, $"The leadership of {failures.Count} topic(s) could not be saved ({failures.Values.First().Message}); they keep their state and are reviewed again.");
        }

        return Task.WhenAll(announced);
    }

    private async Task<TopicDescription> Save(TopicDescription description, IReadOnlyList<PartitionLeadership> changed)
    {
        EnsureCoordinator();
        var saved = WithChanges(description, changed);
        await _topics.PutAsync(saved, $"the leadership of topic \"{description.Name}\"");
        NotifyTopicGrain(saved);
        return saved;
    }

    /// <summary><paramref name="description"/> with <paramref name="changed"/> partitions, each one's partition epoch bumped.</summary>
    private static TopicDescription WithChanges(TopicDescription description, IReadOnlyList<PartitionLeadership> changed)
    {
        var partitions = description.Partitions.ToBuilder();
        foreach (var partition in changed)
        {
            partitions[partition.Partition] = partition with { PartitionEpoch = description.Partitions[partition.Partition].PartitionEpoch + 1 };
        }

        return description with { Partitions = partitions.ToImmutable() };
    }

    /// <summary>
    /// The topic grain is a cache for clients (it also re-reads on its own); replicas ask this grain directly.
    /// Not awaited: when the topic grain lived on a silo that just died, the call waits, and the leaders and
    /// followers told after this (and the leader waiting on an ISR change) must not wait with it.
    /// </summary>
    private void NotifyTopicGrain(TopicDescription saved) => _ = Notify(() => GrainFactory.GetGrain<ITopicGrain>(saved.Name).Update(saved));

    /// <summary>Runs a notification; false (logged) when it failed or timed out. A replica that cannot hear it now learns the same later (leaders reconcile, followers see the epoch).</summary>
    private async Task<bool> Notify(Func<Task> call)
    {
        try
        {
            await call().WaitAsync(NotifyTimeout);
            return true;
        }
        catch (Exception e)
        {
            LogNotifyFailed(e.Message);
            return false;
        }
    }

    /// <summary>A copy of the state to go back to when a change cannot be saved.</summary>
    private MetadataState Snapshot() => copier.Copy(state.State);

    private HashSet<int> LiveBrokers() => [.. Brokers.Where(b => IsAlive(b.Value)).Select(b => b.Key)];

    /// <summary>Whether Orleans' membership counts the silo as active.</summary>
    private bool IsActive(SiloAddress silo) => membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Active;

    /// <summary>Live brokers that may lead or rejoin an ISR: not in a controlled shutdown.</summary>
    private HashSet<int> ElectableBrokers() => [.. LiveBrokers().Where(b => !_stopping.Contains(b))];

    /// <summary>Active in Orleans' membership and not fenced by a lapsed session.</summary>
    private bool IsAlive(SiloAddress silo) => IsActive(silo) && !_sessions.IsFenced(silo);

    private TopicDescription Require(string name) =>
        _topics.TryGet(name) ?? throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic \"{name}\" does not exist.");

    private void ValidatePartitionCount(int partitions)
    {
        var max = options.Value.MaxPartitionsPerTopic;
        if (partitions < 1 || partitions > max)
        {
            throw new OrleansLogException(ErrorCode.InvalidPartitions, $"Partition count {partitions} is invalid: it must be between 1 and {max}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} (id {TopicId}) with {Partitions} partitions.")]
    private partial void LogTopicCreated(string topic, Guid topicId, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} topics from the coordinator's main state to their buckets (a one-time upgrade of the stored layout).")]
    private partial void LogTopicsMoved(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic} (id {TopicId}).")]
    private partial void LogTopicDeleted(string topic, Guid topicId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker {BrokerId} registered from silo {Silo}.")]
    private partial void LogBrokerRegistered(int brokerId, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Topic}-{Partition}: leader {OldLeader} -> {NewLeader} at epoch {Epoch}, ISR {Isr}.")]
    private partial void LogLeaderChanged(string topic, int partition, int oldLeader, int newLeader, int epoch, ImmutableArray<int> isr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leadership changed for {Partitions} partition(s) of {Topics} topic(s): {NewLeaders} new leader(s), the rest ISR changes (each is logged at Debug).")]
    private partial void LogLeadershipChanges(int partitions, int topics, int newLeaders);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}-{Partition}: ISR {OldIsr} -> {NewIsr} (leader epoch {Epoch}).")]
    private partial void LogIsrChanged(string topic, int partition, ImmutableArray<int> oldIsr, ImmutableArray<int> newIsr, int epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {BrokerId} ({Silo}) sent no heartbeat for {SilentMs} ms: fenced; its partitions move and its silo is declared dead.")]
    private partial void LogSessionLapsed(int brokerId, SiloAddress silo, long silentMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {BrokerId} on {Silo} sent no heartbeat for {SilentMs} ms and no connection to its silo can be opened: its process is gone. It is fenced and its silo declared dead; its partitions move.")]
    private partial void LogSessionFoundGone(int brokerId, SiloAddress silo, long silentMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controlled shutdown of broker {BrokerId}: not every replica heard the new leaders before the handover timeout; they learn them from the retries.")]
    private partial void LogHandoverSlow(int brokerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A replica did not hear a leadership change: {Message}")]
    private partial void LogNotifyFailed(string message);
}
