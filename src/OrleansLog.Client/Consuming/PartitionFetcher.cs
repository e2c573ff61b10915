using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using OrleansLog.Client.Internal;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// Pulls one assigned partition in the background: long-polling fetches from the partition grain,
/// handed to the consumer as chunks. The prefetch is bounded: at most <see cref="MaxBufferedChunks"/>
/// fetched chunks wait for the consumer, so a slow consumer stops its fetchers instead of buffering
/// without limit. Seeks, pauses and revocations bump a version that makes chunks already fetched stale;
/// a stale chunk still counts until the consumer has read past it and released it, so no sequence of
/// seeks can pile up chunks either.
/// Thread-safe: the consumer thread and the fetch loop meet under a lock.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The stop source is only cancelled (no CancelAfter, no wait handle), so it holds nothing to release; disposing it would race the fetch loop that reads its token.")]
internal sealed class PartitionFetcher
{
    /// <summary>Fetched chunks of one partition waiting for the consumer: one being read, one ready behind it.</summary>
    public const int MaxBufferedChunks = 2;

    private readonly Lock _lock = new();
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IGrainFactory _grains;
    private readonly ConsumerConfig _config;
    private readonly ChannelWriter<FetchedChunk> _output;
    private readonly TimeProvider _time;
    private long _position;
    private long _fetchOffset;
    private int _version;
    private int _buffered;
    private long _bufferedBytes;
    private int _failedVersion = -1;
    private bool _paused;

    public PartitionFetcher(TopicPartition partition, long position, IGrainFactory grains, ConsumerConfig config, ChannelWriter<FetchedChunk> output, TimeProvider time)
    {
        Partition = partition;
        _position = position;
        _fetchOffset = position;
        _grains = grains;
        _config = config;
        _output = output;
        _time = time;
    }

    public TopicPartition Partition { get; }

    /// <summary>The next offset the consumer will return from this partition, or a special value from <see cref="Offsets"/> until it is resolved.</summary>
    public long Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return _paused;
            }
        }
    }

    /// <summary>Where <c>auto.offset.reset</c> (earliest or latest) puts a partition without a valid position.</summary>
    private long ResetPosition => _config.AutoOffsetReset == AutoOffsetReset.Earliest ? ListOffsetsSpec.Earliest : ListOffsetsSpec.Latest;

    public void Start() => _ = Task.Run(RunAsync);

    public void Stop()
    {
        lock (_lock)
        {
            _version++;
        }

        _stop.Cancel();
        _wake.Set();
    }

    /// <summary>Moves the position (an offset, or <see cref="Offsets.Beginning"/>/<see cref="Offsets.End"/>); chunks already fetched are dropped.</summary>
    public void Seek(long offset)
    {
        lock (_lock)
        {
            _version++;
            _position = offset;
            _fetchOffset = offset;
        }

        _wake.Set();
    }

    public void SetPaused(bool paused)
    {
        lock (_lock)
        {
            if (_paused == paused)
            {
                return;
            }

            _paused = paused;
            _version++;

            // Resume from what the consumer has returned, not from what was fetched and dropped.
            _fetchOffset = _position;
        }

        _wake.Set();
    }

    public bool IsCurrent(int version)
    {
        lock (_lock)
        {
            return version == _version;
        }
    }

    /// <summary>Records that the consumer returned the record before <paramref name="nextPosition"/>; false when the chunk went stale meanwhile.</summary>
    public bool Advance(int version, long nextPosition)
    {
        lock (_lock)
        {
            if (version != _version)
            {
                return false;
            }

            _position = nextPosition;
            return true;
        }
    }

    /// <summary>
    /// The consumer finished or discarded a data chunk of this fetcher (stale or not): room for another fetch, and its
    /// pooled array goes back.
    /// </summary>
    public void Release(FetchedChunk chunk)
    {
        lock (_lock)
        {
            _buffered--;
            _bufferedBytes -= chunk.Batches.Length;
        }

        chunk.Batches.Dispose();

        _wake.Set();
    }

    /// <summary>Whether the prefetch is at its bound, so this fetcher waits for the consumer before it fetches again.</summary>
    public bool IsFull
    {
        get
        {
            lock (_lock)
            {
                return _buffered >= MaxBufferedChunks;
            }
        }
    }

    /// <summary>Bytes fetched and not yet released by the consumer.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bufferedBytes;
            }
        }
    }

    private async Task RunAsync()
    {
        var grain = _grains.GetPartitionGrain(Partition.Topic, Partition.Partition);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            long offset;
            int version;
            lock (_lock)
            {
                offset = _fetchOffset;
                version = _version;
                if (_paused || _buffered >= MaxBufferedChunks || _failedVersion == version)
                {
                    offset = long.MinValue;
                }
            }

            if (offset == long.MinValue)
            {
                // Stop sets the signal too, so this wait needs no token (and throws nothing).
                await _wake.WaitAsync(Timeout.InfiniteTimeSpan, _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            try
            {
                if (offset < 0)
                {
                    await ResolvePositionAsync(grain, offset, version).ConfigureAwait(false);
                    continue;
                }

                // Bounded: a fetch lost with a killed silo (or its gateway) is otherwise only failed by Orleans'
                // response timeout. A fetch only reads, so asking again is always safe.
                var response = await grain.Fetch(new FetchRequest(offset, _config.MaxPartitionFetchBytes, _config.FetchMinBytes, (int)_config.FetchMaxWait.TotalMilliseconds, Isolation: _config.IsolationLevel, PooledUntilWritten: true))
                    .WaitAsync(_config.FetchMaxWait + _config.RequestTimeout, _time, token).ConfigureAwait(false);
                if (response.Error == ErrorCode.OffsetOutOfRange)
                {
                    await ResetAfterOutOfRangeAsync(grain, offset, version, response.ErrorMessage).ConfigureAwait(false);
                    continue;
                }

                if (response.Error != ErrorCode.None)
                {
                    await HandleErrorAsync(response.Error, response.ErrorMessage ?? response.Error.KafkaName(), offset, version, token).ConfigureAwait(false);
                    continue;
                }

                if (response.Records.IsEmpty)
                {
                    continue;
                }

                lock (_lock)
                {
                    if (version != _version)
                    {
                        response.Dispose();
                        continue;
                    }

                    _fetchOffset = response.NextOffset;
                    _buffered++;
                    _bufferedBytes += response.Records.Length;
                }

                // Once written, the consumer releases the chunk (and its pooled array); one not written while stopping is left to the GC.
                await _output.WriteAsync(new FetchedChunk(this, version, response.Batches, Aborted: response.AbortedTransactions), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (OrleansLogException e)
            {
                await HandleErrorAsync(e.Code, e.Message, offset, version, token).ConfigureAwait(false);
            }
            catch (Exception) when (!token.IsCancellationRequested)
            {
                // The broker is unreachable for now: back off and fetch again.
                await DelayAsync(token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Turns <see cref="Offsets.Unset"/> (no committed offset), Beginning or End into a real offset.</summary>
    private async Task ResolvePositionAsync(IPartitionGrain grain, long special, int version)
    {
        long resolved;
        if (special == Offsets.Unset)
        {
            if (_config.AutoOffsetReset == AutoOffsetReset.Error)
            {
                Fail(version, ErrorCode.OffsetOutOfRange, $"{Partition} has no committed offset and auto.offset.reset is error.", special);
                return;
            }

            resolved = await grain.ListOffset(ResetPosition, _config.IsolationLevel).ConfigureAwait(false);
        }
        else
        {
            resolved = await grain.ListOffset(special == Offsets.Beginning ? ListOffsetsSpec.Earliest : ListOffsetsSpec.Latest, _config.IsolationLevel).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (version == _version)
            {
                _position = resolved;
                _fetchOffset = resolved;
            }
        }
    }

    private async Task ResetAfterOutOfRangeAsync(IPartitionGrain grain, long offset, int version, string? message)
    {
        if (_config.AutoOffsetReset == AutoOffsetReset.Error)
        {
            Fail(version, ErrorCode.OffsetOutOfRange, message ?? $"Offset {offset} is out of range in {Partition}.", offset);
            return;
        }

        var resolved = await grain.ListOffset(ResetPosition, _config.IsolationLevel).ConfigureAwait(false);
        lock (_lock)
        {
            if (version == _version)
            {
                _version++;
                _position = resolved;
                _fetchOffset = resolved;
            }
        }
    }

    private async Task HandleErrorAsync(ErrorCode error, string message, long offset, int version, CancellationToken token)
    {
        if (error.IsRetriable())
        {
            await DelayAsync(token).ConfigureAwait(false);
            return;
        }

        Fail(version, error, message, offset);
    }

    /// <summary>Hands the consumer an error and stops fetching until a seek (or revocation) changes the version.</summary>
    private void Fail(int version, ErrorCode error, string message, long offset)
    {
        lock (_lock)
        {
            if (version != _version)
            {
                return;
            }

            _failedVersion = version;
        }

        _output.TryWrite(new FetchedChunk(this, version, FetchedBatches.Empty, new ConsumeException(error, message, new TopicPartitionOffset(Partition, offset))));
    }

    private async Task DelayAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(_config.RetryBackoff, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
