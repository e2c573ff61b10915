using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Topics;

namespace OrleansLog.Server.Topics;

/// <summary>
/// See <see cref="ITopicGrain"/>: a cache of the coordinator's description for clients. Reentrant: the
/// description is replaced whole (by the coordinator's <see cref="Update"/>, or a re-read once it is
/// older than ten seconds), so interleaved calls see one version or the next, never a mix.
/// </summary>
[Reentrant]
public sealed class TopicGrain(TimeProvider time) : Grain, ITopicGrain
{
    /// <summary>How long a copy is trusted without hearing from the coordinator (its updates are best-effort).</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private TopicDescription? _topic;
    private bool _loaded;
    private long _loadedAt;

    private string Name => this.GetPrimaryKeyString();

    public async Task<TopicDescription> GetMetadata() =>
        await TryGetMetadata() ?? throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic \"{Name}\" does not exist.");

    public async Task<TopicDescription?> TryGetMetadata()
    {
        if (!_loaded || time.GetElapsedTime(_loadedAt) > MaxAge)
        {
            _topic = await GrainFactory.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).TryGetTopic(Name);
            _loaded = true;
            _loadedAt = time.GetTimestamp();
        }

        if (_topic is null)
        {
            // A topic a client named that does not exist: no activation outlives the call.
            DeactivateOnIdle();
        }

        return _topic;
    }

    public async Task<TopicDetails> Describe()
    {
        var topic = await GetMetadata();
        var states = await Task.WhenAll(Enumerable.Range(0, topic.PartitionCount).Select(StateOf));
        return new TopicDetails(topic, [.. states]);
    }

    /// <summary>A partition's positions; a partition without a leader that answers is shown as unavailable rather than failing the whole describe.</summary>
    private async Task<PartitionState> StateOf(int partition)
    {
        try
        {
            return await GrainFactory.GetPartitionGrain(Name, partition).GetState();
        }
        catch (OrleansLogException e) when (e.Code is ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderOrFollower)
        {
            return PartitionState.Unavailable(partition);
        }
    }

    public Task Update(TopicDescription? description)
    {
        _topic = description;
        _loaded = true;
        _loadedAt = time.GetTimestamp();
        return Task.CompletedTask;
    }
}
