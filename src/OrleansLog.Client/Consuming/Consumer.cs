using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansLog.Client.Serialization;
using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// Consumes records, as Confluent.Kafka's <c>IConsumer</c> does: <see cref="Assign(IEnumerable{TopicPartitionOffset})"/>
/// partitions yourself or <see cref="Subscribe(IEnumerable{string})"/> in a group (<c>group.id</c>);
/// <see cref="Consume(TimeSpan)"/>, <see cref="ConsumeAsync(CancellationToken)"/> or <see cref="ConsumeAllAsync"/> records in
/// partition order; seek, pause, resume, and commit positions (automatically every
/// <c>auto.commit.interval.ms</c> by default, and on close). Rebalance handlers run inside the consume
/// call, on the caller's thread: the revoked handler can still commit. Like Kafka's consumer it is for
/// one thread at a time; <see cref="DisposeAsync"/> leaves the group.
/// </summary>
public sealed class Consumer<TKey, TValue> : IDisposable, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly ConsumerConfig _config;
    private readonly RecordDecoder<TKey, TValue> _decoder;
    private readonly OffsetCommitter _committer;
    private readonly TimeProvider _time;
    private readonly ConsumerRebalanceHandlers<TKey, TValue> _handlers;
    private readonly Channel<FetchedChunk> _chunks = Channel.CreateUnbounded<FetchedChunk>();
    private readonly Dictionary<TopicPartition, PartitionFetcher> _fetchers = [];
    private readonly Queue<ConsumeResult<TKey, TValue>> _decoded = new();
    private GroupSession? _session;
    private ImmutableArray<string> _subscription = [];
    private IReadOnlyList<TopicPartition>? _assignment;
    private FetchedChunk? _chunk;
    private ReadOnlyMemory<byte> _chunkRemaining;
    private AbortedTransactionFilter? _aborted;
    private bool _disposed;

    internal Consumer(IGrainFactory grains, ConsumerConfig config, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, ConsumerRebalanceHandlers<TKey, TValue> handlers, TimeProvider time)
    {
        config.Validate();
        _grains = grains;
        _config = config;
        _decoder = new RecordDecoder<TKey, TValue>(keyDeserializer, valueDeserializer);
        _committer = new OffsetCommitter(config, time, RequireGroup, () => (_session?.MemberId, _session?.Generation ?? -1));
        _handlers = handlers;
        _time = time;
    }

    /// <summary>The partitions this consumer reads now.</summary>
    /// <remarks>Sorted once per change of the assignment, not per call: callers poll it between records.</remarks>
    public IReadOnlyList<TopicPartition> Assignment => _assignment ??= GroupSortedKeys().AsReadOnly();

    public IReadOnlyList<string> Subscription => _subscription;

    /// <summary>Bytes fetched ahead and not yet consumed: at most two fetches (<c>max.partition.fetch.bytes</c> each, or one batch if larger) per assigned partition.</summary>
    public long PrefetchedBytes => _fetchers.Values.Sum(f => f.BufferedBytes);

    /// <summary>Whether every assigned partition's prefetch is at its bound (tests wait for it instead of sleeping).</summary>
    internal bool IsPrefetchFull => _fetchers.Count > 0 && _fetchers.Values.All(f => f.IsFull);

    /// <summary>This consumer's member id in its group, once joined.</summary>
    public string? MemberId => _session?.MemberId;

    /// <summary>The group a transactional producer commits this consumer's positions to (<c>SendOffsetsToTransaction</c>); null without <c>group.id</c>.</summary>
    public ConsumerGroupMetadata? ConsumerGroupMetadata => _config.GroupId is { } group ? new ConsumerGroupMetadata(group) : null;

    /// <summary>Reads the given partitions from the given offsets (or <see cref="Offsets"/> values), replacing any assignment. Not with <see cref="Subscribe(IEnumerable{string})"/>.</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ThrowIfDisposed();
        if (_session is not null)
        {
            throw new InvalidOperationException("This consumer is subscribed: unsubscribe before assigning partitions yourself.");
        }

        StopFetchers([.. _fetchers.Keys]);
        foreach (var partition in partitions)
        {
            StartFetcher(partition.TopicPartition, partition.Offset);
        }
    }

    /// <summary>Reads the given partitions from their committed offsets (or <c>auto.offset.reset</c>).</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        var list = partitions.ToList();
        var committed = _config.GroupId is null ? [] : FetchCommitted(list);
        Assign(list.Select(p => new TopicPartitionOffset(p, committed.GetValueOrDefault(p, Offsets.Unset))));
    }

    public void Unassign()
    {
        ThrowIfDisposed();
        StopFetchers([.. _fetchers.Keys]);
    }

    /// <summary>Joins the group (<c>group.id</c>) for these topics; the group assigns partitions and rebalances as members come and go.</summary>
    public void Subscribe(IEnumerable<string> topics)
    {
        ThrowIfDisposed();
        var list = topics.Distinct(StringComparer.Ordinal).ToImmutableArray();
        GroupId.Validate(_config.GroupId);
        if (list.IsEmpty)
        {
            throw new ArgumentException("Subscribe to at least one topic.", nameof(topics));
        }

        foreach (var topic in list)
        {
            Metadata.TopicName.Validate(topic);
        }

        Unsubscribe();
        StopFetchers([.. _fetchers.Keys]);
        _subscription = list;
        _session = new GroupSession(_grains, _config, list, () => _chunks.Writer.TryWrite(FetchedChunk.Wake), _time);
    }

    public void Subscribe(string topic) => Subscribe([topic]);

    /// <summary>Leaves the group: revoked handlers run and, with auto-commit, positions are committed first.</summary>
    public void Unsubscribe()
    {
        if (_session is not { } session)
        {
            return;
        }

        Revoke([.. _fetchers.Keys], lost: false);
        _session = null;
        _subscription = [];
        session.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The next record, or null when none arrives within <paramref name="timeout"/>.</summary>
    public ConsumeResult<TKey, TValue>? Consume(TimeSpan timeout)
    {
        // The common case under load: a record is already fetched, so no timer and no task.
        if (TryConsumeNow() is { } ready)
        {
            return ready;
        }

        // Wait on this thread (the call is synchronous anyway): a timeout returns null without an exception.
        var started = _time.GetTimestamp();
        while (true)
        {
            var remaining = timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || !_chunks.Reader.WaitToReadAsync().AsTask().Wait(remaining))
            {
                return TryConsumeNow();
            }

            if (TryConsumeNow() is { } result)
            {
                return result;
            }
        }
    }

    /// <summary>
    /// The next record, or null when none arrives within <paramref name="timeout"/>, waiting without holding
    /// a thread (for servers: a web request that reads records must not block the thread pool).
    /// </summary>
    public async ValueTask<ConsumeResult<TKey, TValue>?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (TryConsumeNow() is { } ready)
        {
            return ready;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return null;
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            return await ConsumeAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TryConsumeNow();
        }
    }

    /// <summary>The next record, waiting until one arrives or <paramref name="cancellationToken"/> is cancelled.</summary>
    public ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken) =>
        ConsumeAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <summary>The next record; throws <see cref="OperationCanceledException"/> when cancelled first, <see cref="ConsumeException"/> when a partition cannot be read.</summary>
    public async ValueTask<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryConsumeNow() is { } result)
            {
                return result;
            }

            await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Applies group changes and returns the next record already fetched, or null when a wait is needed.</summary>
    private ConsumeResult<TKey, TValue>? TryConsumeNow()
    {
        ThrowIfDisposed();
        ApplyGroupChanges();
        _committer.MaybeAutoCommit(() => CurrentPositions(_fetchers.Keys));
        while (true)
        {
            if (TryNext() is { } result)
            {
                return result;
            }

            if (!_chunks.Reader.TryRead(out var chunk))
            {
                return null;
            }

            if (chunk.Fetcher is null)
            {
                continue;
            }

            // A seek, pause or revocation since the fetch bumped the fetcher's version (stopping it does too).
            if (chunk.Error is { } error)
            {
                if (chunk.Fetcher.IsCurrent(chunk.Version))
                {
                    throw error;
                }

                continue;
            }

            if (!chunk.Fetcher.IsCurrent(chunk.Version))
            {
                chunk.Fetcher.Release(chunk);
                continue;
            }

            _chunk = chunk;
            _chunkRemaining = chunk.Batches.Memory;
            _aborted = chunk.Aborted.IsDefaultOrEmpty ? null : new AbortedTransactionFilter(chunk.Aborted);
        }
    }

    /// <summary>Records as they arrive, until cancelled.</summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<TKey, TValue> result;
            try
            {
                result = await ConsumeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            yield return result;
        }
    }

    /// <summary>Moves an assigned partition's position; the next record from it is at <paramref name="position"/>.</summary>
    public void Seek(TopicPartitionOffset position)
    {
        RequireFetcher(position.TopicPartition).Seek(position.Offset);
        DropDecoded(position.TopicPartition);
    }

    /// <summary>Stops fetching these partitions (they stay assigned) until <see cref="Resume"/>.</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            RequireFetcher(partition).SetPaused(true);
            DropDecoded(partition);
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            RequireFetcher(partition).SetPaused(false);
        }
    }

    public IReadOnlyList<TopicPartition> Paused() => [.. _fetchers.Values.Where(f => f.IsPaused).Select(f => f.Partition)];

    /// <summary>The offset of the next record this consumer returns from <paramref name="partition"/>; <see cref="Offsets.Unset"/> until known.</summary>
    public long Position(TopicPartition partition)
    {
        var position = RequireFetcher(partition).Position;
        return position < 0 ? Offsets.Unset : position;
    }

    /// <summary>The group's committed offsets of these partitions (<see cref="Offsets.Unset"/> where none).</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions)
    {
        var list = partitions.ToList();
        var committed = FetchCommitted(list);
        return [.. list.Select(p => new TopicPartitionOffset(p, committed.GetValueOrDefault(p, Offsets.Unset)))];
    }

    /// <summary>Commits the current position of every assigned partition, durably, and returns what it committed.</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit() => CommitAsync().GetAwaiter().GetResult();

    /// <summary>Commits the given offsets (each the next offset to consume).</summary>
    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => CommitAsync(offsets).GetAwaiter().GetResult();

    /// <summary>Commits the offset after <paramref name="result"/>.</summary>
    public void Commit(ConsumeResult<TKey, TValue> result) => Commit([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)]);

    public async Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync()
    {
        var positions = CurrentPositions(_fetchers.Keys);
        await CommitAsync(positions).ConfigureAwait(false);
        return positions;
    }

    public Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets)
    {
        ThrowIfDisposed();
        var list = offsets.ToList();
        if (list.Count > 0)
        {
            RequireGroup();
        }

        return _committer.CommitAsync(list);
    }

    /// <summary>Commits (with auto-commit), leaves the group, and stops fetching.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _committer.AutoCommitFinishedAsync().ConfigureAwait(false);
        if (_session is { } session)
        {
            Revoke([.. _fetchers.Keys], lost: false);
            _session = null;
            await session.DisposeAsync().ConfigureAwait(false);
        }
        else if (_config.EnableAutoCommit && _config.GroupId is not null)
        {
            await _committer.CommitChangedQuietlyAsync(CurrentPositions(_fetchers.Keys)).ConfigureAwait(false);
        }

        StopFetchers([.. _fetchers.Keys]);
        _disposed = true;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Applies what the group decided: revoked (after committing them), lost, and newly assigned partitions.</summary>
    private void ApplyGroupChanges()
    {
        if (_session is not { } session || !session.TakeChange(out var assignment, out var lost))
        {
            return;
        }

        // A lost session loses everything held, even partitions the rejoined member was given back before this
        // call saw the loss: another member may have owned and committed them meanwhile, so they get the lost
        // callback and restart from the committed offsets like any new partition.
        var current = _fetchers.Keys.ToImmutableHashSet();
        Revoke([.. lost ? current : current.Except(assignment)], lost);
        var added = assignment.Except(_fetchers.Keys).ToList();
        if (added.Count > 0)
        {
            Dictionary<TopicPartition, long> committed;
            try
            {
                committed = FetchCommitted(added);
            }
            catch (Exception e) when (e is not OrleansLogException { IsRetriable: false })
            {
                // Without the committed offsets a new partition cannot start (a reset could skip records):
                // the group is moving to another silo, so try again on the next Consume.
                session.ChangeAgain();
                return;
            }

            foreach (var partition in added)
            {
                StartFetcher(partition, committed.GetValueOrDefault(partition, Offsets.Unset));
            }

            _handlers.Assigned?.Invoke(this, Sorted(added));
        }

        session.SetApplied(assignment);
    }

    private void Revoke(List<TopicPartition> partitions, bool lost)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        var sorted = Sorted(partitions);
        if (lost)
        {
            _handlers.Lost?.Invoke(this, sorted);
        }
        else
        {
            if (_config.EnableAutoCommit)
            {
                _committer.CommitChangedQuietlyAsync(CurrentPositions(partitions)).GetAwaiter().GetResult();
            }

            _handlers.Revoked?.Invoke(this, sorted);
        }

        StopFetchers(partitions);
    }

    private List<TopicPartitionOffset> CurrentPositions(IEnumerable<TopicPartition> partitions)
    {
        var positions = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            if (_fetchers.TryGetValue(partition, out var fetcher) && fetcher.Position >= 0)
            {
                positions.Add(new TopicPartitionOffset(partition, fetcher.Position));
            }
        }

        return positions;
    }

    /// <summary>The next record of the current chunk that is still wanted, decoding one batch at a time.</summary>
    private ConsumeResult<TKey, TValue>? TryNext()
    {
        while (true)
        {
            while (_decoded.TryDequeue(out var result))
            {
                if (_chunk is { } owner && _fetchers.TryGetValue(result.TopicPartition, out var fetcher)
                    && fetcher.Position <= result.Offset && fetcher.Advance(owner.Version, result.Offset + 1))
                {
                    return result;
                }
            }

            if (_chunk is not { } chunk)
            {
                return null;
            }

            if (_chunkRemaining.Length < RecordBatchLayout.HeaderSize || !chunk.Fetcher!.IsCurrent(chunk.Version))
            {
                chunk.Fetcher!.Release(chunk);
                _chunk = null;
                return null;
            }

            var size = RecordBatchHeader.ReadOffsetAndSize(_chunkRemaining.Span).SizeInBytes;
            var batch = _chunkRemaining.Span[..Math.Min(size, _chunkRemaining.Length)];
            if (_aborted is null || batch.Length < size || !_aborted.Skips(batch))
            {
                _decoder.Decode(chunk.Fetcher.Partition, batch, _decoded);
            }

            // A batch that yields nothing (a transaction marker, an aborted batch, one the cleaner emptied) still moves
            // the position past it, as Kafka's consumer does: otherwise a read_committed reader never reaches the last
            // stable offset, and its committed position and lag stay one short of every marker.
            if (_decoded.Count == 0 && batch.Length >= RecordBatchLayout.HeaderSize && batch.Length == size
                && RecordBatchHeader.Read(batch).NextOffset is var next && chunk.Fetcher.Position < next)
            {
                chunk.Fetcher.Advance(chunk.Version, next);
            }

            _chunkRemaining = _chunkRemaining[Math.Min(size, _chunkRemaining.Length)..];
        }
    }

    private void DropDecoded(TopicPartition partition)
    {
        if (_chunk is { Fetcher: { } fetcher } chunk && fetcher.Partition == partition)
        {
            fetcher.Release(chunk);
            _chunk = null;
            _decoded.Clear();
        }
    }

    private void StartFetcher(TopicPartition partition, long position)
    {
        if (_fetchers.ContainsKey(partition))
        {
            return;
        }

        var fetcher = new PartitionFetcher(partition, position, _grains, _config, _chunks.Writer, _time);
        _fetchers.Add(partition, fetcher);
        _assignment = null;
        fetcher.Start();
    }

    private void StopFetchers(List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            if (_fetchers.Remove(partition, out var fetcher))
            {
                fetcher.Stop();
                DropDecoded(partition);
            }
        }

        _assignment = null;
    }

    private Dictionary<TopicPartition, long> FetchCommitted(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return [];
        }

        var offsets = RequireGroup().FetchOffsets([.. partitions]).WaitAsync(_config.RequestTimeout).GetAwaiter().GetResult();
        return offsets.ToDictionary(o => o.Partition, o => o.Offset);
    }

    private IConsumerGroupGrain RequireGroup()
    {
        if (_config.GroupId is null)
        {
            throw new OrleansLogException(ErrorCode.InvalidGroupId, "Committed offsets need group.id in the consumer config.");
        }

        return _session?.Group ?? _grains.GetGrain<IConsumerGroupGrain>(_config.GroupId);
    }

    private PartitionFetcher RequireFetcher(TopicPartition partition) =>
        _fetchers.GetValueOrDefault(partition) ?? throw new InvalidOperationException($"{partition} is not assigned to this consumer.");

    private List<TopicPartition> GroupSortedKeys() => Sorted(_fetchers.Keys);

    private static List<TopicPartition> Sorted(IEnumerable<TopicPartition> partitions) =>
        [.. partitions.Order()];

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
