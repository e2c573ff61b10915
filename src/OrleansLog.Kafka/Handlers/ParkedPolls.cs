using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// One connection's partition polls that were still waiting when their fetch answered without them (see
/// <see cref="FetchHandler"/>). A Kafka consumer fetches again as soon as an answer arrives, for the same partitions, and
/// those that had nothing at the offsets they wait at. Stopping each such poll so that it answers at once, then asking
/// again with the next fetch, cost a grain call and a cancellation per empty partition per fetch: a consumer of 8
/// partitions fed by small produce batches made 8 partition calls for each one that brought records (3,300 a second
/// against 450 produces). So a waiting poll is parked here instead, and the next fetch that asks its partition at the
/// same offset, limit and isolation takes it over; the fetch that parks it answers that partition without records (see
/// <see cref="Waiting"/>).
/// <para>
/// Bounded: at most one poll a partition; a poll is parked only for a partition whose answer the connection's last
/// fetch gave (<see cref="Remember"/>: the partitions of the last two fetches are kept); a fetch stops each parked poll
/// it does not take over (the partition is not asked, or asked differently), and <see cref="Close"/> stops the rest
/// when the connection closes. A stopped poll answers at once; its batches go back to their pool. Thread-safe: fetches of one
/// connection may run together.
/// </para>
/// </summary>
internal sealed class ParkedPolls
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, PartitionPoll> _parked = [];
    private readonly Dictionary<TopicPartition, (long LogStart, int Fetch)> _logStarts = [];
    private int _fetch;
    private bool _closed;

    /// <summary>How many polls are parked.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>
    /// Takes over the poll parked for <paramref name="partition"/> if it was asked for the same offset, limit, whole
    /// batch rule and isolation and has not answered without records meanwhile (its wait ran out: a new poll must wait
    /// again); stops any other poll parked for it. Null when the caller must start a poll.
    /// </summary>
    public PartitionPoll? TakeOver(TopicPartition partition, long offset, int maxBytes, bool wholeBatch, IsolationLevel isolation)
    {
        PartitionPoll? parked;
        lock (_lock)
        {
            if (!_parked.Remove(partition, out parked))
            {
                return null;
            }
        }

        if (parked.Offset == offset && parked.MaxBytes == maxBytes && parked.WholeBatch == wholeBatch && parked.Isolation == isolation
            && !(parked.Answer.IsCompletedSuccessfully && parked.Answer.Result is { Error: ErrorCode.None, Records.IsEmpty: true }))
        {
            return parked;
        }

        parked.StopAndRelease();
        return null;
    }

    /// <summary>Stops every parked poll (nobody will take them over: the fetch that calls this has taken over those it wants).</summary>
    public void StopAll()
    {
        List<PartitionPoll>? stopped = null;
        lock (_lock)
        {
            if (_parked.Count > 0)
            {
                stopped = [.. _parked.Values];
                _parked.Clear();
            }
        }

        foreach (var poll in stopped ?? [])
        {
            poll.StopAndRelease();
        }
    }

    /// <summary>
    /// Parks <paramref name="poll"/>, still waiting, and returns the answer its fetch gives the partition meanwhile; null
    /// when it cannot be parked (the connection closed, another poll is parked for the partition, or no answer of the
    /// partition has been seen): the caller stops it and waits for its answer.
    /// </summary>
    public FetchResponse? Park(PartitionPoll poll)
    {
        lock (_lock)
        {
            if (_closed || _parked.ContainsKey(poll.Partition) || !_logStarts.TryGetValue(poll.Partition, out var known) || known.Fetch != _fetch)
            {
                return null;
            }

            _parked.Add(poll.Partition, poll);
            return Waiting(poll, known.LogStart);
        }
    }

    /// <summary>
    /// The answer for a partition whose poll waits at <see cref="PartitionPoll.Offset"/>: no records, and that offset as its
    /// end (a poll waits only while nothing readable lies at or beyond its offset: the high watermark there, or for
    /// read_committed the last stable offset), with the log start offset of the partition's last answer.
    /// </summary>
    internal static FetchResponse Waiting(PartitionPoll poll, long logStartOffset) =>
        new(ErrorCode.None, FetchedBatches.Empty, poll.Offset, logStartOffset, poll.Offset, LastStableOffset: poll.Offset);

    /// <summary>Starts keeping a new fetch's answers (see <see cref="Remember"/>): the last fetch's are forgotten once these are kept.</summary>
    public void BeginRemembering()
    {
        lock (_lock)
        {
            foreach (var (partition, known) in _logStarts)
            {
                if (known.Fetch != _fetch)
                {
                    _logStarts.Remove(partition);
                }
            }

            _fetch++;
        }
    }

    /// <summary>Keeps the log start offset of a fetch's answer for <paramref name="partition"/> (an answer without an error).</summary>
    public void Remember(TopicPartition partition, FetchResponse answer)
    {
        if (answer.Error != ErrorCode.None || answer.LogStartOffset < 0)
        {
            return;
        }

        lock (_lock)
        {
            _logStarts[partition] = (answer.LogStartOffset, _fetch);
        }
    }

    /// <summary>Stops every parked poll and parks no more (the connection closed).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        StopAll();
    }
}
