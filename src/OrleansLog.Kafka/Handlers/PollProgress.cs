using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Where the polls of one long-polling fetch stand (see <see cref="FetchHandler"/>): the record bytes answered so
/// far, and whether the fetch has what it waits for. It has once the answers hold <c>min_bytes</c>, or one is an
/// error (the client needs it more than a wait), or one shows records it could not return within its limit (waiting
/// cannot make them fit); then <see cref="Ended"/> completes, and the fetch deals with the polls still waiting.
/// Thread-safe: the polls' answers arrive on any thread.
/// </summary>
internal sealed class PollProgress(int minBytes, IsolationLevel isolation, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _started = time.GetTimestamp();
    private long _gathered;
    private bool _ended;
    private TimeSpan _waited;

    /// <summary>
    /// How long the fetch only waited: until the answer that ended it, when every answer before it was empty and it
    /// brought records; nothing when it ended otherwise; the whole time when nothing ended it.
    /// </summary>
    public TimeSpan Waited
    {
        get
        {
            lock (_lock)
            {
                return _ended ? _waited : time.GetElapsedTime(_started);
            }
        }
    }

    /// <summary>Completes once the answers hold what the fetch waits for.</summary>
    public Task Ended => _done.Task;

    /// <summary>Counts a poll's final <paramref name="answer"/> for the partition asked at <paramref name="offset"/>.</summary>
    public void Count(FetchResponse answer, long offset)
    {
        var endNow = false;
        lock (_lock)
        {
            var allEmptySoFar = _gathered == 0;
            _gathered += answer.Records.Length;
            if (!_ended && (_gathered >= minBytes || answer.Error != ErrorCode.None || HasUnreturnedRecords(answer, offset)))
            {
                _ended = true;
                _waited = allEmptySoFar && answer.Error == ErrorCode.None && !answer.Records.IsEmpty ? time.GetElapsedTime(_started) : TimeSpan.Zero;
                endNow = true;
            }
        }

        if (endNow)
        {
            _done.TrySetResult();
        }
    }

    /// <summary>An empty answer from a partition with readable records at the offset asked: its next batch is larger than the limit.</summary>
    private bool HasUnreturnedRecords(FetchResponse answer, long offset) =>
        answer.Error == ErrorCode.None && answer.Records.IsEmpty && answer.ReadableEnd(isolation) > offset;
}
