using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Security;
using OrleansLog.Topics;

namespace OrleansLog.Client.Admin;

/// <summary>
/// Topic and consumer-group administration as a typed API (what the CLI does, for programs). Refusals
/// throw <see cref="OrleansLogException"/> with the Kafka error code. Thread-safe and stateless.
/// </summary>
public sealed class AdminClient(IGrainFactory grains)
{
    private IMetadataGrain Coordinator => grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    private IAclStoreGrain Acls => grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey);

    private IClientQuotaStoreGrain Quotas => grains.GetGrain<IClientQuotaStoreGrain>(IClientQuotaStoreGrain.ClusterKey);

    private ICredentialStoreGrain Users => grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey);


    public Task<TopicDescription> CreateTopicAsync(string name, int partitions, short replicationFactor = -1, IReadOnlyDictionary<string, string>? configs = null) =>
        Coordinator.CreateTopic(name, partitions, replicationFactor, configs?.ToImmutableDictionary(StringComparer.Ordinal) ?? ImmutableDictionary<string, string>.Empty);

    public Task DeleteTopicAsync(string name) => Coordinator.DeleteTopic(name);

    public async Task<IReadOnlyList<TopicDescription>> ListTopicsAsync() => await Coordinator.ListTopics();

    /// <summary>The topic with each partition's offsets and size.</summary>
    public Task<TopicDetails> DescribeTopicAsync(string name) => grains.GetGrain<ITopicGrain>(name).Describe();

    /// <summary>Grows a topic to <paramref name="totalCount"/> partitions.</summary>
    public Task<TopicDescription> CreatePartitionsAsync(string name, int totalCount) => Coordinator.CreatePartitions(name, totalCount);

    /// <summary>Sets config overrides; a null value removes one.</summary>
    public Task<TopicDescription> AlterTopicConfigsAsync(string name, IReadOnlyDictionary<string, string?> changes) =>
        Coordinator.AlterConfigs(name, changes.ToImmutableDictionary(StringComparer.Ordinal));

    /// <summary>The offset for a timestamp, or <see cref="ListOffsetsSpec.Earliest"/>/<see cref="ListOffsetsSpec.Latest"/>; -1 when no record is that late.</summary>
    public Task<long> ListOffsetAsync(TopicPartition partition, long timestamp) =>
        grains.GetPartitionGrain(partition.Topic, partition.Partition).ListOffset(timestamp);

    /// <summary>The brokers the coordinator knows, with their silos and whether they are alive.</summary>
    public async Task<IReadOnlyList<Brokers.BrokerDescription>> ListBrokersAsync() => await Coordinator.ListBrokers();

    /// <summary>Moves leadership back to each partition's preferred replica (of one topic, or all); returns how many partitions moved.</summary>
    public Task<int> ElectPreferredLeadersAsync(string? topic = null) => Coordinator.ElectPreferredLeaders(topic);

    /// <summary>
    /// Sets <paramref name="user"/>'s SCRAM credential for <paramref name="mechanism"/> (SCRAM-SHA-256 or SCRAM-SHA-512): the
    /// salted keys are computed here, so the password never leaves this process. The user then logs in on SASL listeners
    /// with that mechanism, or with PLAIN and the same password.
    /// </summary>
    public Task SetScramCredentialAsync(string user, string mechanism, string password, int iterations = ScramMechanism.MinIterations)
    {
        var scram = ScramMechanism.Find(mechanism) ?? throw new OrleansLogException(ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism \"{mechanism}\": use {string.Join(" or ", ScramMechanism.All.Select(m => m.Name))}.");
        if (string.IsNullOrEmpty(password))
        {
            throw new OrleansLogException(ErrorCode.UnacceptableCredential, "The password must not be empty.");
        }

        if (iterations is < ScramMechanism.MinIterations or > ScramMechanism.MaxIterations)
        {
            throw new OrleansLogException(ErrorCode.UnacceptableCredential, $"SCRAM iterations must be between {ScramMechanism.MinIterations} and {ScramMechanism.MaxIterations}, not {iterations}.");
        }

        return Users.Upsert(user, ScramCredential.Create(scram, password, iterations).ToStored());
    }

    /// <summary>Deletes <paramref name="user"/>'s credential for <paramref name="mechanism"/>; RESOURCE_NOT_FOUND when there is none.</summary>
    public async Task DeleteScramCredentialAsync(string user, string mechanism)
    {
        if (!await Users.Delete(user, mechanism))
        {
            throw new OrleansLogException(ErrorCode.ResourceNotFound, $"User \"{user}\" has no {mechanism} credential.");
        }
    }

    /// <summary>Every user's SCRAM credentials (mechanism and iterations; never keys).</summary>
    public async Task<IReadOnlyList<ScramCredentialInfo>> ListScramCredentialsAsync() => await Users.Describe([]);

    /// <summary>Adds ACLs (Kafka's model; see <see cref="AclBinding"/>); INVALID_REQUEST names the first one refused and why. Brokers apply them within their refresh interval.</summary>
    public async Task CreateAclsAsync(IReadOnlyList<AclBinding> acls)
    {
        var refusals = await Acls.Create([.. acls]);
        for (var i = 0; i < refusals.Length; i++)
        {
            if (refusals[i] is { } refusal)
            {
                throw new OrleansLogException(ErrorCode.InvalidRequest, $"The ACL {acls[i]} was refused: {refusal}.");
            }
        }
    }

    /// <summary>The ACLs <paramref name="filter"/> matches (every ACL by default).</summary>
    public async Task<IReadOnlyList<AclBinding>> DescribeAclsAsync(AclFilter? filter = null) =>
        [.. (await Acls.Snapshot()).Acls.Where((filter ?? AclFilter.All).Matches)];

    /// <summary>Deletes the ACLs <paramref name="filter"/> matches and returns them.</summary>
    public async Task<IReadOnlyList<AclBinding>> DeleteAclsAsync(AclFilter filter) => (await Acls.Delete([filter]))[0];

    /// <summary>
    /// Sets or removes client quotas (Kafka's AlterClientQuotas: <see cref="ClientQuotaKeys"/> per user and/or client id,
    /// <see cref="ClientQuotaEntity.Default"/> for the defaults); INVALID_REQUEST names the first alteration refused and why.
    /// Brokers apply them within their refresh interval.
    /// </summary>
    public async Task AlterClientQuotasAsync(IReadOnlyList<ClientQuotaAlteration> alterations)
    {
        var refusals = await Quotas.Alter([.. alterations], validateOnly: false);
        for (var i = 0; i < refusals.Length; i++)
        {
            if (refusals[i] is { } refusal)
            {
                throw new OrleansLogException(ErrorCode.InvalidRequest, $"The quota change for {alterations[i].Entity} was refused: {refusal}.");
            }
        }
    }

    /// <summary>The quotas of the entities <paramref name="filter"/> matches (every entity by default).</summary>
    public async Task<IReadOnlyList<ClientQuotaEntry>> DescribeClientQuotasAsync(ClientQuotaFilter? filter = null) =>
        [.. (await Quotas.Snapshot()).Entries.Where(e => filter is null || filter.Matches(e.Entity))];

    public async Task<IReadOnlyList<string>> ListGroupsAsync() => await IConsumerGroupDirectoryGrain.ListAllAsync(grains);

    /// <summary>Every transactional id the caller may describe, with its state (Kafka's <c>kafka-transactions.sh list</c>).</summary>
    public async Task<IReadOnlyList<Transactions.TransactionDescription>> ListTransactionsAsync()
    {
        var ids = await grains.GetGrain<Transactions.ITransactionDirectoryGrain>(Transactions.ITransactionDirectoryGrain.ClusterKey).List();
        return await Transactions.ITransactionDirectoryGrain.DescribeExistingAsync(grains, ids);
    }

    /// <summary>A transactional id's producer, state, timeout and open transaction's partitions and groups; TRANSACTIONAL_ID_NOT_FOUND for an unknown id.</summary>
    public async Task<Transactions.TransactionDescription> DescribeTransactionAsync(string transactionalId)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        var description = await grains.GetGrain<Transactions.ITransactionCoordinatorGrain>(transactionalId).Describe();
        return description.Exists ? description
            : throw new OrleansLogException(ErrorCode.TransactionalIdNotFound, $"Transactional id \"{transactionalId}\" is not known (never initialised, or expired).");
    }

    /// <summary>
    /// Members, assignment, and per partition the committed offset, the end (high watermark) and the lag;
    /// GROUP_ID_NOT_FOUND for an unknown group. A partition that is gone, or has no reachable leader right
    /// now (an election after a broker died), shows no end and no lag rather than failing the whole description.
    /// </summary>
    public async Task<ConsumerGroupDetails> DescribeGroupAsync(string groupId)
    {
        var description = await RequireGroupId(groupId).Describe();
        if (!description.Exists)
        {
            throw new OrleansLogException(ErrorCode.GroupIdNotFound, $"Consumer group \"{groupId}\" does not exist (no members, no committed offsets).");
        }

        var owners = new Dictionary<TopicPartition, string>();
        foreach (var member in description.Members)
        {
            foreach (var partition in member.Assignment)
            {
                owners[partition] = member.MemberId;
            }
        }

        var committed = description.Offsets.ToDictionary(o => o.Partition, o => o.Offset);
        var partitions = new List<ConsumerGroupPartition>();
        foreach (var partition in committed.Keys.Union(owners.Keys).Order())
        {
            long? end = null;
            try
            {
                end = await ListOffsetAsync(partition, ListOffsetsSpec.Latest);
            }
            catch (OrleansLogException e) when (e.Code == ErrorCode.UnknownTopicOrPartition || e.IsRetriable)
            {
            }

            long? offset = committed.TryGetValue(partition, out var value) ? value : null;
            partitions.Add(new ConsumerGroupPartition(partition, offset, end, offset is { } o && end is { } e2 ? Math.Max(0, e2 - o) : null, owners.GetValueOrDefault(partition)));
        }

        return new ConsumerGroupDetails(description, partitions);
    }

    /// <summary>
    /// Sets the committed offsets of a topic's partitions (all, or <paramref name="partitions"/>) to the
    /// earliest, the latest, the first at a timestamp, or a given offset; NON_EMPTY_GROUP while the group
    /// has members. With <paramref name="dryRun"/> it only computes them. Returns the new offsets.
    /// </summary>
    public async Task<IReadOnlyList<CommittedOffset>> ResetGroupOffsetsAsync(string groupId, string topic, OffsetResetSpec spec, IReadOnlyCollection<int>? partitions = null, bool dryRun = false)
    {
        var group = RequireGroupId(groupId);
        var description = await Coordinator.DescribeTopic(topic);
        var targets = new List<CommittedOffset>();
        foreach (var p in partitions ?? Enumerable.Range(0, description.PartitionCount).ToList())
        {
            if (p < 0 || p >= description.PartitionCount)
            {
                throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic \"{topic}\" has no partition {p}.");
            }

            var partition = new TopicPartition(topic, p);
            var offset = spec.Kind switch
            {
                OffsetResetKind.Earliest => await ListOffsetAsync(partition, ListOffsetsSpec.Earliest),
                OffsetResetKind.Latest => await ListOffsetAsync(partition, ListOffsetsSpec.Latest),
                OffsetResetKind.Timestamp => await OffsetAtOrEnd(partition, spec.Value),
                _ => await ClampToLog(partition, spec.Value),
            };
            targets.Add(new CommittedOffset(partition, offset));
        }

        if (!dryRun)
        {
            await group.ResetOffsets([.. targets]);
        }

        return targets;
    }

    /// <summary>Deletes a group and its committed offsets; NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown.</summary>
    public Task DeleteGroupAsync(string groupId) => RequireGroupId(groupId).Delete();

    private IConsumerGroupGrain RequireGroupId(string groupId)
    {
        GroupId.Validate(groupId);
        return grains.GetGrain<IConsumerGroupGrain>(groupId);
    }

    private async Task<long> OffsetAtOrEnd(TopicPartition partition, long timestamp)
    {
        if (timestamp < 0)
        {
            throw new OrleansLogException(ErrorCode.InvalidRequest, $"Timestamp {timestamp} is negative.");
        }

        var offset = await ListOffsetAsync(partition, timestamp);
        return offset >= 0 ? offset : await ListOffsetAsync(partition, ListOffsetsSpec.Latest);
    }

    /// <summary>Kafka's tool clamps an offset outside the log to its nearest end.</summary>
    private async Task<long> ClampToLog(TopicPartition partition, long offset)
    {
        var earliest = await ListOffsetAsync(partition, ListOffsetsSpec.Earliest);
        var latest = await ListOffsetAsync(partition, ListOffsetsSpec.Latest);
        return Math.Clamp(offset, earliest, latest);
    }
}
