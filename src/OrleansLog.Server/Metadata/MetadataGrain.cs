using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Persistence;
using OrleansLog.Topics;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator (see <see cref="IMetadataGrain"/>). Concurrency: changes are not reentrant, so they
/// apply one at a time, each persisted before it is answered and before topic and partition grains hear
/// of it; lookups interleave with everything (they only read), so a grain asked during a change can look
/// a topic up without deadlocking.
/// </summary>
public sealed partial class MetadataGrain(
    [PersistentState("metadata", OrleansLogStorage.Name)] IPersistentState<MetadataState> state,
    IOptions<OrleansLogOptions> options,
    TimeProvider time,
    ILogger<MetadataGrain> logger) : Grain, IMetadataGrain
{
    private Dictionary<string, TopicDescription> Topics => state.State.Topics;

    public async Task<TopicDescription> CreateTopic(string name, int partitions, short replicationFactor, ImmutableDictionary<string, string> configs)
    {
        TopicName.Validate(name);
        if (Topics.ContainsKey(name))
        {
            throw new OrleansLogException(ErrorCode.TopicAlreadyExists, $"Topic \"{name}\" already exists.");
        }

        // Kafka refuses names that differ only by '.' versus '_': they collide in metric names.
        var collision = Topics.Keys.FirstOrDefault(existing => Normalize(existing) == Normalize(name));
        if (collision is not null)
        {
            throw new OrleansLogException(ErrorCode.InvalidTopicException, $"Topic \"{name}\" collides with existing topic \"{collision}\" ('.' and '_' count as the same).");
        }

        ValidatePartitionCount(partitions);
        if (replicationFactor is not (1 or -1))
        {
            throw new OrleansLogException(ErrorCode.InvalidReplicationFactor, $"Replication factor {replicationFactor} is larger than the 1 available broker.");
        }

        var overrides = configs.ToImmutableSortedDictionary(StringComparer.Ordinal);
        TopicConfig.Parse(overrides);
        var topic = new TopicDescription(name, Guid.NewGuid(), partitions, overrides, time.GetUtcNow());
        Topics[name] = topic;
        await state.WriteStateAsync();
        LogTopicCreated(name, topic.TopicId, partitions);
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(topic);
        return topic;
    }

    public async Task DeleteTopic(string name)
    {
        var topic = Require(name);
        Topics.Remove(name);
        await state.WriteStateAsync();
        LogTopicDeleted(name, topic.TopicId);
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(null);
        await Task.WhenAll(Enumerable.Range(0, topic.PartitionCount)
            .Select(p => GrainFactory.GetPartitionGrain(name, p).Delete()));
    }

    public Task<ImmutableArray<TopicDescription>> ListTopics() =>
        Task.FromResult(Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToImmutableArray());

    public Task<TopicDescription> DescribeTopic(string name) => Task.FromResult(Require(name));

    public Task<TopicDescription?> TryGetTopic(string name) => Task.FromResult(Topics.GetValueOrDefault(name));

    public async Task<TopicDescription> CreatePartitions(string name, int totalCount)
    {
        var topic = Require(name);
        if (totalCount <= topic.PartitionCount)
        {
            throw new OrleansLogException(ErrorCode.InvalidPartitions, $"Topic \"{name}\" has {topic.PartitionCount} partitions; the new count must be larger, not {totalCount} (partitions are never removed).");
        }

        ValidatePartitionCount(totalCount);
        var grown = topic with { PartitionCount = totalCount };
        Topics[name] = grown;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(grown);
        return grown;
    }

    public async Task<TopicDescription> AlterConfigs(string name, ImmutableDictionary<string, string?> changes)
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
        Topics[name] = altered;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITopicGrain>(name).Update(altered);
        await Task.WhenAll(Enumerable.Range(0, altered.PartitionCount)
            .Select(p => GrainFactory.GetPartitionGrain(name, p).Refresh(altered)));
        return altered;
    }

    private TopicDescription Require(string name) =>
        Topics.GetValueOrDefault(name) ?? throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic \"{name}\" does not exist.");

    private void ValidatePartitionCount(int partitions)
    {
        var max = options.Value.MaxPartitionsPerTopic;
        if (partitions < 1 || partitions > max)
        {
            throw new OrleansLogException(ErrorCode.InvalidPartitions, $"Partition count {partitions} is invalid: it must be between 1 and {max}.");
        }
    }

    private static string Normalize(string name) => name.Replace('.', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} (id {TopicId}) with {Partitions} partitions.")]
    private partial void LogTopicCreated(string topic, Guid topicId, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic} (id {TopicId}).")]
    private partial void LogTopicDeleted(string topic, Guid topicId);
}
