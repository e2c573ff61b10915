using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// A consumer's commits to its group: explicit commits (durable when they return, refused with the
/// group's error), auto-commit of positions that moved every <c>auto.commit.interval.ms</c>, and quiet
/// commits before partitions are revoked and at close, where a refusal (a rebalance raced it) is not an
/// error. It remembers what it last committed per partition, so unchanged positions are not sent again.
/// Thread-safe: the last-committed map is locked, and at most one auto-commit runs at a time.
/// </summary>
internal sealed class OffsetCommitter(ConsumerConfig config, TimeProvider time, Func<IConsumerGroupGrain> group, Func<(string? MemberId, int Generation)> membership)
{
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];
    private long _lastAutoCommit = time.GetTimestamp();
    private Task _autoCommit = Task.CompletedTask;

    /// <summary>Commits <paramref name="offsets"/> (each the next offset to consume) under this member's generation.</summary>
    public async Task CommitAsync(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0)
        {
            return;
        }

        var (memberId, generation) = membership();
        var request = new CommitOffsetsRequest(memberId, generation, [.. offsets.Select(o => new CommittedOffset(o.TopicPartition, o.Offset))]);
        CommitOffsetsResponse response;
        try
        {
            response = await group().CommitOffsets(request).WaitAsync(config.RequestTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new OrleansLogException(ErrorCode.RequestTimedOut, $"The commit got no answer within request.timeout.ms ({config.RequestTimeout.TotalMilliseconds:0} ms); it may or may not have been stored.", e);
        }
        catch (Exception e) when (e is not OrleansLogException)
        {
            // The group's silo went away mid-call (the group grain moves to another silo): the caller may retry.
            throw new OrleansLogException(ErrorCode.CoordinatorNotAvailable, $"The commit could not reach the group coordinator: {e.Message}", e);
        }

        if (response.Error != ErrorCode.None)
        {
            throw new OrleansLogException(response.Error, response.ErrorMessage ?? response.Error.KafkaName());
        }

        lock (_lastCommitted)
        {
            foreach (var offset in offsets)
            {
                _lastCommitted[offset.TopicPartition] = offset.Offset;
            }
        }
    }

    /// <summary>Commits the positions that moved since their last commit; a refusal is swallowed.</summary>
    public async Task CommitChangedQuietlyAsync(IEnumerable<TopicPartitionOffset> positions)
    {
        List<TopicPartitionOffset> changed;
        lock (_lastCommitted)
        {
            changed = [.. positions.Where(p => !_lastCommitted.TryGetValue(p.TopicPartition, out var last) || last != p.Offset)];
        }

        try
        {
            await CommitAsync(changed).ConfigureAwait(false);
        }
        catch (OrleansLogException)
        {
        }
    }

    /// <summary>Starts an auto-commit of <paramref name="positions"/> (read only then) when one is due and none is running.</summary>
    public void MaybeAutoCommit(Func<IEnumerable<TopicPartitionOffset>> positions)
    {
        if (!config.EnableAutoCommit || config.GroupId is null || !_autoCommit.IsCompleted || time.GetElapsedTime(_lastAutoCommit) < config.AutoCommitInterval)
        {
            return;
        }

        _lastAutoCommit = time.GetTimestamp();
        _autoCommit = CommitChangedQuietlyAsync(positions());
    }

    /// <summary>Waits for a running auto-commit (at close, before the last commit).</summary>
    public async Task AutoCommitFinishedAsync()
    {
        try
        {
            await _autoCommit.ConfigureAwait(false);
        }
        catch (OrleansLogException)
        {
        }
    }
}
